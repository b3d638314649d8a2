"""Uploaded photos, made safe to publish, and the sizes they are served in.

A photo taken with a phone carries where and when it was taken and with which
camera. Every upload is decoded and written again from its pixels only, so none
of that reaches the website: no EXIF, no GPS, no XMP, no IPTC, no comments, no
text chunks. Only the colour profile stays, because without it a photo from a
phone that films in a wide colour space looks dull. The file gets a random name,
because a camera's or the therapist's own file name can say more than she wants to.

Pillow writes some of what it read back on save by itself (a JPEG's comment), so
every image is handed to the encoder with nothing attached but what the pixels
need (a palette's transparency); the profile is passed explicitly, and only when
it describes the colours being saved. A CMYK photo is stored as RGB, without its
CMYK profile, so no stored JPEG needs an Adobe (APP14) segment either.

The renditions (several widths, WebP and a JPEG fallback) are made by
django-imagekit from the cleaned original, the same way, and kept beside it.
Images stored before this was so are cleaned once by migration content/0013.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.processors import ResizeToFit
from imagekit.utils import open_image, process_image
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

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
    name = f"{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}"
    return ContentFile(_encode(picture, image_format), name=name)


def _encode(picture: PILImage.Image, image_format: str) -> bytes:
    icc = picture.info.get("icc_profile")
    if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    picture = bare(picture)
    options = _profile_option(icc, picture.mode)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        picture.save(buffer, "JPEG", quality=90, optimize=True, **options)
    elif image_format == "PNG":
        picture.save(buffer, "PNG", optimize=True, **options)
    else:
        picture.save(buffer, "WEBP", quality=90, **options)
    return buffer.getvalue()


# What Pillow keeps in `info` that belongs to the pixels rather than to the photo's story.
_PIXEL_INFO = ("transparency",)


def bare(picture: PILImage.Image) -> PILImage.Image:
    """Removes, in place, all an encoder could write back (a JPEG's comment, say), and returns the picture."""
    # In place rather than on a copy: a photo of 40 megapixels is 120 MB in memory.
    picture.info = {key: picture.info[key] for key in _PIXEL_INFO if key in picture.info}
    return picture


def _profile_option(icc: bytes | None, mode: str) -> dict[str, bytes]:
    """The colour profile as a save option, if it describes colours of this kind.

    A profile for other colours (a CMYK or grey profile on what is now RGB) would be
    wrong, so it goes; the ICC header names its colour space at bytes 16-20.
    """
    wanted = b"GRAY" if PILImage.getmodebase(mode) == "L" else b"RGB "
    return {"icc_profile": icc} if icc and icc[16:20] == wanted else {}


class PixelsOnly:
    """An imagekit processor: what follows sees, and the encoder writes, only the pixels."""

    def process(self, picture: PILImage.Image) -> PILImage.Image:
        return bare(picture)


class Rendition(ImageSpec):
    """One width of an image in one format; imagekit names and keeps the file.

    PixelsOnly is part of the spec, so the sizes made before it (which could carry an
    original's comment) have other names than those made now.
    """

    def __init__(self, source, *, width: int, image_format: str):
        self.processors = [PixelsOnly(), ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        self.options = {"quality": 80} if image_format == "WEBP" else {"quality": 82, "progressive": True}
        super().__init__(source=source)

    def generate(self):
        # imagekit's own generate, except that the original's colour profile is handed to
        # the encoder: JPEG and WebP only write a profile they are given. Every size is
        # RGB (pilkit turns grey and palette pictures into RGB), so only an RGB profile fits.
        closed = self.source.closed
        if closed:
            self.source.open()
        try:
            picture = open_image(self.source)
            options = {**self.options, **_profile_option(picture.info.get("icc_profile"), "RGB")}
            return process_image(picture, processors=self.processors, format=self.format, options=options)
        finally:
            if closed:
                self.source.close()


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


# --- images stored before every metadata block was removed -------------------------------

# What Pillow reports of a PNG or WebP that is about the pixels, not about the photo.
_HARMLESS_INFO = {"icc_profile", "transparency", "dpi", "aspect", "gamma", "srgb", "chromaticity", "background", "loop"}
_PICTURE_SEGMENTS = (("APP0", b"JFIF\x00"), ("APP2", b"ICC_PROFILE\x00"))


def _carries_more_than_pixels(stored: PILImage.Image) -> bool:
    icc = stored.info.get("icc_profile")
    if icc and not _profile_option(icc, stored.mode):
        return True
    if stored.format == "JPEG":
        # Every APPn and COM segment, also those Pillow has no name for in `info`.
        return any(
            not any(marker == kind and data.startswith(start) for kind, start in _PICTURE_SEGMENTS)
            for marker, data in stored.applist
        )
    return bool(set(stored.info) - _HARMLESS_INFO)


def clean_stored(path: Path) -> bool:
    """Writes a stored original again from its pixels if it carries anything else.

    Returns whether it did. A clean file is left as it is, so a photo is not compressed
    again for nothing; the name, size and orientation stay what they were (the sizes
    visitors saw were made from these pixels, unturned). A file that is not an image we
    store is left alone: it was never shown as one.
    """
    try:
        with PILImage.open(path) as stored:
            if stored.format not in ACCEPTED_FORMATS or not _carries_more_than_pixels(stored):
                return False
            stored.load()
            data = _encode(stored, stored.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        logger.warning("Stored image %s could not be read; left as it is.", path.name)
        return False
    # Replaced in one step, readable for nginx as before: never half a photo on the site.
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".cleaning-", delete=False) as temporary:
        temporary.write(data)
    os.chmod(temporary.name, stat.S_IMODE(path.stat().st_mode))
    os.replace(temporary.name, path)
    return True


def clean_stored_images(storage, names: Iterable[str]) -> list[str]:
    """Cleans the given stored originals and removes every size made so far, from any of them.

    The sizes are made again, from the cleaned originals, when a page first shows them
    (under new names: see Rendition). Returns the names of the originals that were rewritten.
    """
    rewritten = [name for name in sorted(set(names)) if storage.exists(name) and clean_stored(Path(storage.path(name)))]
    _remove_files_under(storage, settings.IMAGEKIT_CACHEFILE_DIR)
    return rewritten


def stored_names(storage, folder: str) -> list[str]:
    """The files directly in a folder of the storage (not in its subfolders), by their stored name."""
    if not storage.exists(folder):
        return []
    return [f"{folder}/{name}" for name in storage.listdir(folder)[1]]


def _remove_files_under(storage, folder: str) -> None:
    if not storage.exists(folder):
        return
    subfolders, files = storage.listdir(folder)
    for name in files:
        storage.delete(f"{folder}/{name}")
    for subfolder in subfolders:
        _remove_files_under(storage, f"{folder}/{subfolder}")
