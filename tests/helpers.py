"""Plain helpers to make objects and read pages in tests."""

from datetime import datetime, timedelta

from bs4 import BeautifulSoup
from django.utils import timezone

from content.models import Article, Page


def make_page(**fields) -> Page:
    defaults = {
        "title": "Een pagina",
        "slug": "een-pagina",
        "kind": Page.Kind.INFO,
        "meta_description": "Over deze pagina.",
        "body": "<p>Tekst van de pagina.</p>",
    }
    return Page.objects.create(**{**defaults, **fields})


def make_article(*, themes=(), published_at: datetime | None = None, **fields) -> Article:
    defaults = {
        "title": "Een artikel",
        "slug": "een-artikel",
        "summary": "Waar het artikel over gaat.",
        "body": "<p>De tekst van het artikel.</p>",
        "is_published": True,
        "published_at": published_at or timezone.now() - timedelta(days=1),
    }
    article = Article.objects.create(**{**defaults, **fields})
    article.themes.set(themes)
    return article


SOFT_HYPHEN = "\u00ad"


def soup(response) -> BeautifulSoup:
    """The page as read: soft hyphens (invisible until a word breaks) left out."""
    return BeautifulSoup(response.content.decode().replace(SOFT_HYPHEN, ""), "html.parser")


def text_of(response) -> str:
    return " ".join(soup(response).get_text(" ").split())


def login_admin(client, user) -> None:
    """Logs a staff member in with both steps done: password and authenticator code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def admin_form_data(client, url: str, form_id: str) -> dict:
    """What an admin form would send back unchanged: its fields with their current values."""
    form = soup(client.get(url)).find("form", id=form_id)
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = [option["value"] for option in field.find_all("option") if option.has_attr("selected")]
            if chosen:
                data[name] = chosen if field.has_attr("multiple") else chosen[0]
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    return data
