"""The client's own page through the signed link: view, cancel, reschedule; bad links get a clear page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from booking.domain import links, vocabulary
from booking.models import Booking
from booking.services import bookings
from content.initial_content import load_initial_content
from practice import ratelimit
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


def _link_in(calendar_file: bytes) -> str:
    import icalendar

    event = next(iter(icalendar.Calendar.from_ical(calendar_file).walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    return description.split("Verzetten of afzeggen: ", 1)[1].split()[0]


def test_downloading_the_calendar_file_does_not_renew_the_link(client, site, clock):
    """The file carries the link it was fetched with, so a link dies 120 days after it was sent,
    however often the file is downloaded in between."""
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    clock.move_to(timezone.now() + timedelta(days=100))
    carried = _link_in(client.get(reverse("booking:ics", kwargs={"token": token})).content)
    assert carried.endswith(reverse("booking:manage", kwargs={"token": token}))
    clock.move_to(timezone.now() + timedelta(days=links.MAX_AGE_DAYS - 100 + 1))
    assert client.get(carried.removeprefix(settings.SITE_URL)).status_code == 410


def _exhaust_the_form_limit(client):
    for number in range(ratelimit.FORM_LIMIT):
        client.post(reverse("booking:question"), {"name": "", "email": f"x{number}@example.com"})


def test_changes_through_the_link_count_towards_the_forms_limit_per_address(client, site, mailoutbox):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    _exhaust_the_form_limit(client)
    mailoutbox.clear()
    slot = next(s for s in free_slots("online") if s.start != booking.start)
    move = reverse(
        "booking:reschedule_confirm",
        kwargs={"token": token, "kind_slug": "online", "slot": vocabulary.slot_code(slot.start)},
    )
    refused = client.post(move)
    assert refused.status_code == 429
    assert "Wacht een kwartier" in text_of(refused)
    refused = client.post(reverse("booking:cancel", kwargs={"token": token}))
    assert refused.status_code == 429
    booking.refresh_from_db()
    assert (booking.status, booking.start, mailoutbox) == ("confirmed", booking.start, [])


def test_an_intake_changes_a_few_times_a_day_at_most_from_any_number_of_addresses(
    client, site, django_capture_on_commit_callbacks, mailoutbox
):
    """A forwarded link cannot flood her inbox by hopping from address to address."""
    from booking.public import selfservice

    booking = book(email="anna@example.com")
    mailoutbox.clear()
    for change in range(selfservice.CHANGES_PER_DAY + 1):
        token = links.make_token(booking)
        slot = [s for s in free_slots("online") if s.start != booking.start][change]
        move = reverse(
            "booking:reschedule_confirm",
            kwargs={"token": token, "kind_slug": "online", "slot": vocabulary.slot_code(slot.start)},
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(move, REMOTE_ADDR=f"192.0.2.{change + 1}")
        booking.refresh_from_db()
    assert response.status_code == 429
    assert "vandaag al een paar keer veranderd" in text_of(response)
    assert booking.sequence == selfservice.CHANGES_PER_DAY
    sent_to_her = [m for m in mailoutbox if m.to == ["anna@example.com"]]
    assert len(sent_to_her) == selfservice.CHANGES_PER_DAY


def test_a_cancelled_intake_offers_no_cancel_or_move_and_says_only_what_is_true(client, site):
    booking = book(email="anna@example.com")
    token = links.make_token(booking)
    slot = next(s for s in free_slots("online") if s.start != booking.start)
    client.post(reverse("booking:cancel", kwargs={"token": token}))
    booking.refresh_from_db()
    token = links.make_token(booking)
    manage = reverse("booking:manage", kwargs={"token": token})
    cancel = client.get(reverse("booking:cancel", kwargs={"token": token}))
    move = reverse(
        "booking:reschedule_confirm",
        kwargs={"token": token, "kind_slug": "online", "slot": vocabulary.slot_code(slot.start)},
    )
    assert (cancel.status_code, cancel["Location"]) == (302, manage)
    assert client.get(move)["Location"] == manage
    page = text_of(client.get(manage + "?klaar=verzet"))
    assert "Het gesprek is verzet" not in page and "Dit gesprek is afgezegd" in page


def test_a_cancelled_online_intakes_calendar_file_gives_no_address_to_go_to(client, site):
    set_rules(practice_address="Voorbeeldstraat 12, 1234 AB Voorbeeldstad")
    booking = book(kind="online", email="anna@example.com")
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    booking.refresh_from_db()
    import icalendar

    calendar_file = client.get(reverse("booking:ics", kwargs={"token": links.make_token(booking)})).content
    event = next(iter(icalendar.Calendar.from_ical(calendar_file).walk("VEVENT")))
    assert "Adres" not in str(event["DESCRIPTION"]) and "Videolink" not in str(event["DESCRIPTION"])


def test_an_old_link_of_a_cancelled_intake_says_it_was_cancelled_and_offers_a_new_time(client, site):
    booking = book(email="anna@example.com")
    moved_from = links.make_token(booking)
    slot = next(s for s in free_slots("online") if s.start != booking.start)
    move = reverse(
        "booking:reschedule_confirm",
        kwargs={"token": moved_from, "kind_slug": "online", "slot": vocabulary.slot_code(slot.start)},
    )
    client.post(move)
    booking.refresh_from_db()
    changed = text_of(client.get(reverse("booking:manage", kwargs={"token": moved_from})))
    assert "veranderd" in changed and "afgezegd" not in changed

    client.post(reverse("booking:cancel", kwargs={"token": links.make_token(booking)}))
    response = client.get(reverse("booking:manage", kwargs={"token": moved_from}))
    assert response.status_code == 410
    assert "is afgezegd" in text_of(response) and "veranderd" not in text_of(response)
    assert soup(response).find("a", href=reverse("booking:start"), string="Plan een nieuw moment")
