"""The therapist's workplace in a real browser: sign in with two steps, see her day, write
an article with the editor (heading, list, link, an uploaded photo), preview it while it
is scheduled, publish it, change it and go back to the earlier version."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from content.initial_content import load_initial_content
from tests.booking.helpers import open_every_day
from tests.conftest import ARTIFACTS, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_site):
    load_initial_content()
    open_every_day()
    get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    return live_site


@pytest.fixture
def desk(chromium, live_site):
    """A 1280 px browser window that records every console error and CSP violation."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def sign_in(page, site) -> None:
    page.goto(site + reverse("admin:index"))
    page.get_by_label("Gebruikersnaam").fill("therapeut")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    device = TOTPDevice.objects.get(user__username="therapeut")
    page.get_by_label("Code uit de app (6 cijfers)").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()


def editor(page):
    return page.locator(".prose-editor > .ProseMirror")


def dialog(page):
    return page.locator("dialog[open]")


def test_writing_an_article_with_a_photo_preview_publish_change_and_restore(desk, site, tmp_path):
    from playwright.sync_api import expect

    from content.models import Article
    from tests.booking.helpers import book
    from tests.content.test_images import photo_with_location

    page = desk
    intake = book(name="Anouk Jansen", email="anouk@example.com")
    sign_in(page, site)
    expect(page.get_by_role("heading", name="Kennismakingen vandaag en de komende week")).to_be_visible()
    expect(page.get_by_text("Anouk Jansen").first).to_be_visible()
    # Her first time: the newest bookings are new to her.
    expect(page.locator("section[aria-labelledby=dash-new]")).to_contain_text("Anouk Jansen")
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard-1280.png"), full_page=True)

    page.get_by_role("link", name="Artikelen").first.click()
    page.get_by_role("link", name="Artikel toevoegen").click()
    page.get_by_label("Titel").fill("Rust vinden in contact")
    page.get_by_label("Samenvatting").fill("Wat je kunt doen als nabijheid spannend is.")
    page.get_by_label("Webadres").fill("rust-vinden")

    # A heading, chosen from the toolbar as in a word processor.
    editor(page).click()
    page.locator(".prose-menubar__selected").click()
    page.get_by_role("button", name="Tussenkop", exact=True).click()
    page.keyboard.type("Wat helpt")
    page.keyboard.press("Enter")
    page.keyboard.type("Drie dingen die helpen:")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Opsomming met bolletjes").click()
    for item in ("Ademhalen", "Wandelen", "Praten"):
        page.keyboard.type(item)
        page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # out of the list
    page.keyboard.type("Lees ook contact")
    # Under load the editor can lag behind the keyboard: select only once the words are there,
    # and go on only once the link is in the text.
    expect(editor(page)).to_contain_text("Lees ook contact")
    for _ in range(len("contact")):
        page.keyboard.press("Shift+ArrowLeft")
    page.get_by_role("button", name="Link maken").click()
    dialog(page).get_by_label("Adres").fill("/contact/")
    dialog(page).get_by_role("button", name="Opslaan").click()
    expect(editor(page).get_by_role("link", name="contact")).to_have_count(1)
    editor(page).focus()
    page.keyboard.press("End")
    # A person pauses here; the editor reads the moved cursor a moment after the key.
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")

    # A photo: uploaded from the editor's own dialog, with its description.
    photo = tmp_path / "IMG_thuis.jpg"
    photo.write_bytes(photo_with_location())
    page.get_by_role("button", name="Afbeelding invoegen").click()
    with page.expect_popup() as popup_info:
        dialog(page).get_by_role("button", name="Bladeren…").click()
    picker = popup_info.value
    picker.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    picker.wait_for_load_state()
    picker.screenshot(path=str(ARTIFACTS / "admin-image-picker-1280.png"), full_page=True)
    picker.get_by_label("Bestand").set_input_files(str(photo))
    picker.get_by_label("Beschrijving voor wie niet kan zien").fill("Twee stoelen bij een raam met zonlicht")
    picker.get_by_role("button", name="Uploaden en kiezen").click()
    picker.wait_for_event("close")
    expect(dialog(page).get_by_label("Beschrijving voor wie niet kan zien")).to_have_value(
        "Twee stoelen bij een raam met zonlicht"
    )
    dialog(page).get_by_role("button", name="Invoegen").click()
    expect(editor(page).locator("figure img")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "admin-editor-1280.png"), full_page=True)

    # Scheduled for next week.
    later = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Klaar om te publiceren").check()
    page.locator("#id_published_at_0").fill(later.strftime("%d-%m-%Y"))
    page.locator("#id_published_at_1").fill("09:00:00")
    page.get_by_role("button", name="Opslaan en opnieuw bewerken").last.click()
    expect(page.locator(".messagelist")).to_contain_text("Het artikel")
    article = Article.objects.get(slug="rust-vinden")
    assert article.published_at > timezone.now()

    with page.context.expect_page() as preview_info:
        page.get_by_role("link", name="Bekijk voorbeeld").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    expect(preview.get_by_text("Voorbeeld — nog niet gepubliceerd")).to_be_visible()
    body = preview.locator("article")
    expect(body.get_by_role("heading", level=2, name="Wat helpt")).to_be_visible()
    expect(body.locator("ul li")).to_have_count(3)
    expect(body.get_by_role("link", name="contact")).to_have_attribute("href", "/contact/")
    expect(body.locator("picture source[type='image/webp']")).to_have_count(1)
    preview.close()
    assert page.request.get(site + "/artikelen/rust-vinden/").status == 404

    # Published: from an hour ago (the site's clock, not the browser's).
    earlier = timezone.localtime() - timedelta(hours=1)
    page.locator("#id_published_at_0").fill(earlier.strftime("%d-%m-%Y"))
    page.locator("#id_published_at_1").fill(earlier.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Opslaan en opnieuw bewerken").last.click()
    expect(page.locator(".messagelist")).to_contain_text("Het artikel")

    public = page.context.new_page()
    public.goto(site + "/artikelen/rust-vinden/")
    picture = public.locator("article picture")
    expect(picture.locator("img")).to_have_attribute("alt", "Twee stoelen bij een raam met zonlicht")
    srcset = picture.locator("source[type='image/webp']").get_attribute("srcset")
    assert srcset.count(".webp") >= 3
    assert public.locator("article picture img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert_accessible(public, "article-with-photo-1280")
    public.close()

    from PIL import ExifTags
    from PIL import Image as PILImage

    from content.models import Image

    stored = Image.objects.get(alt_text="Twee stoelen bij een raam met zonlicht")
    with PILImage.open(stored.file.path) as original:
        assert not original.getexif().get_ifd(ExifTags.IFD.GPSInfo) and not original.getexif()
    assert "thuis" not in stored.file.name

    # Changed...
    editor(page).locator("p").first.click()
    page.keyboard.press("End")
    page.keyboard.type(" Een nieuwe zin.")
    page.get_by_role("button", name="Opslaan en opnieuw bewerken").last.click()
    expect(page.locator(".messagelist")).to_contain_text("Het artikel")
    assert "Een nieuwe zin." in Article.objects.get(slug="rust-vinden").body_html

    # ...and back to the version before the change.
    page.get_by_role("link", name="Geschiedenis").click()
    page.screenshot(path=str(ARTIFACTS / "admin-history-1280.png"), full_page=True)
    history = page.locator("#change-history tbody tr")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("Een nieuwe zin.")
    assert "<p>" not in history.first.inner_text(), "a change reads as text, not as HTML"
    history.nth(1).locator("td").first.get_by_role("link").click()
    page.screenshot(path=str(ARTIFACTS / "admin-history-version-1280.png"), full_page=True)
    page.get_by_role("button", name="Deze versie terugzetten").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Het artikel")
    article.refresh_from_db()
    assert "Een nieuwe zin." not in article.body_html and "Wat helpt" in article.body_html
    assert intake.name == "Anouk Jansen"

    # The other admin pages she uses load without a console error or a blocked resource.
    from content.models import Page, PracticeDetails

    for url in [
        reverse("admin:index"),
        reverse("admin:content_page_change", args=[Page.objects.get(slug="over-mij").pk]),
        reverse("admin:content_practicedetails_change", args=[PracticeDetails.load().pk]),
        reverse("admin:content_image_changelist"),
        reverse("admin:content_image_add"),
        reverse("admin:content_image_change", args=[stored.pk]),
        reverse("admin:content_article_changelist"),
        reverse("admin:booking_booking_changelist"),
    ]:
        page.goto(site + url)
        page.wait_for_load_state("networkidle")
    assert page.problems == [], page.problems

    # Public pages with her photo pass axe.
    public = page.context.new_page()
    for path, name in [("/", "home-with-photo-1280"), ("/over-mij/", "about-with-photo-1280")]:
        public.goto(site + path)
        expect(public.locator("figure.portrait picture img")).to_be_visible()
        assert_accessible(public, name)
