"""In a real browser: people join the waiting list on a phone, a booking is cancelled, the first
waiting person books the held time from her email; a hold that runs out passes to the next.
And a question: sent from the contact page, read in the admin, never in an email."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from booking.domain import links
from booking.models import Booking, Hold, Question
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, open_every_day
from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser

QUESTION = "Ik loop vast in relaties en weet niet of therapie bij mij past"


@pytest.fixture
def site(live_site):
    load_initial_content()
    open_every_day()
    get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    return live_site


def join(page, site, *, name: str, email: str, step: str, in_person_too: bool = False) -> None:
    page.goto(site + "/kennismaking/online/")
    page.get_by_role("link", name="Op de wachtlijst").click()
    page.wait_for_url("**/kennismaking/wachtlijst/?vorm=online")
    assert page.get_by_role("heading", level=1).inner_text() == "Geen passend moment? Zet je op de wachtlijst"
    # A mistake first: said next to the field, what was typed stays.
    page.get_by_label("Je naam").fill(name)
    page.get_by_role("button", name="Op de wachtlijst").click()
    assert page.get_by_text("Vul je e-mailadres in.").is_visible()
    assert page.get_by_label("Je naam").input_value() == name
    assert_accessible(page, f"{step}-join-error")
    page.get_by_label("Je e-mailadres").fill(email)
    # Coming from the online week, online is ticked; the practice may suit her too.
    assert page.get_by_label("online (video)").is_checked()
    if in_person_too:
        page.get_by_label("in de praktijk").check()
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Op de wachtlijst").click()
    page.wait_for_url("**/kennismaking/wachtlijst/aangemeld/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kijk in je mail"
    assert_accessible(page, f"{step}-check-mail")
    # She confirms from her email: the page shows what will be stored, the button stores it.
    [message] = [m for m in mail.outbox if m.to == [email] and m.subject.startswith("Bevestig")]
    page.goto(site + link_in(message, r"http://\S+/kennismaking/wachtlijst/bevestigen/\S+/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Bevestig je aanmelding voor de wachtlijst"
    assert page.get_by_text(name, exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, f"{step}-confirm")
    page.get_by_role("button", name="Ja, zet mij op de wachtlijst").click()
    page.wait_for_url("**/kennismaking/wachtlijst/bevestigd/")
    assert page.get_by_role("heading", level=1).inner_text() == "Je staat op de wachtlijst"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, f"{step}-joined")


def link_in(message, pattern: str) -> str:
    link = re.search(pattern, message.body).group(0)
    return link.removeprefix(settings.SITE_URL)


def offers_to(email: str) -> list:
    return [m for m in mail.outbox if m.to == [email] and m.subject.startswith("Er is een tijd vrijgekomen")]


def cancel_in_browser(page, site, booking) -> None:
    page.goto(site + links.manage_path(booking))
    page.get_by_role("link", name="Afzeggen").click()
    page.get_by_role("button", name="Ja, zeg het gesprek af").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dit gesprek is afgezegd"


def test_the_first_waiting_person_books_the_freed_time_and_a_later_one_is_not_offered_it(phone, site):
    taken = book(free_slots()[-1], email="weg@example.com", name="Weg")
    join(phone, site, name="Åse Ölçer", email="ase@example.com", step="waiting-first", in_person_too=True)

    cancel_in_browser(phone, site, taken)
    [offer] = offers_to("ase@example.com")
    assert Hold.objects.get().start == taken.start

    # Someone joining now is not offered the held time, and does not see it.
    join(phone, site, name="Bram Later", email="bram@example.com", step="waiting-second")
    phone.goto(site + "/kennismaking/online/?week=" + taken.start.strftime("%Y-%m-%d"))
    assert phone.locator("a.time").count(), "the week is shown, without the held time"
    assert not phone.locator(f'a.time[href*="{taken.start.strftime("%Y%m%dT%H%MZ")}"]').count()

    phone.goto(site + link_in(offer, r"http://\S+/kennismaking/wachtlijst/tijd/\S+/"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Deze tijd houd ik voor je vast"
    assert phone.get_by_label("Je naam").input_value() == "Åse Ölçer"
    assert_accessible(phone, "waiting-hold")
    phone.get_by_label("In de praktijk").check()
    phone.get_by_label("Ik heb de privacyverklaring gelezen").check()
    phone.get_by_role("button", name="Kennismaking boeken").click()
    phone.wait_for_url("**/kennismaking/bevestiging/*/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Je kennismaking is geboekt"
    assert_accessible(phone, "waiting-booked")

    booking = Booking.objects.get(email="ase@example.com")
    assert (booking.start, booking.kind, booking.status) == (taken.start, "in_person", "confirmed")
    assert offers_to("bram@example.com") == []
    assert not Hold.objects.filter(entry__email="bram@example.com").exists()


def test_a_hold_that_runs_out_passes_to_the_next_person(phone, site, clock):
    taken = book(free_slots()[-1], email="weg@example.com", name="Weg")
    join(phone, site, name="Eerste", email="eerste@example.com", step="expiry-first")
    join(phone, site, name="Tweede", email="tweede@example.com", step="expiry-second")
    cancel_in_browser(phone, site, taken)
    [first_offer] = offers_to("eerste@example.com")
    assert offers_to("tweede@example.com") == []

    hold = Hold.objects.get()
    clock.move_to(hold.expires_at + timedelta(minutes=1))
    # Nobody visits the site: the every-few-minutes job (the worker's safety net) passes it on.
    call_command("send_reminders", stdout=io.StringIO())
    [second_offer] = offers_to("tweede@example.com")

    phone.goto(site + link_in(first_offer, r"http://\S+/kennismaking/wachtlijst/tijd/\S+/"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Deze tijd is niet meer vastgehouden"
    assert phone.get_by_text("Je staat nog op de wachtlijst").is_visible()
    assert phone.get_by_role("heading", level=1).bounding_box()["x"] >= 12, "text off the screen's edge"
    assert_accessible(phone, "expiry-gone")

    phone.goto(site + link_in(second_offer, r"http://\S+/kennismaking/wachtlijst/tijd/\S+/"))
    phone.get_by_label("Ik heb de privacyverklaring gelezen").check()
    phone.get_by_role("button", name="Kennismaking boeken").click()
    phone.wait_for_url("**/kennismaking/bevestiging/*/")
    assert Booking.objects.get(email="tweede@example.com").start == taken.start

    # Leaving from the email, with the button on the page.
    phone.goto(site + link_in(first_offer, r"http://\S+/kennismaking/wachtlijst/afmelden/\S+/"))
    assert_accessible(phone, "waiting-leave")
    phone.get_by_role("button", name="Haal mij van de wachtlijst").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Je staat niet meer op de wachtlijst"


def test_a_question_reaches_the_admin_and_no_email_holds_it(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(site + "/contact/")
    page.get_by_role("link", name="Stel een vraag").click()
    page.wait_for_url("**/kennismaking/vraag/")
    assert_accessible(page, "question-form")
    page.get_by_label("Je naam").fill("Zoë van ’t Hoff")
    page.get_by_label("Je e-mailadres").fill("zoe@example.com")
    page.get_by_label("Je vraag").fill(QUESTION)
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_url("**/kennismaking/vraag/verstuurd/")
    assert page.get_by_role("heading", level=1).inner_text() == "Je vraag is goed aangekomen"
    assert_accessible(page, "question-sent")
    assert Question.objects.get().text == QUESTION

    assert sorted(m.to[0] for m in mail.outbox) == ["info@praktijk.example", "zoe@example.com"]
    for message in mail.outbox:
        assert "relaties" not in message.message().as_string()

    to_practice = next(m for m in mail.outbox if m.to == ["info@praktijk.example"])
    admin_link = link_in(to_practice, r"http://\S+/admin/booking/question/\d+/change/")
    page.goto(site + admin_link)
    page.get_by_label("Gebruikersnaam").fill("therapeut")
    page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    device = TOTPDevice.objects.get(user__username="therapeut")
    page.get_by_label("Code uit de app (6 cijfers)").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    page.goto(site + admin_link)
    assert QUESTION in page.locator("#content-main").inner_text()
    page.screenshot(path="test-artifacts/question-admin.png", full_page=True)
    page.get_by_label("Afgehandeld").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    assert Question.objects.get().handled_at is not None
    context.close()
