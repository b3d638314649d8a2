"""How the public pages grow with the number of articles: the median time and the number of
queries of the theme page, the article list, search, the sitemap and the feed, with 3, 300
and 3,000 articles. In-process (Django's test client, DEBUG off), on a throwaway test
database: SQLite by default, PostgreSQL when DATABASE_URL points there.

    python benchmarks/growth.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python benchmarks/growth.py
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (3, 300, 3000)
PATHS = {
    "theme page": "/hechtingsproblematiek/",
    "article list": "/artikelen/",
    # Every generated article holds both words: the worst case, all of them ranked.
    "search, all match": "/zoeken/?q=vertrouwen+relatie",
    "search, one match": "/zoeken/?q=parentificatie",
    "sitemap (cached)": "/sitemap.xml",
    "sitemap, built": "/sitemap.xml",
    "feed": "/artikelen/feed/",
}
PARAGRAPH = (
    "<p>Wie vroeg heeft geleerd dat nabijheid niet veilig is, voelt later spanning als iemand "
    "dichtbij komt. Vertrouwen groeit langzaam, in een relatie waarin je gezien wordt.</p>"
)


def grow_to(count: int) -> None:
    from content.markup import plain_text
    from content.models import Article, Page

    theme = Page.objects.get(slug="hechtingsproblematiek")
    have = Article.objects.count()
    now = timezone.now()
    body = PARAGRAPH * 40  # about 1,000 words
    new = [
        Article(
            title=f"Artikel {number}",
            slug=f"artikel-{number}",
            summary="Over nabijheid en vertrouwen.",
            body=body,
            body_html=body,
            body_text=plain_text(body),
            reading_minutes=5,
            is_published=True,
            published_at=now - timedelta(hours=number),
        )
        for number in range(have, count)
    ]
    created = Article.objects.bulk_create(new, batch_size=500)
    Article.themes.through.objects.bulk_create(
        [Article.themes.through(article_id=a.pk, page_id=theme.pk) for a in created], batch_size=1000
    )
    if connection.vendor == "postgresql":
        Article.objects.filter(search_vector__isnull=True).update(search_vector=Article.search_document())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE content_article")


def measure(client: Client, path: str, *, fresh: bool = False, repeat: int = 15) -> tuple[float, int]:
    client.get(path)  # warm
    timings = []
    for _ in range(repeat):
        if fresh:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings) * 1000, len(queries)


def main() -> None:
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_initial_content", verbosity=0)
        client = Client()
        database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
        print(f"{database}: median ms (queries) per page, DEBUG off, in-process")
        print(f"{'articles':>9}  " + "  ".join(f"{label:>18}" for label in PATHS))
        worst = 0.0
        for size in SIZES:
            grow_to(size)
            cells = []
            for label, path in PATHS.items():
                millis, queries = measure(client, path, fresh=label.endswith("built"))
                if size == SIZES[-1] and not label.endswith("built"):
                    worst = max(worst, millis)
                cells.append(f"{millis:8.1f} ms ({queries:2d})")
            print(f"{size:>9}  " + "  ".join(f"{cell:>18}" for cell in cells))
        print(f"slowest at {SIZES[-1]:,} articles: {worst:.1f} ms (goal: under 50 ms; the sitemap is cached 5 minutes)")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
