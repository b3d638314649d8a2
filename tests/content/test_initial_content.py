import re
from pathlib import Path

import pytest
from django.core.management import call_command

from content.initial_content import load_initial_content
from content.models import Article, Page, PracticeDetails
from tests.helpers import soup, text_of

# The practice's own text, as delivered in ../shared/seed/; a copy lives with the tests so
# that they run in any clone. A test below keeps the copy identical where the original is.
SEED = Path(__file__).resolve().parent / "fixtures" / "hechtingsproblematiek.txt"
SHARED_SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "hechtingsproblematiek.txt"
METHOD_SLUGS = [
    "psychosociale-therapie",
    "systemische-therapie",
    "innerlijk-kind-werk",
    "emdr-therapie",
    "act-therapie",
    "nei-therapie",
]
FIXED_SLUGS = [
    "over-mij",
    "werkwijze-en-tarieven",
    "contact",
    "privacyverklaring",
    "klachtenregeling",
    "algemene-voorwaarden",
]


def snapshot() -> list[tuple]:
    return sorted(Page.objects.values_list("slug", "title", "body", "updated_at")) + sorted(
        Article.objects.values_list("slug", "title", "body", "updated_at")
    )


def test_loads_every_page_the_practice_needs(db):
    call_command("load_initial_content")
    slugs = set(Page.objects.values_list("slug", flat=True))
    assert {"hechtingsproblematiek", *METHOD_SLUGS, *FIXED_SLUGS} <= slugs
    assert Page.objects.filter(kind="home").count() == 1
    assert Article.objects.published().filter(themes__slug="hechtingsproblematiek").count() >= 3
    assert PracticeDetails.objects.count() == 1


def test_loading_twice_changes_nothing(db):
    load_initial_content()
    before = snapshot()
    report = load_initial_content()
    assert report.created == []
    assert snapshot() == before


def test_loading_never_overwrites_what_the_therapist_edited(db):
    load_initial_content()
    page = Page.objects.get(slug="hechtingsproblematiek")
    page.body = "Mijn eigen tekst."
    page.save()
    practice = PracticeDetails.load()
    practice.phone = "06 12345678"
    practice.save()
    home = Page.objects.get(kind="home")
    home.slug = "welkom"
    home.save()
    Article.objects.filter(slug="bang-om-verlaten-te-worden").update(is_published=False)

    load_initial_content()

    assert Page.objects.get(slug="hechtingsproblematiek").body == "Mijn eigen tekst."
    assert PracticeDetails.objects.get().phone == "06 12345678"
    assert Page.objects.filter(kind="home").count() == 1
    assert not Article.objects.get(slug="bang-om-verlaten-te-worden").is_published


def test_the_fixture_is_the_practices_text():
    if not SHARED_SEED.exists():
        pytest.skip(f"the delivered seed is not beside this clone ({SHARED_SEED}); the fixture copy is used")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def seed_lines() -> list[str]:
    lines = [" ".join(line.replace("•", "").split()) for line in SEED.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def test_theme_page_carries_the_practice_text_faithfully(client, site_content):
    response = client.get("/hechtingsproblematiek/")
    text = text_of(response)
    lines = seed_lines()
    assert lines[0] == "HECHTINGSPROBLEMATIEK"
    assert soup(response).h1.get_text(strip=True) == "Hechtingsproblematiek"
    position = 0
    for line in lines[1:]:
        if line == "Mogelijke gevolgen:":
            # The seed has no items under this label; the section is told by its paragraphs.
            continue
        found = text.lower().find(line.lower(), position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)


def test_theme_page_has_no_empty_list_and_links_each_therapy(client, site_content):
    page = soup(client.get("/hechtingsproblematiek/"))
    for listing in page.find_all(["ul", "ol"]):
        assert listing.find("li"), "an empty list is shown"
    assert "Mogelijke gevolgen" not in page.get_text()
    article = page.find("article")
    for slug in METHOD_SLUGS:
        assert article.find("a", href=f"/{slug}/"), slug


def test_theme_page_ends_with_the_invitation_and_then_its_articles(client, site_content):
    response = client.get("/hechtingsproblematiek/")
    main = " ".join(soup(response).main.get_text(" ").split())
    invitation_at = main.index("Plan een gratis kennismaking")
    articles_at = main.index("Artikelen over Hechtingsproblematiek en therapie")
    assert invitation_at < articles_at
    assert "Wil je ontdekken hoe jouw hechtingspatronen zijn ontstaan" in main[invitation_at:articles_at]
    titles = [a.get_text(strip=True) for a in soup(response).select(".related .card h3 a")]
    assert len(titles) >= 3
    assert titles[0] == "Hoe therapie helpt bij hechtingsproblemen: veiligheid leren in een relatie"


def test_every_internal_link_in_the_initial_content_leads_somewhere(client, site_content):
    targets = set()
    for item in [*Page.objects.all(), *Article.objects.all()]:
        targets |= set(re.findall(r'href="(/[^"]*)"', item.body_html))
    assert targets
    for target in sorted(targets):
        assert client.get(target).status_code == 200, target


def test_demo_practice_details_are_clearly_fictional(db):
    load_initial_content()
    practice = PracticeDetails.load()
    assert practice.email.endswith(".example")
    assert "voorbeeld" in practice.kvk_number.lower()
    assert "Voorbeeld" in practice.city
