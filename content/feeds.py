from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, PracticeDetails


class LatestArticlesFeed(Feed):
    """Every address in the feed is absolute from SITE_URL, never from the request's Host header."""

    feed_type = Atom1Feed
    subtitle = gettext_lazy("Nieuwe artikelen over hechting, relaties en therapie.")

    def link(self):
        return settings.SITE_URL + reverse("content:article_list")

    def feed_url(self):
        return settings.SITE_URL + reverse("content:article_feed")

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def get_object(self, request, *args, **kwargs):
        return PracticeDetails.load()

    def title(self, practice):
        return _("Artikelen van %(practice)s") % {"practice": practice.practice_name} if practice else _("Artikelen")

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
