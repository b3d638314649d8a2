"""Drafts and articles dated in the future stay out of every public place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Article
from tests.helpers import make_article, make_page, text_of


@pytest.fixture
def three_articles(db):
    theme = make_page(title="Eenzaamheid", slug="eenzaamheid", kind="theme")
    now = timezone.now()
    public = make_article(
        title="Zichtbaar zonlicht", slug="zichtbaar", themes=[theme], body="Over zonlicht en kwetsbaarheid."
    )
    draft = make_article(
        title="Concept zonlicht", slug="concept", themes=[theme], is_published=False, body="Over zonlicht."
    )
    future = make_article(
        title="Toekomstig zonlicht",
        slug="toekomstig",
        themes=[theme],
        published_at=now + timedelta(hours=2),
        body="Over zonlicht.",
    )
    return theme, public, draft, future


def hidden_titles(text: str) -> list[str]:
    return [title for title in ("Concept zonlicht", "Toekomstig zonlicht") if title in text]


def test_published_is_the_one_visibility_rule(three_articles):
    theme, public, draft, future = three_articles
    assert list(Article.objects.published()) == [public]
    later = timezone.now() + timedelta(hours=3)
    assert set(Article.objects.published(now=later)) == {public, future}


def test_hidden_articles_are_not_on_the_list_theme_page_or_home(client, three_articles):
    for path in ("/artikelen/", "/eenzaamheid/", "/"):
        text = text_of(client.get(path))
        assert hidden_titles(text) == [], path
    assert "Zichtbaar zonlicht" in text_of(client.get("/artikelen/"))
    assert "Zichtbaar zonlicht" in text_of(client.get("/eenzaamheid/"))


def test_hidden_articles_have_no_page(client, three_articles):
    assert client.get("/artikelen/zichtbaar/").status_code == 200
    assert client.get("/artikelen/concept/").status_code == 404
    assert client.get("/artikelen/toekomstig/").status_code == 404


def test_hidden_articles_are_not_in_sitemap_feed_or_search(client, three_articles):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/artikelen/zichtbaar/" in sitemap
    assert "/artikelen/concept/" not in sitemap and "/artikelen/toekomstig/" not in sitemap

    feed = client.get("/artikelen/feed/").content.decode()
    assert "Zichtbaar zonlicht" in feed
    assert hidden_titles(feed) == []

    results = text_of(client.get("/zoeken/", {"q": "zonlicht"}))
    assert "Zichtbaar zonlicht" in results
    assert hidden_titles(results) == []


def test_future_article_appears_once_its_time_has_come(client, three_articles):
    *_, future = three_articles
    Article.objects.filter(pk=future.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/artikelen/toekomstig/").status_code == 200
    assert "Toekomstig zonlicht" in text_of(client.get("/eenzaamheid/"))


def test_theme_page_lists_its_articles_newest_first_under_its_heading(client, db):
    theme = make_page(title="Rouw", slug="rouw", kind="theme")
    now = timezone.now()
    make_article(title="Ouder", slug="ouder", themes=[theme], published_at=now - timedelta(days=9))
    make_article(title="Nieuwer", slug="nieuwer", themes=[theme], published_at=now - timedelta(days=1))
    make_article(title="Ander thema", slug="ander")
    text = text_of(client.get("/rouw/"))
    assert "Artikelen over Rouw en therapie" in text
    assert text.index("Nieuwer") < text.index("Ouder")
    assert "Ander thema" not in text


def test_hidden_pages_are_not_in_sitemap_or_search(client, db):
    make_page(title="Geheime zonlichtpagina", slug="geheim", is_published=False, body="zonlicht")
    assert "/geheim/" not in client.get("/sitemap.xml").content.decode()
    assert "Geheime" not in text_of(client.get("/zoeken/", {"q": "zonlicht"}))
