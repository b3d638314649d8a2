"""Site search over pages and articles.

PostgreSQL ranks with its Dutch full-text configuration (so 'relaties' finds
'relatie'); SQLite, the newcomer's database, falls back to matching every
word somewhere in the title, description or text.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from .models import Article, Page

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 20


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    summary: str
    label: str
    rank: float


def _postgres(qs: QuerySet, query: str, fields: tuple[str, str, str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    search_query = SearchQuery(query, config="dutch", search_type="websearch")
    # The stored document (kept up to date on save) is matched through its GIN index:
    # every word must occur; then ranked by where it occurs (title, description, text).
    return (
        qs.filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank")
    )


def _simple(qs: QuerySet, query: str, fields: tuple[str, str, str]) -> QuerySet:
    for word in query.split()[:10]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        qs = qs.filter(condition)
    return qs


def clean_query(raw: str) -> str:
    """Printable text only (PostgreSQL refuses NUL), whitespace folded, length capped."""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search(query: str) -> list[SearchResult]:
    query = clean_query(query)
    if not query:
        return []
    matcher = _postgres if connection.vendor == "postgresql" else _simple
    pages = matcher(Page.objects.published(), query, ("title", "meta_description", "body_text"))
    articles = matcher(Article.objects.published(), query, ("title", "summary", "body_text"))

    results = [
        SearchResult(p.title, p.get_absolute_url(), p.meta_description, _("Pagina"), getattr(p, "rank", 1.0))
        for p in pages.only("title", "slug", "kind", "meta_description")[:MAX_RESULTS]
    ] + [
        SearchResult(a.title, a.get_absolute_url(), a.summary, _("Artikel"), getattr(a, "rank", 1.0))
        for a in articles.only("title", "slug", "summary")[:MAX_RESULTS]
    ]
    # Stable sort: equal ranks (always so on SQLite) keep pages before articles.
    results.sort(key=lambda r: -r.rank)
    return results[:MAX_RESULTS]
