"""Uploaded photos, made safe to publish, and the sizes they are served in.

A photo taken with a phone carries where and when it was taken and with which
camera. Every upload is decoded and written again from its pixels only, so none
of that reaches the website: no EXIF, no GPS, no XMP, no comments. The file gets a
random name, because a camera's or the therapist's own file name can say more than
she wants to.

The renditions (several widths, WebP and a JPEG fallback) are made by
django-imagekit from the cleaned original and kept beside it.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.processors import ResizeToFit
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Larger than any camera she will use, small enough that decoding cannot exhaust memory.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The widths offered to browsers; the page's layout is at most about 720 px wide, so
# 1440 covers a sharp screen at twice the density.
WIDTHS = (480, 800, 1200, 1440)
UNREADABLE = gettext_lazy("Dit bestand kunnen we niet als afbeelding lezen. Kies een foto (JPEG), PNG of WebP.")
WRONG_TYPE = gettext_lazy("Dit soort bestand kan niet op de website. Kies een foto (JPEG), PNG of WebP.")


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int


def clean_upload(uploaded) -> CleanImage:
    """Checks an upload and returns it without any metadata, under a random name.

    Raises ValidationError with a message for the therapist when the file is too large,
    is not a photo or picture we can show, or cannot be read.
    """
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Dit bestand is %(size)s MB. Kies een foto van hoogstens 10 MB."),
            params={"size": f"{uploaded.size / 1024 / 1024:.0f}"},
            code="too_large",
        )
    try:
        uploaded.seek(0)
        with PILImage.open(uploaded) as probe:
            image_format = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("Deze afbeelding is te groot in pixels. Maak hem kleiner."), code="too_many_pixels"
                )
            probe.verify()
        uploaded.seek(0)
        with PILImage.open(uploaded) as original:
            original.load()
            picture = ImageOps.exif_transpose(original)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as error:
        raise ValidationError(UNREADABLE, code="unreadable") from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    return CleanImage(content=_pixels_only(picture, image_format), width=picture.width, height=picture.height)


def _pixels_only(picture: PILImage.Image, image_format: str) -> ContentFile:
    buffer = io.BytesIO()
    # Only the pixels and the colour profile go into the new file; Pillow writes no
    # EXIF, XMP or text chunks unless it is handed them.
    icc = picture.info.get("icc_profile")
    options = {"icc_profile": icc} if icc else {}
    if image_format == "JPEG":
        picture = picture.convert("RGB") if picture.mode not in ("RGB", "L") else picture
        picture.save(buffer, "JPEG", quality=90, optimize=True, **options)
    elif image_format == "PNG":
        picture.save(buffer, "PNG", optimize=True, **options)
    else:
        picture.save(buffer, "WEBP", quality=90, **options)
    name = f"{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}"
    return ContentFile(buffer.getvalue(), name=name)


class Rendition(ImageSpec):
    """One width of an image in one format; imagekit names and keeps the file."""

    def __init__(self, source, *, width: int, image_format: str):
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        self.options = {"quality": 80} if image_format == "WEBP" else {"quality": 82, "progressive": True}
        super().__init__(source=source)


@dataclass(frozen=True)
class Size:
    url: str
    width: int


def rendition_widths(width: int) -> list[int]:
    """The widths worth making for an original this wide: never wider than it is."""
    widths = [w for w in WIDTHS if w < width]
    largest = min(width, WIDTHS[-1])
    return widths if largest in widths else [*widths, largest]


def renditions(source, width: int, image_format: str) -> list[Size]:
    return [rendition(source, target, image_format) for target in rendition_widths(width)]


def rendition(source, width: int, image_format: str) -> Size:
    cached = ImageCacheFile(Rendition(source, width=width, image_format=image_format))
    cached.generate()
    return Size(url=cached.url, width=width)


def rendition_names(source, width: int) -> list[str]:
    """The stored names of every rendition, so they can be removed with their original."""
    return [
        ImageCacheFile(Rendition(source, width=target, image_format=image_format)).name
        for target in rendition_widths(width)
        for image_format in ("WEBP", "JPEG")
    ]
