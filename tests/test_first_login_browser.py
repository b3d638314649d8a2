"""The therapist's first login in a real browser: password, the QR code her phone scans,
one code from the app, her recovery codes, and then her day."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import ARTIFACTS, assert_accessible
from tests.test_twofactor import code

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_site):
    get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    return live_site


def scanned(image) -> list[str]:
    """What a phone's camera reads from a screenshot of the image."""
    import zxingcpp
    from PIL import Image

    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))]


@pytest.mark.parametrize("width", [360, 1280])
def test_her_first_login_scans_the_qr_code_and_ends_on_her_day(chromium, site, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    try:
        page.goto(site + reverse("admin:index"))
        page.get_by_label("Gebruikersnaam").fill("therapeut")
        page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
        page.get_by_role("button", name="Aanmelden").click()
        page.get_by_role("heading", name="Stel een tweede stap in").wait_for()
        assert page.title() == "Tweestapsverificatie | Praktijkbeheer"

        image = page.get_by_role("img", name="QR-code voor de authenticator-app")
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0
        device = TOTPDevice.objects.get(user__username="therapeut", confirmed=False)
        assert scanned(image) == [device.config_url]
        assert device.config_url.startswith("otpauth://totp/")
        assert_accessible(page, f"first-login-qr-{width}")
        # Nothing sticks out sideways on a small phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.get_by_label("Code uit de app (6 cijfers)").fill(code(device))
        page.get_by_role("button", name="Bevestigen").click()
        page.get_by_role("heading", name="Bewaar uw herstelcodes").wait_for()
        assert page.locator("ul.recovery-codes code").count() == 10
        page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
        page.get_by_role("heading", name="Uw dag").wait_for()
        assert page.url == site + reverse("admin:index")
        page.screenshot(path=str(ARTIFACTS / f"first-login-day-{width}.png"), full_page=True)
        assert problems == []
    finally:
        context.close()
