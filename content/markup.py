"""Turns what the therapist writes (Markdown) into HTML that is safe to show.

Whatever is typed in the admin passes through here: Markdown first, then an
allow-list sanitizer, so no script, event handler or javascript: link can
ever reach a visitor, even if the admin account were misused.
"""

import html as html_lib
import re
from collections.abc import Callable

import markdown
import nh3

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
    "abbr",
    "sub",
    "sup",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# The page title is the only <h1>; headings in a body start one level lower.
_H1 = re.compile(r"<(/?)h1(\s|>)", re.IGNORECASE)


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    html = _H1.sub(r"<\1h2\2", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )


def plain_text(markup: str) -> str:
    """Text without tags, for search snippets and word counts."""
    return " ".join(html_lib.unescape(nh3.clean(markup or "", tags=set())).split())


# Practice details the therapist can drop into any text as [[name]], so that an
# address or complaints officer changed once in the practice details is right
# on every page.
PLACEHOLDERS = {
    "praktijknaam": "practice_name",
    "therapeut": "therapist_name",
    "telefoon": "phone",
    "email": "email",
    "kvk": "kvk_number",
    "agb": "agb_code",
    "registraties": "registrations",
    "klachtenfunctionaris": "complaints_officer",
    "geschilleninstantie": "disputes_body",
}
# Values other apps offer, by name; looked up only when a text uses them. The booking app
# adds its retention period here, so the privacy statement states what the site does.
EXTRA_PLACEHOLDERS: dict[str, Callable[[], object]] = {}
_PLACEHOLDER = re.compile(r"\[\[\s*([a-z]+)\s*\]\]")


def fill_placeholders(rendered: str, practice) -> str:
    """Replaces [[name]] in sanitized HTML with the escaped practice detail."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "adres":
            if not practice:
                return ""
            text = f"{practice.street}, {practice.postal_code} {practice.city}"
        elif name in PLACEHOLDERS:
            text = getattr(practice, PLACEHOLDERS[name], "") if practice else ""
        elif name in EXTRA_PLACEHOLDERS:
            text = EXTRA_PLACEHOLDERS[name]()
        else:
            return match.group(0)
        lines = [html_lib.escape(line.strip()) for line in str(text).splitlines() if line.strip()]
        return "<br>".join(lines)

    return _PLACEHOLDER.sub(value, rendered)
