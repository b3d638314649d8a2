"""The waiting list under contention, through separate database connections (SQLite and
PostgreSQL): simultaneous cancellations, a client moving into a held or freeing time, a hold
running out while its link is used. Nothing is booked twice; nobody waiting is skipped."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking, Hold, WaitlistState
from booking.services import bookings as bookings_service
from booking.services import schedule, waiting
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day, race


@pytest.fixture
def site(transactional_db):
    open_every_day()


def far(index: int, email: str) -> Booking:
    """A booking far enough ahead that cancelling it frees a time the list can hold."""
    return book(free_slots()[index], email=email, name=email.split("@")[0])


def cancel(booking: Booking, now):
    # In a thread, as a client would from her link; the look it asks for runs in that thread
    # after the commit (tests run tasks at once), racing the other thread's look.
    return lambda: bookings_service.cancel(booking_id=booking.pk, by_practice=False, now=now)


def book_held(hold: Hold, now):
    return lambda: bookings_service.book(
        start=hold.start,
        kind="online",
        name="Wachtende",
        email=hold.entry.email,
        phone="",
        note="",
        note_consent=False,
        request_token=uuid.uuid4(),
        now=now,
        hold_id=hold.pk,
    )


def taken_at(start) -> tuple[int, int]:
    """How many active bookings and running holds a moment has."""
    now = timezone.now()
    return Booking.objects.active().filter(start=start).count(), Hold.objects.open(now).filter(start=start).count()


@pytest.mark.parametrize("round", range(3))
def test_two_cancellations_at_once_reach_both_waiting_people(site, round):
    a, b = far(-1 - round, "a@example.com"), far(-5 - round, "b@example.com")
    first = join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    now = timezone.now()
    waiting.offer_waiting_times(now=now)

    results = race([cancel(a, now), cancel(b, now)])
    assert all(isinstance(r, Booking) for r in results), results
    waiting.offer_waiting_times(now=timezone.now())

    holds = list(Hold.objects.open(timezone.now()))
    assert sorted(h.entry_id for h in holds) == sorted([first.pk, second.pk]), "nobody skipped, nobody twice"
    assert {h.start for h in holds} == {a.start, b.start}
    for start in (a.start, b.start):
        assert taken_at(start) == (0, 1)


def test_two_cancellations_at_once_with_one_person_waiting(site, clock):
    a, b = far(-1, "a@example.com"), far(-4, "b@example.com")
    entry = join_waiting_list()
    now = timezone.now()
    waiting.offer_waiting_times(now=now)
    race([cancel(a, now), cancel(b, now)])
    waiting.offer_waiting_times(now=timezone.now())
    [hold] = Hold.objects.open(timezone.now())
    assert hold.entry == entry
    other = b.start if hold.start == a.start else a.start
    assert WaitlistState.objects.get().pending, "the second time waits for her"
    # She lets it run out: the second time is hers next.
    clock.move_to(hold.expires_at + timedelta(seconds=1))
    waiting.offer_waiting_times(now=timezone.now())
    assert Hold.objects.open(timezone.now()).get().start == other


def test_clients_moving_into_a_held_time_while_its_person_books_it(site):
    freed = far(-1, "weg@example.com")
    join_waiting_list(email="wacht@example.com")
    waiting.offer_waiting_times(now=timezone.now())
    bookings_service.cancel(booking_id=freed.pk, by_practice=False, now=timezone.now())
    waiting.offer_waiting_times(now=timezone.now())
    hold = Hold.objects.select_related("entry").get()
    movers = [far(index, f"verzet{index}@example.com") for index in range(2, 7)]
    now = timezone.now()
    moves = [
        (lambda m=m: bookings_service.reschedule(booking_id=m.pk, start=hold.start, kind="online", now=now))
        for m in movers
    ]

    results = race([book_held(hold, now), *moves])

    booked = [r for r in results if isinstance(r, Booking)]
    assert len(booked) == 1 and booked[0].email == "wacht@example.com", results
    assert all(isinstance(r, schedule.SlotUnavailable) for r in results[1:]), results
    assert taken_at(hold.start) == (1, 0)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.BOOKED


@pytest.mark.parametrize("round", range(4))
def test_a_client_moving_into_a_time_as_it_comes_free(site, round):
    """The move and the waiting list's offer race for the freed time: exactly one gets it,
    and if the move loses, the waiting person holds the time."""
    freed = far(-1 - round, "weg@example.com")
    entry = join_waiting_list(email="wacht@example.com")
    mover = far(2, "verzet@example.com")
    now = timezone.now()
    waiting.offer_waiting_times(now=now)

    results = race(
        [
            cancel(freed, now),
            lambda: bookings_service.reschedule(booking_id=mover.pk, start=freed.start, kind="online", now=now),
        ]
    )
    waiting.offer_waiting_times(now=timezone.now())

    assert isinstance(results[0], Booking)
    bookings, holds = taken_at(freed.start)
    assert bookings + holds == 1, results
    if isinstance(results[1], Booking):
        assert bookings == 1 and not Hold.objects.filter(entry=entry).exists()
    else:
        assert isinstance(results[1], schedule.SlotUnavailable)
        assert Hold.objects.open(timezone.now()).get(entry=entry).start == freed.start


@pytest.mark.parametrize("round", range(4))
def test_a_hold_running_out_while_its_link_is_used(site, clock, round):
    freed = far(-1 - round, "weg@example.com")
    join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    waiting.offer_waiting_times(now=timezone.now())
    bookings_service.cancel(booking_id=freed.pk, by_practice=False, now=timezone.now())
    waiting.offer_waiting_times(now=timezone.now())
    hold = Hold.objects.select_related("entry").get()
    clock.move_to(hold.expires_at)
    # The person submits just before the end; the worker looks just after it.
    just_before, just_after = hold.expires_at - timedelta(milliseconds=1), hold.expires_at + timedelta(milliseconds=1)

    results = race([book_held(hold, just_before), lambda: waiting.offer_waiting_times(now=just_after)])

    hold.refresh_from_db()
    bookings = Booking.objects.active().filter(start=freed.start)
    running = Hold.objects.filter(start=freed.start, status=Hold.Status.OPEN)
    assert bookings.count() + running.count() == 1, results
    if isinstance(results[0], Booking):
        assert hold.status == Hold.Status.BOOKED and results[1] == 0
        assert bookings.get().email == "eerste@example.com"
    else:
        assert isinstance(results[0], bookings_service.HoldGone), results
        assert hold.status == Hold.Status.EXPIRED and results[1] == 1
        assert running.get().entry == second, "passed on to the next, not skipped"
