"""A person books an online and an in-person intake on a phone; the therapist sees both in her agenda."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from booking.models import Booking
from booking.public import choice
from content.initial_content import load_initial_content
from tests.booking.helpers import open_every_day
from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_site):
    load_initial_content()
    open_every_day()
    get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    return live_site


def book_as_a_person(page, site, *, kind_link: str, name: str, email: str, step: str) -> str:
    page.goto(site + "/")
    page.get_by_role("main").get_by_role("link", name="Plan een gratis kennismaking").first.click()
    page.wait_for_url("**/kennismaking/")
    assert_accessible(page, f"{step}-1-start")

    page.get_by_role("link", name=kind_link).click()
    page.wait_for_url("**/kennismaking/*/")
    assert_accessible(page, f"{step}-2-choose")

    first_time = page.locator("section.day").first.get_by_role("link").first
    chosen = first_time.get_attribute("aria-label")
    first_time.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Je gegevens"

    # First a mistake: the form says what is wrong and keeps what was typed.
    page.get_by_label("Je naam").fill(name)
    page.get_by_label("Je e-mailadres").fill("niet-goed")
    page.get_by_role("button", name="Kennismaking boeken").click()
    assert page.get_by_text("Dit lijkt geen geldig e-mailadres").is_visible()
    assert page.get_by_label("Je naam").input_value() == name
    assert_accessible(page, f"{step}-3-details-error")

    page.get_by_label("Je e-mailadres").fill(email)
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Kennismaking boeken").click()
    page.wait_for_url("**/kennismaking/bevestiging/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Je kennismaking is geboekt"
    assert page.get_by_text("Wat gebeurt er nu?").is_visible()
    assert "0800-0113" in page.get_by_role("complementary", name="Heb je het nu zwaar?").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, f"{step}-4-confirmation")
    return chosen


def test_booking_online_and_in_person_on_a_phone_then_the_agenda(phone, site):
    online = book_as_a_person(
        phone, site, kind_link="Online", name="Anna Online", email="anna@example.com", step="online"
    )
    assert "Online (video)" in phone.locator("dl.summary").inner_text()
    in_person = book_as_a_person(
        phone, site, kind_link="In de praktijk", name="Bram Praktijk", email="bram@example.com", step="praktijk"
    )
    assert "Voorbeeldstraat 12" in phone.locator("dl.summary").inner_text()
    assert {b.kind for b in Booking.objects.all()} == {"online", "in_person"}

    # Back and send again: still two bookings.
    phone.go_back()
    phone.get_by_role("button", name="Kennismaking boeken").click()
    assert Booking.objects.count() == 2

    phone.goto(site + reverse("admin:index"))
    phone.get_by_label("Gebruikersnaam").fill("therapeut")
    phone.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    phone.get_by_role("button", name="Aanmelden").click()
    # The second step: the first time, a QR code to scan, then a code from the app.
    assert phone.get_by_role("heading", name="Stel een tweede stap in").is_visible()
    assert_accessible(phone, "admin-twofactor-setup")
    device = TOTPDevice.objects.get(user__username="therapeut")
    phone.get_by_label("Code uit de app (6 cijfers)").fill(f"{TOTP(device.bin_key).token():06d}")
    phone.get_by_role("button", name="Bevestigen").click()
    # Then, once, the recovery codes for a lost phone.
    assert phone.get_by_role("heading", name="Bewaar uw herstelcodes").is_visible()
    assert phone.locator("ul.recovery-codes code").count() == 10
    assert_accessible(phone, "admin-recovery-codes")
    phone.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    phone.get_by_role("link", name="Agenda").first.click()
    phone.wait_for_url("**" + reverse("admin:booking_agenda"))
    agenda = phone.locator("#content-main").inner_text()
    assert "Anna Online" in agenda and "Bram Praktijk" in agenda
    assert online and in_person
    assert_accessible(phone, "agenda")


def test_changing_the_intake_from_the_email_link_on_a_phone(phone, site):
    import re

    from django.conf import settings
    from django.core import mail

    book_as_a_person(phone, site, kind_link="Online", name="Cor Wijzig", email="cor@example.com", step="change")
    [confirmation] = [m for m in mail.outbox if m.to == ["cor@example.com"]]
    link = re.search(r"http://\S+/kennismaking/beheer/\S+/", confirmation.body).group(0)
    # The email's link carries the site's configured address; the test server has its own port.
    assert link.startswith(settings.SITE_URL)
    phone.goto(site + link.removeprefix(settings.SITE_URL))
    assert phone.get_by_role("heading", level=1).inner_text() == "Je kennismaking"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone, "change-1-manage")

    phone.get_by_role("link", name="Verzetten naar een gesprek in de praktijk").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Kies een nieuw moment"
    assert_accessible(phone, "change-2-choose")
    phone.locator("section.day").first.get_by_role("link").first.click()
    assert_accessible(phone, "change-3-confirm")
    phone.get_by_role("button", name="Ja, verzet het gesprek").click()
    assert phone.get_by_text("Het gesprek is verzet").is_visible()
    assert "In de praktijk" in phone.locator("dl.summary").inner_text()
    assert_accessible(phone, "change-4-moved")

    phone.get_by_role("link", name="Afzeggen").click()
    assert_accessible(phone, "change-5-cancel")
    phone.get_by_role("button", name="Ja, zeg het gesprek af").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Dit gesprek is afgezegd"
    assert_accessible(phone, "change-6-cancelled")
    booking = Booking.objects.get(email="cor@example.com")
    assert booking.status == "cancelled_client" and booking.kind == "in_person" and booking.sequence == 2
    subjects = [m.subject for m in mail.outbox if m.to == ["cor@example.com"]]
    assert len(subjects) == 3
    assert subjects[0].startswith("Je kennismakingsgesprek op ")
    assert subjects[1].startswith("Verzet: ") and subjects[2].startswith("Afgezegd: ")


def test_the_therapist_adds_her_own_calendar_and_its_times_disappear(phone, site, settings):
    from datetime import timedelta

    from playwright.sync_api import expect

    from tests.booking.helpers import free_slots
    from tests.booking.servers import IcsServer, Route
    from tests.booking.test_own_calendars import ics_with

    settings.CALENDAR_ALLOW_LOOPBACK = True
    first = free_slots("online")[0]
    server = IcsServer().start()
    try:
        server.routes["/prive/basic.ics"] = Route(body=ics_with((first.start, first.end + timedelta(minutes=30))))
        phone.set_viewport_size({"width": 1280, "height": 900})
        phone.goto(site + reverse("admin:index"))
        phone.get_by_label("Gebruikersnaam").fill("therapeut")
        phone.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
        phone.get_by_role("button", name="Aanmelden").click()
        device = TOTPDevice.objects.get(user__username="therapeut")
        phone.get_by_label("Code uit de app (6 cijfers)").fill(f"{TOTP(device.bin_key).token():06d}")
        phone.get_by_role("button", name="Bevestigen").click()
        phone.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
        expect(phone.get_by_role("heading", name="Kennismakingen vandaag en de komende week")).to_be_visible()
        assert_accessible(phone, "admin-dashboard")

        phone.get_by_role("link", name="Mijn agenda's").first.click()
        phone.get_by_role("link", name="Eigen agenda toevoegen").click()
        phone.get_by_role("textbox", name="Naam:", exact=True).fill("Google-agenda")
        phone.locator("#id_url").fill(server.url + "/prive/basic.ics")
        assert_accessible(phone, "admin-own-calendar-add")
        phone.get_by_role("button", name="Opslaan", exact=True).click()
        expect(phone.get_by_text("in orde").first).to_be_visible()
        assert_accessible(phone, "admin-own-calendars")

        phone.goto(site + f"/kennismaking/online/?week={first.start.date().isoformat()}")
        assert phone.locator(f'a[href="{choice.slot_url(first.start, "online")}"]').count() == 0
        phone.goto(site + reverse("admin:booking_agenda"))
        expect(phone.get_by_text("bezet in je eigen agenda").first).to_be_visible()
    finally:
        server.stop()


@pytest.mark.parametrize("width", [360, 1280])
def test_two_people_one_time_the_second_picks_another_moment_and_keeps_what_she_typed(chromium, site, width):
    """Two browsers open the same time; the first books it. The second, her form filled in,
    is offered other moments in the same form, picks one and books it with one button."""
    from playwright.sync_api import expect

    first_browser = chromium.new_context(viewport={"width": width, "height": 800}, locale="nl-NL")
    second_browser = chromium.new_context(viewport={"width": width, "height": 800}, locale="nl-NL")
    first, second = first_browser.new_page(), second_browser.new_page()
    try:
        first.goto(site + "/kennismaking/")
        assert_accessible(first, f"taken-{width}-1-start")
        assert "Meestal op" in first.get_by_role("link", name="Online").inner_text()
        first.get_by_role("link", name="Online").click()
        assert_accessible(first, f"taken-{width}-2-choose")
        slot_link = first.locator("section.day").first.get_by_role("link").first
        slot_path = slot_link.get_attribute("href")
        second.goto(site + slot_path)
        slot_link.click()

        for page, name, email in (
            (first, "Eerste", "eerste@example.com"),
            (second, "Tweede Persoon", "tweede@example.com"),
        ):
            page.get_by_label("Je naam").fill(name)
            page.get_by_label("Je e-mailadres").fill(email)
            page.get_by_label("Ik heb de privacyverklaring gelezen").check()
        assert_accessible(second, f"taken-{width}-3-details")
        first.get_by_role("button", name="Kennismaking boeken").click()
        first.wait_for_url("**/kennismaking/bevestiging/*/")

        second.get_by_label("Wat wil je alvast kwijt?").fill("Over vertrouwen")
        second.get_by_label("Ik geef toestemming").check()
        second.get_by_role("button", name="Kennismaking boeken").click()
        expect(second.get_by_role("heading", name="Dit tijdstip is net door iemand anders geboekt")).to_be_visible()
        assert second.get_by_label("Je naam").input_value() == "Tweede Persoon"
        assert second.get_by_label("Wat wil je alvast kwijt?").input_value() == "Over vertrouwen"
        assert second.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(second, f"taken-{width}-4-taken")
        moments = second.get_by_role("group", name="Kies een ander moment").get_by_role("radio")
        assert moments.count() == 3
        picked_label = moments.nth(0).evaluate("radio => radio.closest('label').innerText")
        moments.nth(0).check()
        assert second.get_by_role("button", name="Kennismaking boeken").count() == 1
        second.get_by_role("button", name="Kennismaking boeken").click()
        second.wait_for_url("**/kennismaking/bevestiging/*/")
        assert_accessible(second, f"taken-{width}-5-confirmation")
        booking = Booking.objects.get(email="tweede@example.com")
        shown = second.locator("main").inner_text()
        assert picked_label.split(" om ")[1] in shown, "the confirmation shows the moment she picked"
        assert (
            booking.note == "Over vertrouwen" and booking.start != Booking.objects.get(email="eerste@example.com").start
        )
    finally:
        first_browser.close()
        second_browser.close()
