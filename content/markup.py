"""Makes what the therapist writes safe to show.

She writes in the admin's editor, which sends HTML. Whatever arrives passes an
allow-list sanitizer here, both when it is stored and when its public copy is
made, so no script, event handler, style or javascript: link can ever reach a
visitor, even if the admin account were misused or the editor bypassed.
The first version of the site's text is written in Markdown (content/initial/)
and converted here once, when it is loaded.
"""

import html as html_lib
import re
from collections.abc import Callable

import markdown
import nh3
from django.conf import settings
from django.urls import reverse_lazy

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
    "figure",
    "figcaption",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "img": {"src", "alt", "data-file"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What the editor offers; the sanitizer above allows exactly what these produce.
EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Link": {"enableTarget": False},
    # Images are chosen from (or uploaded to) the site's own collection, never linked from elsewhere.
    "Figure": {"pickerUrl": reverse_lazy("admin:content_image_picker")},
    "Image": True,
    "Caption": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "History": True,
}

# The page title is the only <h1>; headings in a body start one level lower.
_H1 = re.compile(r"<(/?)h1(\s|>)", re.IGNORECASE)
_FILE_ID = re.compile(r"^[0-9]{1,12}$")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    # An image is only ever one of the site's own uploads: anything else would load
    # from another origin or point at a file the site does not manage.
    if element == "img" and attribute == "src":
        return value if value.startswith(settings.MEDIA_URL) and "\\" not in value else None
    if element == "img" and attribute == "data-file":
        return value if _FILE_ID.match(value) else None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )


def render_html(html: str) -> str:
    """What is stored and shown of a text written in the editor."""
    return sanitize(_H1.sub(r"<\1h2\2", html or ""))


def markdown_to_html(text: str) -> str:
    """The initial content, written in Markdown, as the editor's HTML."""
    return render_html(markdown.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html"))


# Where a block ends, words would otherwise run together ("helpt</h2><p>Drie").
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|td|th)>|<br\s*/?>", re.IGNORECASE)


def plain_text(markup: str) -> str:
    """Text without tags, for search snippets, word counts and the history of changes."""
    spaced = _BLOCK_END.sub(lambda end: end.group(0) + " ", markup or "")
    return " ".join(html_lib.unescape(nh3.clean(spaced, tags=set())).split())


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


_TAG = re.compile(r"<[^>]*>")


