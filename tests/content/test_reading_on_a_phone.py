"""What a phone needs from the server: hyphenated Dutch headings, tables that can stack,
each thing said once, headings in order."""

from content.body import label_tables
from content.hyphenation import SOFT_HYPHEN, hyphenate, hyphenate_headings
from content.initial_content import load_initial_content
from tests.helpers import make_article, make_page, soup


def test_long_dutch_words_get_soft_hyphens_where_dutch_breaks_them():
    assert hyphenate("Hechtingsproblematiek") == SOFT_HYPHEN.join(["Hech", "tings", "pro", "ble", "ma", "tiek"])
    assert hyphenate("Rust en vrede") == "Rust en vrede", "short words stay whole"
    assert hyphenate("ACT-therapie 2026") == "ACT-therapie 2026"


def test_only_the_text_of_headings_is_hyphenated_never_tags_or_paragraphs():
    html = '<h2>Kennismakingsgesprek</h2><p>Kennismakingsgesprek</p><h3><a href="/hechtingsproblematiek/">x</a></h3>'
    result = hyphenate_headings(html)
    assert result.startswith("<h2>Ken\u00adnis")
    assert "<p>Kennismakingsgesprek</p>" in result
    assert 'href="/hechtingsproblematiek/"' in result


def test_titles_and_body_headings_are_hyphenated_on_the_page(client, db):
    load_initial_content()
    html = client.get("/hechtingsproblematiek/").content.decode()
    assert f"<h1>Hech{SOFT_HYPHEN}tings" in html
    make_page(slug="lang", title="Kort", body="<h2>Onzekerheidsgevoelens</h2><p>Onzekerheidsgevoelens</p>")
    html = client.get("/lang/").content.decode()
    assert f"<h2>On{SOFT_HYPHEN}" in html and "<p>Onzekerheidsgevoelens</p>" in html
    # The page's <title> and description stay as written.
    assert "<title>Kort" in html


def test_a_table_labels_each_cell_with_its_column():
    html = label_tables(
        "<table><tbody><tr><th><p>Wat</p></th><th>Tarief</th></tr>"
        "<tr><td><p>Sessie</p></td><td>€ 95</td></tr></tbody></table>"
    )
    page = soup(type("R", (), {"content": html.encode()}))
    assert page.find("div", class_="table-wrap").table
    assert [td["data-label"] for td in page.find_all("td")] == ["Wat", "Tarief"]
    assert label_tables("<p>geen tabel</p>") == "<p>geen tabel</p>"


def test_the_fees_table_is_labelled_for_phones(client, db):
    load_initial_content()
    page = soup(client.get("/werkwijze-en-tarieven/"))
    cells = page.select(".table-wrap td[data-label='Tarief']")
    assert cells and "€" in " ".join(cell.get_text() for cell in cells)


def test_the_crisis_text_does_not_repeat_its_heading(client, db):
    load_initial_content()
    footer = soup(client.get("/")).find("footer")
    crisis = footer.find("section", class_="crisis")
    assert crisis.h2.get_text() == "Bij acute nood"
    assert "Bij acute nood" not in crisis.p.get_text() and "112" in crisis.p.get_text()


def test_headings_never_skip_a_level(client, db):
    load_initial_content()
    for path in ["/", "/artikelen/", "/hechtingsproblematiek/", "/werkwijze-en-tarieven/", "/kennismaking/"]:
        levels = [int(tag.name[1]) for tag in soup(client.get(path)).find_all(["h1", "h2", "h3", "h4"])]
        assert levels[0] == 1, path
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{path}: h{before} then h{after}"


def test_a_theme_page_shows_its_newest_six_and_links_to_the_rest(client, db):
    from datetime import timedelta

    from django.utils import timezone

    theme = make_page(slug="rouw", title="Rouw", kind="theme")
    for number in range(8):
        make_article(
            slug=f"rouw-{number}",
            title=f"Rouw {number}",
            themes=[theme],
            published_at=timezone.now() - timedelta(days=number + 1),
        )
    page = soup(client.get("/rouw/"))
    titles = [a.get_text() for a in page.select(".related .card-title a")]
    assert titles == [f"Rouw {n}" for n in range(6)]
    more = page.find("a", string="Alle artikelen over Rouw")
    listing = soup(client.get(more["href"]))
    assert listing.h1.get_text() == "Artikelen over Rouw"
    assert len(listing.select(".card")) == 8
