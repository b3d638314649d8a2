"""Simultaneous bookings through separate database connections: exactly one wins."""

import uuid
from datetime import time

import pytest
from django.test import Client
from django.utils import timezone

from booking.domain import links
from booking.models import Booking, WeeklyWindow
from booking.public import choice
from booking.services import bookings, schedule
from tests.booking.helpers import free_slots, race

ATTEMPTS = 20


def attempt(slot, number, now):
    return lambda: bookings.book(
        start=slot.start,
        kind="online",
        name=f"Client {number}",
        email=f"client{number}@example.com",
        phone="",
        note="",
        note_consent=False,
        request_token=uuid.uuid4(),
        now=now,
    )


@pytest.fixture
def two_grids(transactional_db):
    # Two windows on different grids: 09:00, 09:30, ... and 09:10, 09:40, ...
    # so that slots from one overlap slots from the other.
    for weekday in range(7):
        WeeklyWindow.objects.create(
            weekday=weekday, start_time=time(9, 0), end_time=time(12, 0), offers_in_person=False
        )
        WeeklyWindow.objects.create(
            weekday=weekday, start_time=time(9, 10), end_time=time(12, 0), offers_in_person=False
        )


def test_twenty_attempts_at_the_same_slot(two_grids):
    now = timezone.now()
    slot = free_slots("online", now)[0]
    results = race([attempt(slot, n, now) for n in range(ATTEMPTS)])
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, schedule.SlotUnavailable)]
    assert len(won) == 1, results
    assert len(lost) == ATTEMPTS - 1, [r for r in results if not isinstance(r, (Booking, schedule.SlotUnavailable))]
    assert all(error.taken for error in lost)
    assert Booking.objects.count() == 1


def test_twenty_attempts_at_overlapping_slots(two_grids):
    now = timezone.now()
    slots = free_slots("online", now)
    first, overlapping = next((a, b) for a in slots for b in slots if a.start < b.start < a.end)
    results = race([attempt(first if n % 2 else overlapping, n, now) for n in range(ATTEMPTS)])
    won = [r for r in results if isinstance(r, Booking)]
    assert len(won) == 1, results
    assert all(isinstance(r, (Booking, schedule.SlotUnavailable)) for r in results), results
    assert Booking.objects.count() == 1


def test_twenty_people_posting_the_form_at_once_see_the_friendly_message(two_grids, settings):
    now = timezone.now()
    slot = free_slots("online", now)[0]
    url = choice.slot_url(slot.start, "online")

    def post(number):
        def send():
            client = Client(REMOTE_ADDR=f"10.0.0.{number + 1}")
            return client.post(
                url,
                {
                    "name": f"Client {number}",
                    "email": f"client{number}@example.com",
                    "privacy": "on",
                    "request_token": str(uuid.uuid4()),
                },
            )

        return send

    responses = race([post(n) for n in range(ATTEMPTS)])
    assert all(not isinstance(r, BaseException) for r in responses), responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    for response in responses:
        if response.status_code == 409:
            assert "Dit tijdstip is net door iemand anders geboekt" in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_double_click_lands_both_submissions_on_the_one_confirmation(two_grids):
    now = timezone.now()
    slot = free_slots("online", now)[0]
    url = choice.slot_url(slot.start, "online")
    form = {"name": "Dubbel Klik", "email": "klik@example.com", "privacy": "on", "request_token": str(uuid.uuid4())}

    def click():
        return Client(REMOTE_ADDR="10.0.1.1").post(url, form)

    for _ in range(3):  # a few rounds: the two must really collide at least once
        responses = race([click, click])
        assert all(not isinstance(r, BaseException) for r in responses), responses
        assert [r.status_code for r in responses] == [302, 302], [r.content.decode()[:300] for r in responses]
        # The same booking's confirmation; the signed tokens may differ in their timestamp
        # when the two answers straddle a second.
        checks = [links.read_token(r["Location"].rstrip("/").rsplit("/", 1)[1]) for r in responses]
        assert checks[0].problem is None and (checks[0].link_key, checks[0].sequence) == (
            checks[1].link_key,
            checks[1].sequence,
        )
    assert Booking.objects.count() == 1


def test_the_same_form_token_at_the_same_instant_books_once(two_grids):
    now = timezone.now()
    slot = free_slots("online", now)[0]
    token = uuid.uuid4()

    def submit():
        return bookings.book(
            start=slot.start,
            kind="online",
            name="Dubbel",
            email="dubbel@example.com",
            phone="",
            note="",
            note_consent=False,
            request_token=token,
            now=now,
        )

    results = race([submit] * 6)
    assert all(isinstance(r, Booking) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Booking.objects.count() == 1
