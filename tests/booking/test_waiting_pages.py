"""The waiting list over HTTP: joining, booking a held time, leaving; and in the admin."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.domain import links
from booking.models import Booking, Hold, OutgoingEmail, WaitingEntry
from booking.services import bookings, waiting
from content.initial_content import load_initial_content
from practice import ratelimit
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day
from tests.helpers import login_admin, soup, text_of

JOIN = "/kennismaking/wachtlijst/"


@pytest.fixture(autouse=True)
def site(db):
    load_initial_content()
    open_every_day()


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    login_admin(client, user)
    return client


def join_data(**overrides) -> dict:
    data = {
        "kinds": ["online", "in_person"],
        "days": ["0", "1", "2", "3", "4"],
        "parts": ["morning", "evening"],
        "name": "Jörg Ölçer, jr.",
        "email": "jorg@example.com",
        "phone": "",
        "privacy": "on",
        "website": "",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def offered_hold(email="wacht@example.com") -> Hold:
    """Someone waits, a far booking is cancelled, the worker looks: a hold for her."""
    booking = book(free_slots()[-1], email="weg@example.com")
    join_waiting_list(email=email, name="Wachtende")
    waiting.offer_waiting_times(now=timezone.now())
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    waiting.offer_waiting_times(now=timezone.now())
    return Hold.objects.get(entry__email=email, status=Hold.Status.OPEN)


def hold_path(hold) -> str:
    return links.hold_url(hold).removeprefix("http://127.0.0.1:8000")


def leave_path(entry) -> str:
    return links.leave_url(entry).removeprefix("http://127.0.0.1:8000")


def test_the_week_pages_and_an_empty_start_invite_to_the_waiting_list(client):
    page = soup(client.get("/kennismaking/online/"))
    invite = page.select_one("#waiting-heading").find_parent("section")
    assert invite.select_one("a")["href"] == "/kennismaking/wachtlijst/?vorm=online"
    assert "#waiting-heading" not in str(soup(client.get("/kennismaking/"))), "times are free: no invitation"
    from booking.models import WeeklyWindow

    WeeklyWindow.objects.all().delete()
    assert soup(client.get("/kennismaking/")).select_one("#waiting-heading")
    assert soup(client.get("/kennismaking/praktijk/")).select_one("#waiting-heading")


def confirm_path(address: str) -> str:
    """The confirmation link from the newest email to this address, as a path."""
    [message, *_] = [m for m in reversed(mail.outbox) if m.to == [address]]
    return re.search(r"/kennismaking/wachtlijst/bevestigen/[^/\s]+/", message.body).group(0)


def test_joining_with_the_kind_from_the_week_page(client, django_capture_on_commit_callbacks):
    page = soup(client.get(JOIN + "?vorm=praktijk"))
    assert len(page.find_all("h1")) == 1
    checked = [box["value"] for box in page.select("input[name=kinds][checked]")]
    assert checked == ["in_person"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN, join_data())
    assert response.status_code == 302 and response["Location"] == "/kennismaking/wachtlijst/aangemeld/"
    assert not WaitingEntry.objects.exists(), "only after the address confirms"
    assert "Kijk in je mail" in text_of(client.get(response["Location"]))
    # The person behind the address confirms through the emailed link.
    link = confirm_path("jorg@example.com")
    page = soup(client.get(link))
    confirmed = client.post(link, {"versie": page.select_one("input[name=versie]")["value"]})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/kennismaking/wachtlijst/bevestigd/"
    entry = WaitingEntry.objects.get()
    assert (entry.name, entry.days, entry.parts) == ("Jörg Ölçer, jr.", [0, 1, 2, 3, 4], ["morning", "evening"])
    assert entry.expires_at - entry.created_at == timedelta(days=60)
    confirmation = client.get(confirmed["Location"])
    assert "Je staat op de wachtlijst" in text_of(confirmation)
    assert "Jörg" not in text_of(confirmation), "no personal data on a page anyone can open"


def test_mistakes_get_dutch_messages_and_keep_what_was_typed(client):
    response = client.post(JOIN, join_data(kinds=None, days=None, parts=["nacht"], privacy=None))
    assert response.status_code == 400
    text = text_of(response)
    for message in [
        "Kies online, in de praktijk, of allebei.",
        "Kies minstens één dag.",
        "Vink dit aan om op de wachtlijst te komen.",
    ]:
        assert message in text
    assert "Selecteer een geldige keuze" in text or "geen geldige keuze" in text.lower()
    assert soup(response).select_one("input[name=name]")["value"] == "Jörg Ölçer, jr."
    assert not WaitingEntry.objects.exists()


def test_the_honeypot_and_the_shared_rate_limit(client):
    response = client.post(JOIN, join_data(website="http://spam.example"))
    assert response.status_code == 400 and not WaitingEntry.objects.exists()
    for _ in range(ratelimit.FORM_LIMIT):
        client.post("/kennismaking/vraag/", {"name": ""}, REMOTE_ADDR="192.0.2.9")
    response = client.post(JOIN, join_data(), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    assert text_of(response).count("Wacht een kwartier") == 1
    assert not WaitingEntry.objects.exists()


def test_booking_the_held_time_from_the_email_link(client):
    hold = offered_hold()
    page = client.get(hold_path(hold))
    assert page.status_code == 200
    html = soup(page)
    assert html.select_one("input[name=name]")["value"] == "Wachtende"
    assert html.select_one("input[name=email]")["value"] == "wacht@example.com"
    assert "Deze tijd houd ik voor je vast" in text_of(page)
    response = client.post(
        hold_path(hold),
        {
            "kind": "in_person",
            "name": "Wachtende",
            "email": "wacht@example.com",
            "phone": "",
            "note": "",
            "privacy": "on",
            "website": "",
            "request_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302 and "/kennismaking/bevestiging/" in response["Location"]
    booking = Booking.objects.get(email="wacht@example.com")
    assert (booking.start, booking.kind) == (hold.start, "in_person")
    # The link again: nothing booked twice, and no way into the booking (that link came by email).
    again = client.get(hold_path(hold))
    assert again.status_code == 410 and "Je hebt deze tijd al geboekt" in text_of(again)


def test_a_held_page_after_the_hold_ran_out_or_with_a_broken_link(client, clock):
    hold = offered_hold()
    assert client.get(hold_path(hold)[:-5] + "xxxx/").status_code == 404
    clock.move_to(hold.expires_at + timedelta(seconds=1))
    response = client.get(hold_path(hold))
    assert response.status_code == 410
    assert "Deze tijd is niet meer vastgehouden" in text_of(response)
    assert "Je staat nog op de wachtlijst" in text_of(response)
    posted = client.post(hold_path(hold), {"kind": "online", "privacy": "on"})
    assert posted.status_code == 410
    assert not Booking.objects.filter(email="wacht@example.com").exists()


def test_only_a_kind_the_hold_offers_can_be_booked(client):
    hold = offered_hold()
    Hold.objects.filter(pk=hold.pk).update(offers_in_person=False)
    page = soup(client.get(hold_path(hold)))
    assert page.select_one("input[name=kind]")["type"] == "hidden"
    response = client.post(
        hold_path(hold),
        {
            "kind": "in_person",
            "name": "W",
            "email": "wacht@example.com",
            "privacy": "on",
            "website": "",
            "request_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert not Booking.objects.filter(email="wacht@example.com").exists()


def test_leaving_asks_first_and_a_mail_program_can_leave_in_one_click(client):
    entry = join_waiting_list()
    page = client.get(leave_path(entry))
    assert page.status_code == 200 and WaitingEntry.objects.exists(), "opening the link takes nobody off"
    # RFC 8058: a POST without cookies or CSRF token, from the mail program.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(leave_path(entry), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not WaitingEntry.objects.exists()
    assert "Je staat niet meer op de wachtlijst" in text_of(response)
    assert "Je staat niet (meer) op de wachtlijst" in text_of(client.get(leave_path(entry)))
    assert client.get("/kennismaking/wachtlijst/afmelden/onzin/").status_code == 200


def test_every_waiting_list_email_links_to_leaving_and_the_offer_to_its_hold(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hold = offered_hold()
    messages = [m for m in mail.outbox if m.to == ["wacht@example.com"]]
    assert [m.subject.split(":")[0] for m in messages] == ["Je staat op de wachtlijst", "Er is een tijd vrijgekomen"]
    for message in messages:
        assert links.leave_url(hold.entry).split("/afmelden/")[0] in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.search(r"/kennismaking/wachtlijst/tijd/[^/\s]+/", messages[1].body)


def test_the_admin_lists_the_waiting_and_offers_a_time(admin_client):
    hold = offered_hold()
    later = join_waiting_list(email="later@example.com", name="Later")
    page = admin_client.get(reverse("admin:booking_waitingentry_changelist"))
    assert page.status_code == 200
    text = text_of(page)
    assert text.index("Wachtende") < text.index("Later")
    assert "tijd aangeboden" in text
    assert "online, praktijk · ma di wo do vr za zo · ochtend, middag, avond" in text
    change = admin_client.get(reverse("admin:booking_waitingentry_change", args=[hold.entry_id]))
    assert change.status_code == 200
    assert "aangeboden tijden" in text_of(change).lower()
    offer_url = reverse("admin:booking_waitingentry_offer", args=[later.pk])
    options = soup(admin_client.get(offer_url)).select("select[name=moment] option")
    assert options
    response = admin_client.post(offer_url, {"moment": options[2]["value"]})
    assert response.status_code == 302
    made = Hold.objects.get(entry=later)
    assert made.by_practice
    assert OutgoingEmail.objects.filter(hold=made).exists()
    again = admin_client.post(offer_url, {"moment": options[3]["value"]})
    assert again.status_code == 400 and "Eén tijd tegelijk" in text_of(again)
    assert admin_client.post(offer_url, {"moment": "nonsense"}).status_code == 400


def test_the_admin_explains_an_end_date_before_joining(admin_client):
    entry = join_waiting_list()
    url = reverse("admin:booking_waitingentry_change", args=[entry.pk])
    data = {
        "name": entry.name,
        "email": entry.email,
        "phone": "",
        "offers_online": "on",
        "days": ["0"],
        "parts": ["morning"],
        "expires_at_0": (entry.created_at - timedelta(days=1)).strftime("%d-%m-%Y"),
        "expires_at_1": "10:00",
        "holds-TOTAL_FORMS": "0",
        "holds-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Deze datum moet na de aanmelding liggen." in text_of(response)
    data["expires_at_0"] = (entry.created_at + timedelta(days=90)).strftime("%d-%m-%Y")
    assert admin_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.days, entry.parts, entry.offers_in_person) == ([0], ["morning"], False)
