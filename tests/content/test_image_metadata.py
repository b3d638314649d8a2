"""Stored images carry nothing but pixels and their colour profile.

Checked by reading each stored file's structure (JPEG segments, PNG chunks, WebP RIFF
chunks) rather than by asking Pillow, which only reports what it understands: every
file under MEDIA_ROOT, originals and every size made for visitors and the admin.
"""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, ImageCms
from PIL import Image as PILImage
from PIL.PngImagePlugin import PngInfo

from content.models import Image
from tests.helpers import login_admin, make_page

# What must never be found in any stored byte: where she lives, what her phone is.
SECRETS = (b"Kerkstraat", b"Voorbeeldstad", b"Telefoonmerk", b"Thuisadres")
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" '
    b'Iptc4xmpCore:Location="Kerkstraat 1, Voorbeeldstad"/></rdf:RDF></x:xmpmeta>'
)


# --- reading a file's structure ----------------------------------------------------------

# JPEG markers that are part of the picture itself (ITU T.81): frame headers, tables, scans.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_ALLOWED = {"SOI", "APP0 JFIF", "APP2 ICC_PROFILE", "DQT", "SOF", "DHT", "DRI", "SOS", "EOI"}


def jpeg_segments(data: bytes) -> list[str]:
    """The name of every segment, in order; entropy-coded data after SOS is skipped."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    names, position = ["SOI"], 2
    while True:
        assert data[position] == 0xFF, f"no marker at {position}"
        while data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker == 0xD9:
            names.append("EOI")
            assert position == len(data), f"{len(data) - position} bytes after EOI"
            return names
        (length,) = struct.unpack(">H", data[position : position + 2])
        payload = data[position + 2 : position + length]
        position += length
        if marker == 0xE0 and payload.startswith(b"JFIF\x00"):
            names.append("APP0 JFIF")
        elif marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00"):
            names.append("APP2 ICC_PROFILE")
        elif 0xE0 <= marker <= 0xEF:
            names.append(f"APP{marker - 0xE0} {payload[:14]!r}")
        elif marker == 0xFE:
            names.append(f"COM {payload[:40]!r}")
        else:
            names.append(
                {0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI", 0xDA: "SOS"}.get(marker)
                or ("SOF" if marker in _SOF else f"marker {marker:#x}")
            )
        if marker == 0xDA:
            # Scan data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
            while True:
                position = data.index(b"\xff", position)
                follower = data[position + 1]
                if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                    position += 2
                    continue
                break


PNG_ALLOWED = {"IHDR", "PLTE", "tRNS", "iCCP", "sRGB", "gAMA", "cHRM", "sBIT", "pHYs", "IDAT", "IEND"}


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    names, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        names.append(kind.decode("latin-1"))
        position += 12 + length
        if kind == b"IEND":
            assert position == len(data), f"{len(data) - position} bytes after IEND"
    return names


WEBP_ALLOWED = {"VP8 ", "VP8L", "VP8X", "ALPH", "ICCP"}


def webp_chunks(data: bytes) -> list[str]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    (riff_size,) = struct.unpack("<I", data[4:8])
    assert riff_size + 8 == len(data), "RIFF size does not match the file"
    names, position = [], 12
    while position < len(data):
        kind, size = struct.unpack("<4sI", data[position : position + 8])
        name = kind.decode("latin-1")
        names.append(name)
        if name == "VP8X":
            flags = data[position + 8]
            # Bits for EXIF (0x08) and XMP (0x04) promise chunks that must not be there.
            assert not flags & 0x0C, f"VP8X announces EXIF/XMP ({flags:#x})"
        position += 8 + size + (size & 1)
    return names


def structure(data: bytes) -> tuple[str, list[str], set[str]]:
    """(format, the blocks in the file, the blocks allowed in that format)."""
    if data[:2] == b"\xff\xd8":
        return "JPEG", jpeg_segments(data), JPEG_ALLOWED
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG", png_chunks(data), PNG_ALLOWED
    if data[:4] == b"RIFF":
        return "WEBP", webp_chunks(data), WEBP_ALLOWED
    raise AssertionError(f"an unknown kind of file: {data[:12]!r}")


def colour_profile_block(image_format: str) -> str:
    return {"JPEG": "APP2 ICC_PROFILE", "PNG": "iCCP", "WEBP": "ICCP"}[image_format]


# --- files as phones and programs make them ----------------------------------------------


def exif_with_location() -> bytes:
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Telefoonmerk"
    exif[ExifTags.Base.ImageDescription] = "Thuisadres Kerkstraat 1"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (52.0, 22.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 53.0, 10.0),
        }
    )
    return exif.tobytes()


def scene(mode="RGB", size=(900, 600)) -> PILImage.Image:
    picture = PILImage.new(mode, size, (180, 120, 90) if mode == "RGB" else (20, 60, 90, 0))
    picture.paste((40, 60, 200) if mode == "RGB" else (200, 150, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    return picture


def iptc_segment() -> bytes:
    """An APP13 Photoshop block with an IPTC record naming the city, as photo programs write it."""
    city = b"Voorbeeldstad"
    record = b"\x1c\x02\x5a" + struct.pack(">H", len(city)) + city  # IPTC 2:90, City
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record + b"\x00" * (len(record) & 1)
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_everything() -> bytes:
    buffer = io.BytesIO()
    scene().save(
        buffer,
        "JPEG",
        quality=90,
        comment=b"home address: Kerkstraat 1, Voorbeeldstad",
        exif=exif_with_location(),
        xmp=XMP,
        icc_profile=SRGB,
    )
    data = buffer.getvalue()
    return data[:2] + iptc_segment() + data[2:]


# A profile for printing colours (the ICC header names the colour space at bytes 16-20).
CMYK_PROFILE = SRGB[:16] + b"CMYK" + SRGB[20:]


def cmyk_jpeg() -> bytes:
    # libjpeg writes an Adobe (APP14) segment for CMYK; we store RGB, which needs none, and
    # a CMYK profile would describe colours the stored file no longer has.
    buffer = io.BytesIO()
    PILImage.new("CMYK", (700, 500), (0, 80, 160, 10)).save(
        buffer, "JPEG", comment=b"Thuisadres Kerkstraat 1", icc_profile=CMYK_PROFILE
    )
    return buffer.getvalue()


def png_with_everything() -> bytes:
    info = PngInfo()
    info.add_text("Location", "Kerkstraat 1, Voorbeeldstad")  # tEXt
    info.add_text("Comment", "Thuisadres Kerkstraat 1", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())  # iTXt
    info.add(b"tIME", struct.pack(">HBBBBB", 2026, 6, 1, 9, 30, 0))
    buffer = io.BytesIO()
    scene(mode="RGBA").save(buffer, "PNG", pnginfo=info, exif=exif_with_location(), icc_profile=SRGB)
    data = buffer.getvalue()
    kinds = png_chunks(data)
    assert {"tEXt", "zTXt", "iTXt", "tIME", "eXIf", "iCCP"} <= set(kinds), kinds
    return data


def webp_with_everything() -> bytes:
    buffer = io.BytesIO()
    scene().save(buffer, "WEBP", quality=90, exif=exif_with_location(), xmp=XMP, icc_profile=SRGB)
    data = buffer.getvalue()
    assert {"EXIF", "XMP ", "ICCP"} <= set(webp_chunks_unchecked(data)), webp_chunks_unchecked(data)
    return data


def webp_chunks_unchecked(data: bytes) -> list[str]:
    names, position = [], 12
    while position < len(data):
        kind, size = struct.unpack("<4sI", data[position : position + 8])
        names.append(kind.decode("latin-1"))
        position += 8 + size + (size & 1)
    return names


def test_the_made_up_files_really_carry_what_a_phone_writes():
    blocks = jpeg_segments(jpeg_with_everything())
    assert "APP2 ICC_PROFILE" in blocks
    assert any(b.startswith("COM") for b in blocks) and any(b.startswith("APP13") for b in blocks)
    assert any(b.startswith("APP1 b'Exif") for b in blocks) and any(b.startswith("APP1 b'http") for b in blocks)
    assert any(b.startswith("APP14") for b in jpeg_segments(cmyk_jpeg()))
    assert "APP2 ICC_PROFILE" in jpeg_segments(cmyk_jpeg())
    png_with_everything()
    webp_with_everything()


# --- uploaded through the admin, shown on a page ------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of this test's own, so 'every file' means the files this test made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(client, db):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    return client


def upload(client, content: bytes, name: str) -> Image:
    response = client.post(
        reverse("admin:content_image_add"),
        {"file": SimpleUploadedFile(name, content), "alt_text": "Een rustige praktijkruimte", "caption": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Image.objects.latest("pk")


def test_uploads_and_every_size_of_them_keep_only_pixels_and_colour_profile(media, staff, client):
    uploads = [
        upload(staff, jpeg_with_everything(), "IMG_0001.jpg"),
        upload(staff, png_with_everything(), "scherm.png"),
        upload(staff, webp_with_everything(), "foto.webp"),
    ]
    cmyk = upload(staff, cmyk_jpeg(), "drukwerk.jpg")
    body = "".join(f'<p>Beeld</p><img src="{image.file.url}" alt="" data-file="{image.pk}">' for image in uploads)
    make_page(slug="beelden", body=body + f'<img src="{cmyk.file.url}" alt="" data-file="{cmyk.pk}">')
    assert client.get("/beelden/").status_code == 200  # makes the sizes visitors get
    assert staff.get(reverse("admin:content_image_changelist")).status_code == 200  # and the admin's thumbnails

    # The CMYK photo loses its CMYK profile; every other file keeps the sRGB one it came with.
    cmyk_stem = Path(cmyk.file.name).stem
    folder = Path(media)
    others = [path for path in folder.rglob("*") if path.is_file() and cmyk_stem not in path.name]
    mine = [path for path in folder.rglob("*") if path.is_file() and cmyk_stem in path.name]
    for path in others:
        assert_only_pixels_file(path, folder, with_profile=True)
    for path in mine:
        assert_only_pixels_file(path, folder, with_profile=False)
    # 4 originals; 900 and 700 px wide make 3 and 2 widths, each as WebP and JPEG.
    assert len(others) + len(mine) == 4 + 3 * 3 * 2 + 2 * 2
    formats = {structure(path.read_bytes())[0] for path in others}
    assert formats == {"JPEG", "PNG", "WEBP"}


def assert_only_pixels_file(path: Path, folder: Path, *, with_profile: bool) -> None:
    data = path.read_bytes()
    image_format, blocks, allowed = structure(data)
    name = str(path.relative_to(folder))
    assert not [block for block in blocks if block not in allowed], f"{name}: {blocks}"
    for secret in SECRETS:
        assert secret not in data, f"{name} holds {secret!r}"
    has_profile = colour_profile_block(image_format) in blocks
    assert has_profile == with_profile, f"{name}: colour profile {'lost' if with_profile else 'wrongly kept'}"
    if has_profile:
        assert profile_of(image_format, data) == SRGB, f"{name}: a different colour profile"


def profile_of(image_format: str, data: bytes) -> bytes:
    """The embedded ICC profile, read from the file's own blocks."""
    if image_format == "JPEG":
        parts, position = [], 2
        while data[position + 1] != 0xDA:
            (length,) = struct.unpack(">H", data[position + 2 : position + 4])
            payload = data[position + 4 : position + 2 + length]
            if data[position + 1] == 0xE2 and payload.startswith(b"ICC_PROFILE\x00"):
                parts.append((payload[12], payload[14:]))
            position += 2 + length
        return b"".join(chunk for _, chunk in sorted(parts))
    if image_format == "PNG":
        position = 8
        while True:
            length, kind = struct.unpack(">I4s", data[position : position + 8])
            if kind == b"iCCP":
                chunk = data[position + 8 : position + 8 + length]
                return zlib.decompress(chunk[chunk.index(b"\x00") + 2 :])
            position += 12 + length
    position = 12
    while True:
        kind, size = struct.unpack("<4sI", data[position : position + 8])
        if kind == b"ICCP":
            return data[position + 8 : position + 8 + size]
        position += 8 + size + (size & 1)


