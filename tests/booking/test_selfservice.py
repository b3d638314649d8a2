"""The client's own page through the signed link: view, cancel, reschedule; bad links get a clear page."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from booking.domain import links, vocabulary
from booking.models import Booking
from booking.services import bookings
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, make_booking_directly, manage_link_for, open_every_day, set_rules
from tests.helpers import soup, text_of


@pytest.fixture
def site(db):
    load_initial_content()
    open_every_day()


def test_the_link_shows_the_intake_and_the_choices(client, site):
    booking = book(email="anna@example.com")
    response = client.get(links.manage_path(booking))
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Je kennismaking"
    assert timezone.localtime(booking.start).strftime("%H:%M") in page.get_text()
    cancel = page.find("a", string="Afzeggen") or page.find("a", href=lambda h: h and h.endswith("/afzeggen/"))
    assert cancel is not None and manage_link_for(cancel["href"], booking)


def test_cancel_frees_the_slot_and_shows_the_new_state(client, site):
    slot = free_slots("online")[0]
    booking = book(slot, email="anna@example.com")
    token = links.make_token(booking)
    confirm = client.get(reverse("booking:cancel", kwargs={"token": token}))
    assert "Gesprek afzeggen?" in text_of(confirm)
    response = client.post(reverse("booking:cancel", kwargs={"token": token}))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled_client"
    assert slot.start in {s.start for s in free_slots("online")}
    assert "Dit gesprek is afgezegd" in text_of(client.get(response["Location"]))


def test_reschedule_moves_the_intake_in_one_step(client, site):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    choose = client.get(reverse("booking:reschedule_choose", kwargs={"token": token, "kind_slug": "praktijk"}))
    assert choose.status_code == 200
    first_link = soup(choose).select_one("a.time")["href"]
    assert "Kies een nieuw moment" in text_of(choose)
    confirm = client.get(first_link)
    assert "Gesprek verzetten?" in text_of(confirm)
    old_start = booking.start
    response = client.post(first_link)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.kind == "in_person" and booking.start != old_start and booking.sequence == 1
    assert old_start in {s.start for s in free_slots("online")}
    assert Booking.objects.count() == 1


def test_reschedule_to_a_slot_someone_just_took_keeps_the_old_one(client, site):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    target = free_slots("online")[0]
    url = reverse(
        "booking:reschedule_confirm",
        kwargs={"token": token, "kind_slug": "online", "slot": vocabulary.slot_code(target.start)},
    )
    book(target, email="sneller@example.com")
    response = client.post(url)
    assert response.status_code == 409
    assert "Dit tijdstip is net door iemand anders geboekt" in text_of(response)
    previous = booking.start
    booking.refresh_from_db()
    assert booking.start == previous and booking.status == "confirmed"


def test_close_to_the_intake_the_page_says_how_to_reach_the_practice(client, site):
    set_rules(cancel_hours=48)
    booking = make_booking_directly(timezone.now() + timedelta(hours=30), email="soon@example.com")
    token = links.make_token(booking)
    text = text_of(client.get(links.manage_path(booking)))
    assert "Online verzetten of afzeggen kan tot 48 uur van tevoren" in text and "012 345 67 89" in text
    client.post(reverse("booking:cancel", kwargs={"token": token}))
    booking.refresh_from_db()
    assert booking.status == "confirmed"


@pytest.mark.parametrize(
    ("mangle", "status", "heading"),
    [
        (lambda t: t[:-3] + "abc", 400, "Deze link werkt niet"),
        (lambda t: "onzin", 400, "Deze link werkt niet"),
        (lambda t: t.replace(":", ";"), 400, "Deze link werkt niet"),
    ],
)
def test_tampered_links_get_a_clear_page(client, site, mangle, status, heading):
    booking = book(email="anna@example.com")
    response = client.get(reverse("booking:manage", kwargs={"token": mangle(links.make_token(booking))}))
    assert response.status_code == status
    assert soup(response).h1.get_text(strip=True) == heading
    assert (
        client.post(reverse("booking:cancel", kwargs={"token": mangle(links.make_token(booking))})).status_code
        == status
    )
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_expired_link_gets_a_clear_page(client, site, clock):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    clock.shift(timedelta(days=links.MAX_AGE_DAYS + 1))
    response = client.get(reverse("booking:manage", kwargs={"token": token}))
    assert response.status_code == 410
    assert soup(response).h1.get_text(strip=True) == "Deze link is verlopen"


def test_a_link_from_before_a_change_is_recognised_as_used(client, site):
    booking = book(email="anna@example.com")
    old = links.make_token(booking)
    client.post(reverse("booking:cancel", kwargs={"token": old}))
    response = client.get(reverse("booking:manage", kwargs={"token": old}))
    assert response.status_code == 410
    assert soup(response).h1.get_text(strip=True) == "Deze link is niet meer geldig"
    assert client.post(reverse("booking:cancel", kwargs={"token": old})).status_code == 410


def test_a_signed_link_for_a_booking_that_no_longer_exists(client, site):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    Booking.objects.all().delete()
    assert client.get(reverse("booking:manage", kwargs={"token": token})).status_code == 404


def test_rescheduling_offers_the_times_its_own_booking_was_blocking(client, site):
    from datetime import time

    from booking.models import WeeklyWindow

    # A second grid (09:10, 09:40, ...) overlapping the first: 09:10 collides with a 09:00 booking.
    for weekday in range(7):
        WeeklyWindow.objects.create(weekday=weekday, start_time=time(9, 10), end_time=time(12, 0))
    first = next(s for s in free_slots("online") if s.start.minute in (0, 30))
    booking = book(first, email="anna@example.com")
    week = first.start.date().isoformat()
    page = client.get(
        reverse("booking:reschedule_choose", kwargs={"token": links.make_token(booking), "kind_slug": "online"}),
        {"week": week},
    )
    codes = [a["href"].rstrip("/").rsplit("/", 1)[1] for a in soup(page).select("a.time")]
    overlapping = vocabulary.slot_code(first.start + timedelta(minutes=10))
    assert overlapping in codes
    assert vocabulary.slot_code(first.start) not in codes


def _personal_pages(token):
    return [
        reverse("booking:confirmation", kwargs={"token": token}),
        reverse("booking:manage", kwargs={"token": token}),
        reverse("booking:ics", kwargs={"token": token}),
        reverse("booking:cancel", kwargs={"token": token}),
        reverse("booking:reschedule_choose", kwargs={"token": token, "kind_slug": "online"}),
    ]


def test_knowing_a_bookings_uuid_grants_nothing(client, site):
    booking = book(email="anna@example.com", name="Anna Geheim")
    token = links.make_token(booking)
    payload = signing.b64_decode(token.split(":")[0].removeprefix(".").encode())
    assert str(booking.uuid).encode() not in payload and str(booking.uuid.hex).encode() not in payload
    for path in [
        f"/kennismaking/bevestiging/{booking.uuid}/",
        f"/kennismaking/bevestiging/{booking.uuid}/kennismaking.ics",
        f"/kennismaking/beheer/{booking.uuid}/",
    ]:
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"Anna Geheim" not in response.content and b"/kennismaking/beheer/" not in response.content


def test_an_outdated_link_opens_nothing_and_hands_out_no_new_link(client, site):
    booking = book(email="anna@example.com", name="Anna Geheim")
    old = links.make_token(booking)
    bookings.cancel(booking_id=booking.pk, by_practice=True, now=timezone.now())
    for path in _personal_pages(old):
        response = client.get(path)
        assert response.status_code == 410, path
        assert b"Anna Geheim" not in response.content
        assert b"/kennismaking/beheer/" not in response.content and b"/bevestiging/" not in response.content


def test_the_confirmation_opens_with_the_current_link_only(client, site):
    booking = book(email="anna@example.com")
    response = client.get(links.confirmation_path(booking))
    assert response.status_code == 200 and "Je kennismaking is geboekt" in text_of(response)
    assert manage_link_for(soup(response).find("a", string="Verzetten of afzeggen")["href"], booking)


def test_pages_with_personal_data_are_never_stored_in_a_cache(client, site):
    booking = book(email="anna@example.com")
    for path in _personal_pages(links.make_token(booking)):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
