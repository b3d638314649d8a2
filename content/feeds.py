from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Article, PracticeDetails


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "Nieuwe artikelen over hechting, relaties en therapie."

    def link(self):
        return reverse("content:article_list")

    def get_object(self, request, *args, **kwargs):
        return PracticeDetails.load()

    def title(self, practice):
        return f"Artikelen van {practice.practice_name}" if practice else "Artikelen"

    def author_name(self, practice):
        return practice.therapist_name if practice else ""

    def items(self):
        return Article.objects.published()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author or None
