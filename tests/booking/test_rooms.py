"""Each online intake has its own video room: only its client sees it, a reschedule makes a new
one, and a cancelled intake shows no room anywhere."""

import pytest
from django.core import mail
from django.utils import timezone

from booking.calendars import ics as calendar
from booking.domain import links
from booking.models import BookingRules
from booking.services import bookings
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, open_every_day
from tests.helpers import text_of

ROOMS = "https://video.praktijk.example/kennismaking-"


@pytest.fixture
def site(transactional_db):
    load_initial_content()
    open_every_day()
    load_demo_schedule()


def unfolded(ics: bytes) -> str:
    """RFC 5545 folds long lines; a folded line continues after CRLF and one space."""
    return ics.decode().replace("\r\n ", "")


def room_of(booking) -> str:
    return BookingRules.load().video_url(booking)


def test_every_online_intake_has_its_own_unguessable_room(site, client):
    anna = book(email="anna@example.com")
    bram = book(free_slots("online")[0], email="bram@example.com")
    assert room_of(anna).startswith(ROOMS) and room_of(bram).startswith(ROOMS)
    assert room_of(anna) != room_of(bram) and len(anna.video_room) == 32
    anna_page = client.get(links.manage_path(anna)).content.decode()
    assert room_of(anna) in anna_page and room_of(bram) not in anna_page
    [anna_mail] = [m for m in mail.outbox if m.to == ["anna@example.com"]]
    assert room_of(anna) in anna_mail.body and room_of(bram) not in anna_mail.body
    assert room_of(anna) in unfolded(calendar.client_calendar(anna, now=timezone.now()))
    # The public pages never show a room.
    for path in ["/kennismaking/", "/kennismaking/online/", "/"]:
        assert ROOMS not in client.get(path).content.decode()


def test_an_intake_in_the_practice_has_no_room(site):
    booking = book(free_slots("in_person")[0], kind="in_person", email="anna@example.com")
    assert booking.video_room == "" and room_of(booking) == ""


def test_a_reschedule_gets_a_new_room(site):
    booking = book(email="anna@example.com")
    old_room = room_of(booking)
    target = free_slots("online")[3]
    moved = bookings.reschedule(booking_id=booking.pk, start=target.start, kind="online", now=timezone.now())
    assert room_of(moved) and room_of(moved) != old_room
    [reschedule_mail] = [m for m in mail.outbox if m.subject.startswith("Verzet: je")]
    assert room_of(moved) in reschedule_mail.body and old_room not in reschedule_mail.body


def test_a_cancelled_intake_shows_no_room_anywhere(site, client):
    booking = book(email="anna@example.com")
    room = room_of(booking)
    mail.outbox.clear()
    cancelled = bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    assert room_of(cancelled) == ""
    assert room not in client.get(links.manage_path(cancelled)).content.decode()
    assert "Dit gesprek is afgezegd" in text_of(client.get(links.manage_path(cancelled)))
    for message in mail.outbox:
        assert room not in message.body
        assert all(room not in unfolded(part.get_payload(decode=True)) for part in message.attachments)
    assert room not in unfolded(calendar.client_calendar(cancelled, now=timezone.now(), method="CANCEL"))
    assert room not in unfolded(calendar.practice_calendar([cancelled], now=timezone.now()))