def test_a_size_made_from_an_original_that_still_carries_metadata_carries_none(media, db, client):
    # An original stored before the cleaning was complete, or put back from an old backup.
    from django.core.files.base import ContentFile

    image = Image.objects.create(file=ContentFile(jpeg_with_everything(), name="oud.jpg"), alt_text="Oud")
    make_page(slug="oud", body=f'<img src="{image.file.url}" alt="" data-file="{image.pk}">')
    assert client.get("/oud/").status_code == 200
    sizes = [path for path in Path(media).rglob("*") if path.is_file() and "formaten" in path.parts]
    assert len(sizes) == 3 * 2
    for path in sizes:
        assert_only_pixels_file(path, Path(media), with_profile=True)


# --- images a running site stored before: cleaned once by migration content/0013 ----------

BEFORE = [("content", "0012_privacy_waiting_list_and_questions")]
AFTER = [("content", "0013_strip_image_metadata")]


def migrate(targets):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    from django.core.management import call_command

    apps = migrate(BEFORE)
    yield apps
    call_command("migrate", verbosity=0)


def old_jpeg_with_comment() -> bytes:
    """What the upload code wrote until now: pixels, the colour profile and, by Pillow's doing, the comment."""
    buffer = io.BytesIO()
    scene().save(buffer, "JPEG", quality=90, icc_profile=SRGB, comment=b"home address: Kerkstraat 1")
    return buffer.getvalue()


