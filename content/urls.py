from django.urls import path

from . import views
from .feeds import LatestArticlesFeed

app_name = "content"

urlpatterns = [
    path("", views.home, name="home"),
    path("artikelen/", views.article_list, name="article_list"),
    path("artikelen/feed/", LatestArticlesFeed(), name="article_feed"),
    path("artikelen/<slug:slug>/", views.article_detail, name="article"),
    path("zoeken/", views.search_view, name="search"),
    # Last: every other single-segment path is a page the therapist made.
    path("<slug:slug>/", views.page_detail, name="page"),
]
