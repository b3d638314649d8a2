import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from content import body, pictures
from content.hyphenation import hyphenate as hyphenate_text
from content.markup import link_contacts, tel_href
from content.structured_data import practice_data

register = template.Library()

# Keeps data from closing the <script> element or opening a comment in it.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict) -> str:
    if not data:
        return ""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308 - escaped above


@register.simple_tag
def practice_json_ld(practice) -> str:
    return json_ld(practice_data(practice))


@register.filter
def with_practice_details(rendered: str, practice) -> str:
    """For stored, already sanitized body HTML: as visitors get it (content.body)."""
    # Sanitized when saved; every later step adds only escaped values or our own markup.
    return mark_safe(body.present(rendered, practice))  # noqa: S308


@register.filter(needs_autoescape=True)
def contact_links(text, autoescape: bool = True) -> str:
    """A short text (a lead, a summary, the crisis text) with its email addresses and phone
    numbers as links, as in a page's body (content.markup.link_contacts)."""
    escaped = conditional_escape(text) if autoescape else str(text)
    return mark_safe(link_contacts(escaped))  # noqa: S308 - escaped above; only our own links added


@register.filter(is_safe=True)
def hyphenate(text) -> str:
    """Soft hyphens in the long words of a heading, so phones break them where Dutch does."""
    return hyphenate_text(str(text))


@register.simple_tag
def picture(image, sizes: str = pictures.BODY_SIZES, lazy: bool = True) -> str:
    """An uploaded image as a responsive <picture>; nothing when there is none."""
    if image is None:
        return ""
    return mark_safe(pictures.picture(image, sizes=sizes, lazy=lazy))  # noqa: S308 - our own template


@register.simple_tag
def phone_link(practice) -> str:
    """The practice's phone number as a link a phone can call."""
    if not practice or not practice.phone:
        return ""
    return format_html('<a href="{}">{}</a>', tel_href(practice.phone), practice.phone)


@register.simple_tag
def email_link(practice) -> str:
    if not practice or not practice.email:
        return ""
    return format_html('<a href="mailto:{}">{}</a>', practice.email, practice.email)
