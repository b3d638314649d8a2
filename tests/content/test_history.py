"""Every save of a page, article, practice details and booking rules is kept, and she can go back."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from content.models import Article
from tests.helpers import admin_form_data, login_admin, make_article, text_of


def article_form(client, article) -> dict:
    return admin_form_data(client, reverse("admin:content_article_change", args=[article.pk]), "article_form")


def test_she_sees_what_changed_and_restores_an_earlier_version(client, db):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    article = make_article(slug="versies", title="Eerste titel", body="De eerste tekst.")
    url = reverse("admin:content_article_change", args=[article.pk])
    for title, body in [("Tweede titel", "De tweede tekst."), ("Derde titel", "De derde tekst.")]:
        data = {**article_form(client, article), "title": title, "body": body}
        assert client.post(url, data).status_code == 302
    history = client.get(reverse("admin:content_article_history", args=[article.pk]))
    text = text_of(history)
    assert "Tweede titel" in text and "Derde titel" in text
    versions = Article.history.filter(id=article.pk).order_by("history_date")
    assert [v.title for v in versions] == ["Eerste titel", "Tweede titel", "Derde titel"]
    second = versions[1]
    revert_url = reverse("admin:content_article_simple_history", args=[article.pk, second.history_id])
    assert "Tweede titel" in text_of(client.get(revert_url))
    data = {**article_form(client, article), "title": "Tweede titel", "body": "De tweede tekst."}
    assert client.post(revert_url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Tweede titel" and "tweede tekst" in article.body_html
    assert Article.history.filter(id=article.pk).count() == 4


def test_the_history_reads_as_words_and_dates_not_as_html(client, db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    long_text = "<h2>Kop</h2><p>" + "Een lange alinea over rust. " * 20 + "</p><p>Slot.</p>"
    article = make_article(slug="leesbaar", body=long_text)
    url = reverse("admin:content_article_change", args=[article.pk])
    data = {
        **article_form(client, article),
        "body": long_text.replace("Slot.", "Een nieuw slot."),
        "published_at_0": "30-11-2026",
        "published_at_1": "09:00:00",
    }
    assert client.post(url, data).status_code == 302
    assert article.__class__.objects.get(pk=article.pk).published_at == datetime(
        2026, 11, 30, 9, tzinfo=ZoneInfo("Europe/Amsterdam")
    )
    text = text_of(client.get(reverse("admin:content_article_history", args=[article.pk])))
    assert "…Een lange alinea over rust. Slot. → …Een lange alinea over rust. Een nieuw slot." in text.replace(
        "\xa0", " "
    )
    assert "<p>" not in text and "chars]" not in text
    assert "30 november 2026, 09:00" in text and "+00:00" not in text
    assert "Wat er veranderde" in text and "Changed by" not in text
