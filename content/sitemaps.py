from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from .models import Article, Page


class Sitemap(DjangoSitemap):
    """Addresses from SITE_URL, never from the request's Host header, which anyone can set."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PageSitemap(Sitemap):
    def items(self):
        return Page.objects.published().only("slug", "kind", "updated_at")

    def lastmod(self, page):
        return page.updated_at


class ArticleSitemap(Sitemap):
    def items(self):
        return Article.objects.published().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at


class FixedSitemap(Sitemap):
    def items(self):
        return ["content:article_list", "booking:start"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if name == "content:article_list":
            latest = Article.objects.published().order_by("-updated_at").first()
            return latest.updated_at if latest else None
        return None


sitemaps = {"pages": PageSitemap, "articles": ArticleSitemap, "fixed": FixedSitemap}
