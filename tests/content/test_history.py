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
