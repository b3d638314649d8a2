"""Photos and images: uploaded in the admin without where and how they were taken, and
served to visitors as responsive pictures."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags
from PIL import Image as PILImage

from content.models import Article, Image, PracticeDetails
from tests.helpers import login_admin, make_page, soup


def photo_with_location(width=1600, height=1200, orientation=1, image_format="JPEG") -> bytes:
    """A photo as a phone makes it: camera make, orientation and GPS position in its EXIF."""
    picture = PILImage.new("RGB", (width, height), (180, 120, 90))
    picture.paste((40, 60, 200), (0, 0, width // 4, height // 4))  # marks the top left corner
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Telefoonmerk"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (52.0, 22.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 53.0, 10.0),
        }
    )
    buffer = io.BytesIO()
    picture.save(buffer, image_format, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def staff(client, db):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    return client


def upload(client, content: bytes, name="IMG_20260601_Thuis_Kerkstraat.jpg", alt="Een rustige praktijkruimte"):
    return client.post(
        reverse("admin:content_image_add"),
        {"file": SimpleUploadedFile(name, content), "alt_text": alt, "caption": ""},
    )


def stored_file(image: Image) -> bytes:
    return Path(image.file.path).read_bytes()


def test_an_uploaded_photo_keeps_no_location_camera_or_file_name(staff):
    response = upload(staff, photo_with_location())
    assert response.status_code == 302
    image = Image.objects.get()
    data = stored_file(image)
    with PILImage.open(io.BytesIO(data)) as stored:
        exif = stored.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and not exif, dict(exif)
        assert "exif" not in stored.info and "xmp" not in stored.info
    assert b"Telefoonmerk" not in data and b"GPS" not in data
    assert "Kerkstraat" not in image.file.name and "IMG_" not in image.file.name
    assert (image.width, image.height) == (1600, 1200)


def test_a_photo_taken_sideways_is_stored_upright(staff):
    # Orientation 6: the camera was turned; viewers rotate it 90° clockwise.
    upload(staff, photo_with_location(orientation=6))
    image = Image.objects.get()
    assert (image.width, image.height) == (1200, 1600)
    with PILImage.open(image.file.path) as stored:
        assert stored.getpixel((image.width - 10, 10))[2] > 150, "the marked corner turned with the picture"


def test_png_text_chunks_are_dropped_too(staff):
    picture = PILImage.new("RGB", (800, 600), (10, 10, 10))
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "Kerkstraat 1, Voorbeeldstad")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info)
    assert upload(staff, buffer.getvalue(), name="scherm.png").status_code == 302
    assert b"Kerkstraat" not in stored_file(Image.objects.get())


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "bewegend.gif", "niet als afbeelding lezen"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.jpg", "niet als afbeelding"),
        (b"%PDF-1.4 niet echt", "folder.jpg", "niet als afbeelding lezen"),
    ],
)
def test_what_is_not_a_photo_is_refused_in_dutch_and_nothing_is_stored(staff, content, name, message):
    response = upload(staff, content, name=name)
    assert response.status_code == 200
    errors = soup(response).select(".field-file .errorlist")
    assert errors and message in errors[0].get_text() or "Dit soort bestand" in errors[0].get_text()
    assert not Image.objects.exists()
    assert soup(response).find("input", {"name": "alt_text"})["value"] == "Een rustige praktijkruimte"


def test_a_gif_is_refused_as_a_type(staff):
    picture = PILImage.new("RGB", (40, 40))
    buffer = io.BytesIO()
    picture.save(buffer, "GIF")
    response = upload(staff, buffer.getvalue(), name="plaatje.gif")
    assert "Dit soort bestand kan niet op de website" in soup(response).select_one(".field-file .errorlist").get_text()


def test_a_file_over_ten_megabytes_is_refused(staff):
    big = photo_with_location() + b"\x00" * (10 * 1024 * 1024)
    response = upload(staff, big)
    assert "hoogstens 10 MB" in soup(response).select_one(".field-file .errorlist").get_text()
    assert not Image.objects.exists()


@pytest.mark.parametrize("alt", ["", "   ", "Foto van mij"])
def test_an_image_needs_a_real_description(staff, alt):
    response = upload(staff, photo_with_location(), alt=alt)
    assert response.status_code == 200 and soup(response).select_one(".field-alt_text .errorlist")
    assert not Image.objects.exists()


def make_image(client) -> Image:
    upload(client, photo_with_location())
    return Image.objects.latest("pk")


def test_an_image_in_a_text_is_a_responsive_picture(staff, client):
    image = make_image(staff)
    make_page(
        slug="met-beeld",
        body=(
            f'<p>Tekst</p><figure><img src="{image.file.url}" alt="Stoelen bij het raam" data-file="{image.pk}">'
            "<figcaption>Mijn praktijk</figcaption></figure>"
        ),
    )
    article = soup(client.get("/met-beeld/")).find("article")
    picture = article.find("figure").find("picture")
    webp = picture.find("source", type="image/webp")
    fallback = picture.find("img")
    widths = [entry.split()[1] for entry in webp["srcset"].split(", ")]
    assert widths == ["480w", "800w", "1200w", "1440w"]
    assert fallback["srcset"].count("w,") == 3 and fallback["src"].endswith(".jpg")
    assert (fallback["width"], fallback["height"]) == ("1440", "1080")
    assert fallback["loading"] == "lazy" and fallback["alt"] == "Stoelen bij het raam"
    assert article.find("figcaption").get_text() == "Mijn praktijk"
    for entry in [*webp["srcset"].split(", "), *fallback["srcset"].split(", ")]:
        url = entry.split()[0]
        response = client.get(url)
        assert response.status_code == 200, url
        served = b"".join(response.streaming_content)
        with PILImage.open(io.BytesIO(served)) as rendition:
            assert rendition.format == ("WEBP" if ".webp" in url else "JPEG")
            assert rendition.width == int(entry.split()[1][:-1])
            assert not rendition.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_an_image_without_its_own_description_in_the_text_uses_the_uploads(staff, client):
    image = make_image(staff)
    make_page(slug="zonder", body=f'<img src="{image.file.url}" alt="" data-file="{image.pk}">')
    assert soup(client.get("/zonder/")).find("article").find("picture").img["alt"] == "Een rustige praktijkruimte"


def test_a_deleted_image_leaves_no_broken_frame_and_no_files(staff, client, django_capture_on_commit_callbacks):
    image = make_image(staff)
    make_page(slug="weg", body=f'<figure><img src="{image.file.url}" data-file="{image.pk}"></figure><p>Tekst</p>')
    client.get("/weg/")  # makes the renditions
    folder = Path(settings.MEDIA_ROOT)
    before = {p for p in folder.rglob("*") if p.is_file()}
    mine = {p for p in before if image.file.name.rsplit("/", 1)[1].split(".")[0] in str(p)}
    assert len(mine) >= 1 + 8, "the original and its renditions"
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("admin:content_image_delete", args=[image.pk]), {"post": "yes"})
    assert not any(p.exists() for p in mine)
    article = soup(client.get("/weg/")).find("article")
    assert not article.find(["img", "picture", "figure"]) and "Tekst" in article.get_text()


def test_her_photo_is_on_the_home_page_and_about_me_and_an_articles_image_on_its_card(client, site_content):
    practice = PracticeDetails.load()
    assert practice.therapist_photo, "the initial content comes with a placeholder photo"
    for path in ("/", "/over-mij/"):
        portrait = soup(client.get(path)).find("figure", class_="portrait")
        assert portrait.find("picture").img["alt"] == practice.therapist_photo.alt_text, path
        assert practice.therapist_name in portrait.figcaption.get_text()
    article = Article.objects.published().first()
    article.image = practice.therapist_photo
    article.save()
    card = soup(client.get("/artikelen/")).find("a", string=article.title).find_parent("article")
    assert card.find("picture").img["loading"] == "lazy"
    top = soup(client.get(article.get_absolute_url())).find("div", class_="article-image")
    assert top.find("img")["fetchpriority"] == "high"


def test_the_placeholder_says_it_is_one(site_content):
    photo = PracticeDetails.load().therapist_photo
    assert "Tijdelijke" in photo.alt_text and "vervang" in photo.caption.lower()
    assert "tijdelijk" in photo.file.name


def test_images_in_the_picker_are_offered_to_the_editor(staff):
    image = make_image(staff)
    page = soup(staff.get(reverse("admin:content_image_picker") + "?CKEditorFuncNum=-1"))
    button = page.find("button", attrs={"data-id": str(image.pk)})
    assert button["data-url"] == image.file.url and button["data-alt"] == "Een rustige praktijkruimte"
    assert page.find(class_="image-picker")["data-callback"] == "-1"


def test_an_image_uploaded_in_the_picker_is_chosen_at_once(staff):
    response = staff.post(
        reverse("admin:content_image_picker") + "?CKEditorFuncNum=-2",
        {"file": SimpleUploadedFile("x.jpg", photo_with_location()), "alt_text": "Twee stoelen", "caption": ""},
    )
    image = Image.objects.get()
    assert soup(response).find("button", attrs={"data-chosen": True})["data-id"] == str(image.pk)
    assert not PILImage.open(image.file.path).getexif()


def test_the_picker_is_for_staff_only(client, db):
    response = client.get(reverse("admin:content_image_picker"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_replacing_a_photo_removes_the_old_file_and_its_sizes(staff, client, django_capture_on_commit_callbacks):
    image = make_image(staff)
    make_page(slug="vervangen", body=f'<img src="{image.file.url}" data-file="{image.pk}">')
    client.get("/vervangen/")
    old = [Path(settings.MEDIA_ROOT) / name for name in [image.file.name]]
    old_sizes = list((Path(settings.MEDIA_ROOT) / "afbeeldingen" / "formaten").rglob(Path(image.file.name).stem + "*"))
    assert old[0].exists() and len(old_sizes) == 8
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:content_image_change", args=[image.pk]),
            {
                "file": SimpleUploadedFile("nieuw.jpg", photo_with_location(900, 600)),
                "alt_text": "Nieuw",
                "caption": "",
            },
        )
    assert response.status_code == 302
    image.refresh_from_db()
    assert Path(image.file.path).exists() and image.width == 900
    assert not any(p.exists() for p in [*old, *old_sizes])
    assert "900w" in str(soup(client.get("/vervangen/")).find("picture"))
