"""Images as visitors get them: a <picture> with WebP and JPEG in several widths.

In a stored text an image is an <img> that names its upload by number
(data-file, set by the editor's picker). It is turned into the full markup when
the text is shown, so a changed description or a deleted image is right on every
page at once, and an image that no longer exists leaves no broken frame behind.
"""

import html as html_lib
import re

from django.template.loader import render_to_string

from .models import Image

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_FILE = re.compile(r'\bdata-file="([0-9]+)"')
_ALT = re.compile(r'\balt="([^"]*)"')
_EMPTY_FIGURE = re.compile(r"<figure>\s*(<figcaption>\s*</figcaption>\s*)?</figure>")

# Wide enough for the text column on every screen; the browser picks from srcset.
BODY_SIZES = "(min-width: 48rem) 44rem, calc(100vw - 2rem)"
CARD_SIZES = "(min-width: 48rem) 22rem, calc(100vw - 2rem)"


def picture(image: Image, *, sizes: str = BODY_SIZES, alt: str | None = None, lazy: bool = True) -> str:
    return render_to_string(
        "content/includes/picture.html",
        {
            "image": image,
            "alt": image.alt_text if alt is None else alt,
            "webp": image.renditions("WEBP"),
            "jpeg": image.renditions("JPEG"),
            "sizes": sizes,
            "lazy": lazy,
        },
    ).strip()


def with_pictures(html: str) -> str:
    """Sanitized body HTML with each of its images as a responsive <picture>."""
    if "<img" not in html:
        return html
    ids = {int(found) for found in _FILE.findall(html)}
    images = Image.objects.in_bulk(ids) if ids else {}

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        number = _FILE.search(tag)
        image = images.get(int(number.group(1))) if number else None
        if image is None:
            return ""
        written = _ALT.search(tag)
        # The text written in the editor may describe the image for this place; the
        # description kept with the upload is used when it says nothing.
        alt = written.group(1) if written and written.group(1).strip() else None
        # The template escapes it again: undo the sanitizer's escaping so it is not doubled.
        return picture(image, alt=alt and html_lib.unescape(alt))

    return _EMPTY_FIGURE.sub("", _IMG.sub(replace, html))
