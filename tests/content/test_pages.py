import json

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from content.models import Article, Page, PracticeDetails
from tests.helpers import make_article, make_page, soup, text_of


def public_paths() -> list[str]:
    paths = [p.get_absolute_url() for p in Page.objects.published()]
    paths += [a.get_absolute_url() for a in Article.objects.published()]
    paths += [
        reverse("content:article_list"),
        reverse("content:search"),
        reverse("content:search") + "?q=hechting",
        reverse("booking:start"),
    ]
    return paths


def test_every_public_page_has_one_h1_and_its_meta_tags(client, site_content):
    paths = public_paths()
    assert len(paths) >= 20
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        page = soup(response)
        assert len(page.find_all("h1")) == 1, path
        assert page.title.string.strip(), path
        assert page.find("meta", attrs={"name": "description"})["content"].strip(), path
        assert page.find("link", rel="canonical")["href"].startswith(settings.SITE_URL), path
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name", "og:locale"):
            assert page.find("meta", property=prop)["content"].strip(), (path, prop)
        assert page.html["lang"] == "nl"


def test_every_public_page_shows_practice_details_crisis_note_and_invitation(client, site_content):
    practice = PracticeDetails.load()
    for path in public_paths():
        text = text_of(client.get(path))
        assert practice.practice_name in text, path
        assert f"KvK {practice.kvk_number}" in text, path
        assert "112" in text and "0800-0113" in text and "huisartsenpost" in text, path
    for path in public_paths():
        if path == reverse("booking:start"):
            continue
        links = soup(client.get(path)).find_all("a", href=reverse("booking:start"))
        assert any("kennismaking" in a.get_text().lower() for a in links), path


def test_inner_pages_have_breadcrumbs_home_does_not(client, site_content):
    assert soup(client.get("/")).find("nav", attrs={"aria-label": "Kruimelpad"}) is None
    crumbs = soup(client.get("/artikelen/bang-om-verlaten-te-worden/")).find("nav", attrs={"aria-label": "Kruimelpad"})
    labels = [li.get_text(strip=True) for li in crumbs.find_all("li")]
    assert labels == ["Home", "Artikelen", "Bang om verlaten te worden: wat er onder die onrust zit"]
    theme_crumbs = soup(client.get("/hechtingsproblematiek/")).find("nav", attrs={"aria-label": "Kruimelpad"})
    assert [li.get_text(strip=True) for li in theme_crumbs.find_all("li")] == [
        "Home",
        "Hechtingsproblematiek",
    ]


def json_ld_types(response) -> list[str]:
    blocks = soup(response).find_all("script", type="application/ld+json")
    return [json.loads(block.string)["@type"] for block in blocks]


def test_structured_data_describes_practice_pages_and_articles(client, site_content):
    assert json_ld_types(client.get("/")) == ["MedicalBusiness"]
    assert json_ld_types(client.get("/hechtingsproblematiek/")) == ["MedicalBusiness", "MedicalWebPage"]
    assert json_ld_types(client.get("/emdr-therapie/")) == ["MedicalBusiness", "MedicalWebPage"]
    assert json_ld_types(client.get("/contact/")) == ["MedicalBusiness", "WebPage"]
    response = client.get("/artikelen/bang-om-verlaten-te-worden/")
    assert json_ld_types(response) == ["MedicalBusiness", "Article"]
    article = json.loads(soup(response).find_all("script", type="application/ld+json")[1].string)
    assert article["author"]["name"] == PracticeDetails.load().therapist_name
    assert article["datePublished"].startswith("2026-10-06")


def test_structured_data_cannot_break_out_of_its_script_element(client, site_content):
    make_article(title="</script><script>alert(1)</script>", slug="lastig")
    response = client.get("/artikelen/lastig/")
    assert b"</script><script>alert(1)" not in response.content
    assert "Article" in json_ld_types(response)


def test_home_page_is_served_at_root_and_its_slug_redirects(client, site_content):
    response = client.get("/")
    assert soup(response).h1.get_text(strip=True) == Page.objects.get(kind="home").title
    redirect = client.get("/home/")
    assert redirect.status_code == 301 and redirect["Location"] == "/"


def test_home_page_keeps_its_slug_when_edited(site_content):
    Page.objects.get(kind="home").full_clean()


def test_hidden_page_is_not_found(client, db):
    make_page(slug="verborgen", is_published=False)
    assert client.get("/verborgen/").status_code == 404


def test_page_slug_may_not_take_a_path_of_the_site(db):
    from django.core.exceptions import ValidationError

    page = Page(title="Artikelen", slug="artikelen", meta_description="x", body="x")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "slug" in error.value.message_dict