def old_jpeg_from_cmyk() -> bytes:
    """What the code before made of a CMYK photo: RGB pixels that still named the CMYK profile."""
    buffer = io.BytesIO()
    scene().save(buffer, "JPEG", quality=90, icc_profile=CMYK_PROFILE)
    return buffer.getvalue()


def clean_jpeg() -> bytes:
    buffer = io.BytesIO()
    scene(size=(600, 400)).save(buffer, "JPEG", quality=90, icc_profile=SRGB)
    return buffer.getvalue()


def test_images_a_site_stored_before_are_cleaned_by_the_migration(media, old_schema, client):
    folder = Path(media)
    originals = {
        "afbeeldingen/oud-upload.jpg": old_jpeg_with_comment(),
        "afbeeldingen/telefoon.jpg": jpeg_with_everything(),
        "afbeeldingen/scherm.png": png_with_everything(),
        "afbeeldingen/foto.webp": webp_with_everything(),
        "afbeeldingen/al-schoon.jpg": clean_jpeg(),
        "afbeeldingen/drukwerk.jpg": old_jpeg_from_cmyk(),
    }
    without_profile = {"afbeeldingen/drukwerk.jpg"}
    for name, data in originals.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        (folder / name).chmod(0o644)
    # A size made by the code before, with the comment it inherited.
    old_size = folder / "afbeeldingen/formaten/afbeeldingen/oud-upload.0123456789ab.jpg"
    old_size.parent.mkdir(parents=True)
    old_size.write_bytes(old_jpeg_with_comment())
    OldImage = old_schema.get_model("content", "Image")
    for name in [*originals, "afbeeldingen/verdwenen.jpg"]:  # the last one's file is gone: no error
        OldImage.objects.create(file=name, alt_text="Een rustige praktijkruimte", width=900, height=600)
    OldImage.objects.filter(file="afbeeldingen/al-schoon.jpg").update(width=600, height=400)

    migrate(AFTER)

    assert not old_size.exists()
    for name, data in originals.items():
        stored = (folder / name).read_bytes()
        assert_only_pixels_file(folder / name, folder, with_profile=name not in without_profile)
        assert (folder / name).stat().st_mode & 0o777 == 0o644, "nginx can still read it"
        with PILImage.open(io.BytesIO(stored)) as picture, PILImage.open(io.BytesIO(data)) as before:
            assert picture.size == before.size and picture.mode == before.mode
            for spot in [(5, 5), (picture.width - 5, picture.height - 5)]:
                pairs = zip(picture.getpixel(spot), before.getpixel(spot), strict=True)
                assert all(abs(now - then) <= 12 for now, then in pairs), f"{name}: another picture"
    assert (folder / "afbeeldingen/al-schoon.jpg").read_bytes() == originals["afbeeldingen/al-schoon.jpg"], (
        "a clean photo is not compressed again"
    )

    # The page makes the sizes again, from the cleaned originals.
    images = Image.objects.exclude(file="afbeeldingen/verdwenen.jpg")
    make_page(slug="na", body="".join(f'<img src="{i.file.url}" alt="" data-file="{i.pk}">' for i in images))
    assert client.get("/na/").status_code == 200
    everything = [path for path in folder.rglob("*") if path.is_file()]
    assert len(everything) == 6 + 5 * 3 * 2 + 2 * 2
    for path in everything:
        assert_only_pixels_file(path, folder, with_profile=not path.name.startswith("drukwerk"))

    # Once more (a re-run): nothing changes.
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file() and "formaten" not in path.parts}
    migrate(BEFORE)
    migrate(AFTER)
    assert {path: path.read_bytes() for path in before} == before
