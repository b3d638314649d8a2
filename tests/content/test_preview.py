"""'Bekijk voorbeeld': drafts and scheduled articles exactly as they will appear, for staff only."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from content.initial_content import load_initial_content
from tests.helpers import login_admin, make_article, make_page, soup


def test_a_scheduled_article_and_a_draft_page_can_be_previewed_by_staff_only(client, db):
    load_initial_content()
    article = make_article(slug="straks", title="Straks online", published_at=timezone.now() + timedelta(days=3))
    page = make_page(slug="concept", title="Concept", is_published=False)
    article_preview = reverse("admin:content_article_preview", args=[article.pk])
    page_preview = reverse("admin:content_page_preview", args=[page.pk])
    assert client.get("/artikelen/straks/").status_code == 404
    for url in (article_preview, page_preview):
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]

    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    form = soup(client.get(reverse("admin:content_article_change", args=[article.pk])))
    assert form.find("a", string="Bekijk voorbeeld")["href"] == article_preview
    response = client.get(article_preview)
    page_html = soup(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert page_html.find(class_="preview-band").get_text() == "Voorbeeld — nog niet gepubliceerd"
    assert page_html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page_html.h1.get_text(strip=True) == "Straks online"
    assert "Concept" in soup(client.get(page_preview)).h1.get_text()
    published = make_article(slug="al-online", title="Al online")
    band = soup(client.get(reverse("admin:content_article_preview", args=[published.pk]))).find(class_="preview-band")
    assert band.get_text() == "Voorbeeld — zo staat het nu online"
    assert soup(client.get("/artikelen/al-online/")).find(class_="preview-band") is None
