"""The therapist's workplace: every admin page for the content loads and saves."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from content.models import Article, Page, PracticeDetails
from tests.helpers import login_admin, soup


@pytest.fixture
def therapist(db):
    return get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")


@pytest.fixture
def admin_client(client, therapist):
    login_admin(client, therapist)
    return client


@pytest.mark.parametrize("model", [Page, Article])
def test_list_add_and_change_pages_load(admin_client, site_content, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    first = model.objects.first()
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    assert change.status_code == 200


def test_practice_details_open_straight_in_their_form(admin_client, site_content):
    details = PracticeDetails.load()
    response = admin_client.get(reverse("admin:content_practicedetails_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:content_practicedetails_change", args=[details.pk])
    assert admin_client.get(response["Location"]).status_code == 200
    # There is one practice: no second record and no delete.
    assert admin_client.get(reverse("admin:content_practicedetails_add")).status_code == 403


def test_practice_details_add_form_when_none_exist(admin_client):
    response = admin_client.get(reverse("admin:content_practicedetails_changelist"))
    assert response["Location"] == reverse("admin:content_practicedetails_add")
    assert admin_client.get(response["Location"]).status_code == 200


def test_every_admin_field_has_a_dutch_label_and_help(site_content):
    for model in (Page, Article, PracticeDetails):
        for field in model._meta.get_fields():
            if not getattr(field, "editable", False) or field.auto_created or field.name == "id":
                continue
            assert field.verbose_name != field.name.replace("_", " "), (model, field.name)
            if field.name not in {
                "title",
                "practice_name",
                "therapist_name",
                "street",
                "postal_code",
                "city",
                "phone",
                "email",
            }:
                assert field.help_text, (model, field.name)


def test_therapist_writes_an_article_that_appears_on_the_theme_page(admin_client, site_content, client):
    theme = Page.objects.get(slug="hechtingsproblematiek")
    response = admin_client.post(
        reverse("admin:content_article_add"),
        {
            "title": "Nieuw stuk",
            "summary": "Kort.",
            "body": '<h2>Tussenkop</h2><p>Tekst <img src="https://elders.example/x.png" onerror="x()">.</p>',
            "is_published": "on",
            "published_at_0": "01-01-2026",
            "published_at_1": "09:00:00",
            "author": "",
            "themes": [theme.pk],
            "slug": "nieuw-stuk",
        },
    )
    assert response.status_code == 302, soup(response).select(".errorlist")
    article = Article.objects.get(slug="nieuw-stuk")
    assert article.body_html.startswith("<h2>Tussenkop</h2><p>Tekst ")
    assert "elders.example" not in article.body and "onerror" not in article.body, "stored sanitized too"
    assert not soup(client.get("/artikelen/nieuw-stuk/")).find("article").find("img")
    assert "Nieuw stuk" in client.get("/hechtingsproblematiek/").content.decode()


def test_admin_refuses_a_reserved_web_address_with_a_dutch_message(admin_client, db):
    response = admin_client.post(
        reverse("admin:content_page_add"),
        {
            "title": "Zoeken",
            "lead": "",
            "body": "x",
            "cta_text": "",
            "slug": "zoeken",
            "kind": "info",
            "meta_description": "x",
            "navigation_order": 50,
            "is_published": "on",
        },
    )
    assert response.status_code == 200
    assert "Dit webadres is al in gebruik door de website zelf" in response.content.decode()
    assert not Page.objects.filter(slug="zoeken").exists()


def test_articles_admin_shows_status_at_a_glance(admin_client, site_content):
    page = soup(admin_client.get(reverse("admin:content_article_changelist")))
    assert "Op de website" in page.get_text()


def test_dev_admin_is_created_once_and_only_in_development(db, settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("ensure_dev_admin")
    settings.DEBUG = True
    call_command("ensure_dev_admin")
    first = capsys.readouterr().out
    assert "gebruikersnaam: admin" in first and "wachtwoord:" in first
    password = first.split("wachtwoord:")[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    call_command("ensure_dev_admin")
    second = capsys.readouterr().out
    assert "bestaat al" in second and password not in second
    assert get_user_model().objects.count() == 1
