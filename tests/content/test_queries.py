"""The number of queries a page needs does not grow with the number of articles."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import Page
from tests.helpers import make_article

PATHS = [
    "/",
    "/hechtingsproblematiek/",
    "/artikelen/",
    "/artikelen/feed/",
    "/sitemap.xml",
    "/zoeken/?q=hechting",
]


def add_articles(count: int, offset: int) -> None:
    theme = Page.objects.get(slug="hechtingsproblematiek")
    for number in range(offset, offset + count):
        make_article(
            title=f"Over hechting {number}",
            slug=f"over-hechting-{number}",
            themes=[theme],
            published_at=timezone.now() - timedelta(days=number + 1),
        )


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", PATHS)
def test_queries_stay_constant_as_articles_grow(client, site_content, path, django_assert_max_num_queries):
    add_articles(2, offset=0)
    few = queries_for(client, path)
    add_articles(40, offset=2)
    with django_assert_max_num_queries(few):
        client.get(path)
    assert few <= 6, f"{path} needs {few} queries"


def test_article_page_needs_few_queries(client, site_content, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert client.get("/artikelen/bang-om-verlaten-te-worden/").status_code == 200