def tel_href(phone: str) -> str:
    """A phone number as a tel: address: digits and a leading +, nothing else.

    An international number drops the trunk zero written as "(0)": +31 (0)20 is +3120.
    """
    international = phone.strip().startswith(("+", "00"))
    if international:
        phone = phone.replace("(0)", "")
    digits = re.sub(r"[^0-9+]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return "tel:" + (digits[0] + digits[1:].replace("+", "") if digits else "")


def _detail(name: str, practice) -> str | None:
    if name == "adres":
        return f"{practice.street}, {practice.postal_code} {practice.city}" if practice else ""
    if name in PLACEHOLDERS:
        return str(getattr(practice, PLACEHOLDERS[name], "")) if practice else ""
    if name in EXTRA_PLACEHOLDERS:
        return str(EXTRA_PLACEHOLDERS[name]())
    return None


def _as_html(name: str, text: str) -> str:
    lines = [html_lib.escape(line.strip()) for line in text.splitlines() if line.strip()]
    joined = "<br>".join(lines)
    if name == "telefoon" and joined:
        return f'<a href="{html_lib.escape(tel_href(text))}">{joined}</a>'
    if name == "email" and joined:
        return f'<a href="mailto:{html_lib.escape(text.strip())}">{joined}</a>'
    return joined


def fill_placeholders(rendered: str, practice) -> str:
    """Replaces [[name]] in sanitized HTML with the practice detail, and sanitizes the result again.

    Inside a tag (a link's address, say) a detail is plain text; in the text, the phone
    number and email address become tappable links. Whatever a detail holds, the second
    sanitizing pass keeps every rule of the first: no script, no javascript: link.
    """

    def in_text(match: re.Match) -> str:
        text = _detail(match.group(1), practice)
        return match.group(0) if text is None else _as_html(match.group(1), text)

    def in_tag(tag: re.Match) -> str:
        def plain(match: re.Match) -> str:
            text = _detail(match.group(1), practice)
            return match.group(0) if text is None else html_lib.escape(" ".join(text.split()), quote=True)

        return _PLACEHOLDER.sub(plain, tag.group(0))

    if "[[" not in rendered:
        return rendered
    parts = []
    position = 0
    for tag in _TAG.finditer(rendered):
        parts.append(_PLACEHOLDER.sub(in_text, rendered[position : tag.start()]))
        parts.append(in_tag(tag))
        position = tag.end()
    parts.append(_PLACEHOLDER.sub(in_text, rendered[position:]))
    return sanitize("".join(parts))


# --- email addresses and phone numbers a phone can tap --------------------------------------

# Between the groups of a phone number: a space, a non-breaking space or a hyphen.
_SEP = "[ \u00a0-]"
_CONTACT = re.compile(
    rf"""
    (?<![\w@.,:/+€$&#-])             # not the middle of a word, an amount, a date, a web address
    (?<!€\s)(?<![A-Z]{{4}}\s)        # nor a price (€ 113) or an IBAN's account digits (ABNA 0417 1643 00)
    (?:
        (?P<email>[\w.%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{{2,}})
      | (?P<phone>
            (?:\+|00)31{_SEP}?(?:\(0\){_SEP}?)?[1-9](?:{_SEP}?\d){{8}}  # +31 6 1234 5678, +31 (0)20 123 4567
          | \+(?!31)[1-9](?:{_SEP}?\d){{7,13}}                        # another country: +32 2 123 45 67
          | \(0[1-9]\d{{1,2}}\){_SEP}?\d(?:{_SEP}?\d){{5,6}}           # (020) 123 4567
          | 0[89]0[069]{_SEP}\d{{4}}(?:\d{{3}})?                         # 0800-0113, 0900 1234567
          | 0[1-9](?:{_SEP}?\d){{8}}                                    # 06-12345678, 020 123 4567, 012 345 67 89
          | 11[23]                                                    # 112, 113
        )
    )
    (?![\w@]|[.,:/-]?\d|\.[A-Za-z]|{_SEP}\d)   # nor the start of a longer number, a word or a domain (113.nl)
    """,
    re.VERBOSE,
)
# A quick look before the real work: most texts hold neither an @ nor two digits in a row.
_CONTACT_HINT = re.compile(r"@|\d\d")
# Ten digits that are a date and an hour (06-12-2026 10 uur), not a phone number.
_DATE = re.compile(r"^\d{1,2}-\d{1,2}-(19|20)\d\d")
# Text inside these is never linked: it is a link already, or code shown as it is.
_NO_LINKS_INSIDE = {"a", "code", "pre", "script", "style", "textarea", "title", "button"}
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|<!--.*?-->", re.DOTALL)


def _contact_link(match: re.Match) -> str:
    text = match.group(0)
    if match.group("email"):
        # Where a long address may wrap on a narrow screen: after the @ and before each dot.
        shown = html_lib.escape(text, quote=False).replace("@", "@<wbr>").replace(".", "<wbr>.")
        return f'<a href="mailto:{html_lib.escape(text, quote=True)}">{shown}</a>'
    if _DATE.match(text):
        return html_lib.escape(text, quote=False)
    return f'<a href="{html_lib.escape(tel_href(text), quote=True)}">{html_lib.escape(text, quote=False)}</a>'


def _link_text(escaped: str) -> str:
    text = html_lib.unescape(escaped)
    if not _CONTACT.search(text):
        return escaped
    parts, position = [], 0
    for match in _CONTACT.finditer(text):
        parts.append(html_lib.escape(text[position : match.start()], quote=False))
        parts.append(_contact_link(match))
        position = match.end()
    parts.append(html_lib.escape(text[position:], quote=False))
    return "".join(parts)


def link_contacts(html: str) -> str:
    """Safe HTML with every email address and phone number in its text made a mailto:/tel: link.

    Only text is touched, never a tag or its attributes, and nothing inside a link (or code):
    a link in a link is not allowed and would tap to the wrong place. What counts as a phone
    number is what one looks like in the Netherlands (06-12345678, 020 123 4567,
    +31 6 1234 5678, 0800-0113, 112, 113), so dates, times, prices and KvK or AGB numbers
    stay text. The links are made from the matched characters only (digits, and the
    characters of an address), so they cannot carry markup.
    """
    if not html or not _CONTACT_HINT.search(html):
        return html
    parts, position, closed_depth = [], 0, 0
    for tag in _ANY_TAG.finditer(html):
        text = html[position : tag.start()]
        parts.append(_link_text(text) if closed_depth == 0 and text else text)
        parts.append(tag.group(0))
        name = (tag.group(2) or "").lower()
        if name in _NO_LINKS_INSIDE and not tag.group(0).endswith("/>"):
            closed_depth = max(0, closed_depth + (-1 if tag.group(1) else 1))
        position = tag.end()
    text = html[position:]
    parts.append(_link_text(text) if closed_depth == 0 and text else text)
    return "".join(parts)