def test_article_shows_author_dates_reading_time_and_links_back_to_its_themes(client, site_content):
    article = Article.objects.get(slug="veiligheid-leren-in-een-relatie")
    page = soup(client.get(article.get_absolute_url()))
    meta = page.find("p", class_="meta").get_text(" ", strip=True)
    assert PracticeDetails.load().therapist_name in meta
    assert "3 november 2026" in meta
    assert f"{article.reading_minutes} min lezen" in meta
    assert article.reading_minutes >= 2
    assert page.find("a", href="/hechtingsproblematiek/", string="Hechtingsproblematiek")


def test_article_shows_an_update_only_when_its_text_changed_after_publication(client, db, clock):
    from datetime import timedelta

    from django.utils import timezone

    article = make_article(published_at=timezone.now() - timedelta(days=30))
    # Saved again without a change (a load, a re-save in the admin): no update date.
    clock.shift(timedelta(days=2))
    article.save()
    assert "Bijgewerkt op" not in text_of(client.get(article.get_absolute_url()))

    article.body = "<p>Een betere tekst.</p>"
    article.save()
    text = text_of(client.get(article.get_absolute_url()))
    assert "Bijgewerkt op 25 november 2026" in text


def test_article_list_is_paginated_newest_first(client, db):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for number in range(12):
        make_article(title=f"Artikel {number}", slug=f"artikel-{number}", published_at=now - timedelta(days=number))
    first = soup(client.get("/artikelen/"))
    titles = [h3.get_text(strip=True) for h3 in first.select(".card .card-title")]
    assert titles[:2] == ["Artikel 0", "Artikel 1"] and len(titles) == 10
    second = soup(client.get("/artikelen/?pagina=2"))
    assert [h3.get_text(strip=True) for h3 in second.select(".card .card-title")] == ["Artikel 10", "Artikel 11"]
    assert second.find("link", rel="canonical")["href"].endswith("/artikelen/?pagina=2")
    # A page number that makes no sense shows the nearest real page, not an error.
    assert client.get("/artikelen/?pagina=999").status_code == 200
    assert client.get("/artikelen/?pagina=abc").status_code == 200


def test_not_found_page_is_dutch_and_in_the_site_look(client, site_content):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Deze pagina is er niet"
    assert page.find("link", rel="stylesheet")
    assert PracticeDetails.load().practice_name in page.get_text()


def test_server_error_page_is_dutch_and_needs_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Er ging iets mis"
    assert page.find("link", rel="stylesheet")


def test_placeholders_are_filled_from_practice_details_and_escaped(client, site_content):
    practice = PracticeDetails.load()
    practice.complaints_officer = "Mr. <b>Veilig</b> & Co\nTelefoon 0123"
    practice.save()
    response = client.get("/klachtenregeling/")
    body = response.content.decode()
    assert "Mr. &lt;b&gt;Veilig&lt;/b&gt; &amp; Co<br>Telefoon 0123" in body
    assert "[[" not in text_of(response)
    contact = text_of(client.get("/contact/"))
    assert practice.phone in contact and practice.email in contact and practice.street in contact


def test_no_visible_placeholder_or_unfinished_text_anywhere(client, site_content):
    for path in public_paths():
        text = text_of(client.get(path))
        for marker in ("[[", "TODO", "lorem", "ipsum", "FIXME"):
            assert marker.lower() not in text.lower(), (path, marker)


def test_search_form_keeps_query_and_handles_odd_input(client, site_content):
    response = client.get("/zoeken/", {"q": "  nabijheid   "})
    assert soup(response).find("input", attrs={"name": "q"})["value"] == "nabijheid"
    for odd in ["", " ", "x" * 5000, "'; DROP TABLE content_page; --", "<script>", "a & | ! :*", "\x00"]:
        assert client.get("/zoeken/", {"q": odd}).status_code == 200, odd


def test_expired_form_gets_a_dutch_page_not_a_technical_one(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "Het formulier is verlopen"


def test_the_waiting_time_shows_on_home_fees_and_booking_start_with_its_date(client, db):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from content.initial_content import load_initial_content
    from content.models import PracticeDetails
    from tests.helpers import admin_form_data, login_admin

    load_initial_content()
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    practice = PracticeDetails.objects.get()
    url = reverse("admin:content_practicedetails_change", args=[practice.pk])
    data = admin_form_data(client, url, "practicedetails_form")
    data["waiting_time"] = "Op dit moment is er een wachttijd van ongeveer vier weken."
    assert client.post(url, data).status_code == 302
    client.logout()
    for path in ["/", "/werkwijze-en-tarieven/", "/kennismaking/"]:
        text = text_of(client.get(path))
        assert "Wachttijd: Op dit moment is er een wachttijd van ongeveer vier weken." in text, path
        assert "bijgewerkt op 23 november 2026" in text, path
    assert "Wachttijd" not in text_of(client.get("/over-mij/"))
