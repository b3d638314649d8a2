from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    path("bevestiging/<uuid:uuid>/", views.confirmation, name="confirmation"),
    path("bevestiging/<uuid:uuid>/kennismaking.ics", views.confirmation_ics, name="confirmation_ics"),
    path("<slug:kind_slug>/", views.choose, name="choose"),
    path("<slug:kind_slug>/<str:slot>/", views.details, name="details"),
]
