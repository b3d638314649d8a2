from django.db import connection

from tests.helpers import make_article, make_page, soup


def result_titles(client, query: str) -> list[str]:
    page = soup(client.get("/zoeken/", {"q": query}))
    return [a.get_text(strip=True) for a in page.select("ol.results li > a")]


def test_finds_a_word_from_a_page(client, site_content):
    # 'parentificatie' only occurs in the attachment page's text.
    assert result_titles(client, "parentificatie") == ["Hechtingsproblematiek"]


def test_finds_a_word_from_an_article(client, site_content):
    titles = result_titles(client, "appje")
    assert titles == ["Bang om verlaten te worden: wat er onder die onrust zit"]


def test_every_word_must_match_and_title_words_count(client, db):
    make_page(title="Rouw en verlies", slug="rouw", body="Over afscheid nemen.")
    make_article(title="Slapen", slug="slapen", body="Over rust en afscheid.")
    assert result_titles(client, "rouw") == ["Rouw en verlies"]
    assert set(result_titles(client, "afscheid")) == {"Rouw en verlies", "Slapen"}
    assert result_titles(client, "afscheid slapen") == ["Slapen"]


def test_nothing_found_says_so_kindly(client, site_content):
    page = soup(client.get("/zoeken/", {"q": "xylofoonzeehond"}))
    assert "Niets gevonden voor ‘xylofoonzeehond’" in page.get_text()
    assert page.find("a", href="/kennismaking/")


def test_dutch_stemming_on_postgresql(client, db):
    make_article(title="Relaties", slug="relaties", body="Over vertrouwen in een relatie.")
    if connection.vendor != "postgresql":
        # SQLite matches substrings: 'relatie' is inside 'relaties' either way.
        assert result_titles(client, "relatie") == ["Relaties"]
        return
    # PostgreSQL's Dutch configuration finds the plural from the singular and back.
    assert result_titles(client, "relaties vertrouwen") == ["Relaties"]
    assert result_titles(client, "relatie") == ["Relaties"]


def test_a_changed_text_is_found_by_its_new_words_and_never_by_its_markup(client, db):
    article = make_article(title="Slapen", slug="slapen", body="<p><strong>Rust</strong> vinden.</p>")
    assert result_titles(client, "rust") == ["Slapen"]
    article.body = '<p>Een <a href="/contact/">wandeling</a> helpt.</p>'
    article.save()
    assert result_titles(client, "wandeling") == ["Slapen"]
    assert result_titles(client, "rust") == []
    # Tag and attribute names are markup, not words, on either database.
    assert result_titles(client, "strong") == [] and result_titles(client, "href") == []
    assert result_titles(client, "contact") == []


def test_postgresql_searches_the_stored_document_through_its_index(db):
    import pytest

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no full-text index; it matches words")
    from content.models import Article
    from content.search import _postgres

    make_article(title="Slapen", slug="slapen", body="<p>Over rust.</p>")
    query = _postgres(Article.objects.all(), "rust", ("title", "summary", "body"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "content_article_search" in plan and "to_tsvector" not in plan, plan
