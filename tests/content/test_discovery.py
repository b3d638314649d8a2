"""sitemap.xml, robots.txt and the article feed."""

import xml.etree.ElementTree as ET

from django.conf import settings

from content.models import Article, Page

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}


def test_sitemap_lists_pages_and_articles_with_lastmod(client, site_content):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = {
        url.find("s:loc", SITEMAP_NS).text: url.find("s:lastmod", SITEMAP_NS)
        for url in ET.fromstring(response.content).findall("s:url", SITEMAP_NS)
    }
    for item in [*Page.objects.published(), *Article.objects.published()]:
        location = next(loc for loc in urls if loc.endswith(item.get_absolute_url()))
        assert urls[location] is not None and urls[location].text, location
    assert any(loc.endswith("/artikelen/") for loc in urls)
    assert any(loc.endswith("/kennismaking/") for loc in urls)


def test_robots_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.content.decode()


def test_feed_is_atom_with_published_articles(client, site_content):
    response = client.get("/artikelen/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [entry.find("a:title", ATOM_NS).text for entry in feed.findall("a:entry", ATOM_NS)]
    assert titles == list(Article.objects.published().values_list("title", flat=True))
    assert "Praktijk Zachte Grond" in feed.find("a:title", ATOM_NS).text


def test_pages_announce_the_feed(client, site_content):
    assert b'type="application/atom+xml"' in client.get("/").content


def test_sitemap_and_feed_use_the_site_address_whatever_host_is_asked_for(client, site_content, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://praktijk.example"
    sitemap = client.get("/sitemap.xml", HTTP_HOST="evil.example")
    locations = [loc.text for loc in ET.fromstring(sitemap.content).iter(f"{{{SITEMAP_NS['s']}}}loc")]
    assert locations and all(loc.startswith("https://praktijk.example/") for loc in locations)
    feed = client.get("/artikelen/feed/", HTTP_HOST="evil.example").content.decode()
    assert "evil.example" not in feed and "https://praktijk.example/artikelen/" in feed
