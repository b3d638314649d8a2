"""The booking service and the database's own guards, on SQLite and PostgreSQL alike."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.domain import slots
from booking.models import Booking, ScheduleException, WeeklyWindow
from booking.services import bookings
from booking.services import schedule as schedule_service
from tests.booking.helpers import book, free_slots, make_booking_directly, open_every_day, refused, set_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule():
    open_every_day()


def test_books_a_free_slot_and_takes_it_off_the_list(schedule):
    slot = free_slots("online")[0]
    booking = book(slot, name="Anna", email="anna@example.com")
    assert booking.start == slot.start and booking.end == slot.end
    assert booking.occupied_until == slot.end + timedelta(minutes=10)
    assert booking.status == Booking.Status.CONFIRMED
    assert slot.start not in {s.start for s in free_slots()}


def test_the_same_form_sent_twice_makes_one_booking(schedule):
    token = uuid.uuid4()
    slot = free_slots("online")[0]
    first = book(slot, request_token=token)
    again = book(slot, request_token=token)
    assert again.pk == first.pk
    assert Booking.objects.count() == 1


def test_a_second_intake_on_the_same_address_is_made_like_any_other(schedule):
    first = book(email="Anna@Example.com")
    second = book(free_slots("online")[1], email="anna@example.com")
    assert second.pk != first.pk
    assert Booking.objects.of_address("ANNA@example.com").active().count() == 2


def test_a_taken_slot_is_refused_with_alternatives(schedule):
    slot = free_slots("online")[0]
    book(slot, email="first@example.com")
    with pytest.raises(schedule_service.SlotUnavailable) as error:
        book(slot, email="second@example.com")
    assert error.value.taken is True
    assert error.value.alternatives and all(s.start != slot.start for s in error.value.alternatives)


@pytest.mark.parametrize(
    "describe",
    [
        "never offered",
        "in the past",
        "inside the notice",
        "beyond the horizon",
        "off the grid",
        "wrong kind",
        "closed day",
    ],
)
def test_slots_that_are_not_offered_are_refused(describe):
    now = timezone.now()
    WeeklyWindow.objects.create(
        weekday=0, start_time=time(9, 0), end_time=time(12, 0), offers_online=False, offers_in_person=True
    )
    offered = free_slots("in_person", now)
    first = offered[0]
    tz = schedule_service.practice_tz()
    start, kind = first.start, "in_person"
    if describe == "never offered":
        start = datetime.combine(first.start.date() + timedelta(days=1), time(9, 0), tzinfo=tz)
    elif describe == "in the past":
        start = first.start - timedelta(days=14)
    elif describe == "inside the notice":
        start = now + timedelta(hours=1)
    elif describe == "beyond the horizon":
        start = first.start + timedelta(weeks=8)
    elif describe == "off the grid":
        start = first.start + timedelta(minutes=10)
    elif describe == "wrong kind":
        kind = "online"
    elif describe == "closed day":
        ScheduleException.objects.create(type="closed", first_day=first.start.date())
    with pytest.raises(schedule_service.SlotUnavailable) as error:
        book(slots.Slot(start, start + timedelta(minutes=20), frozenset()), kind=kind, now=now)
    assert error.value.taken is False
    assert Booking.objects.count() == 0


def test_note_is_kept_only_with_consent(schedule):
    with_consent = book(email="a@example.com", note="Ik slaap slecht", note_consent=True)
    without = book(free_slots("online")[0], email="b@example.com", note="Ik slaap slecht", note_consent=False)
    assert with_consent.note == "Ik slaap slecht" and with_consent.note_consent
    without.refresh_from_db()
    assert without.note == "" and not without.note_consent


def test_a_cancelled_booking_frees_its_slot(schedule):
    slot = free_slots("online")[0]
    booking = book(slot, email="a@example.com")
    booking.status = Booking.Status.CANCELLED_CLIENT
    booking.save()
    assert slot.start in {s.start for s in free_slots("online")}
    assert book(slot, email="b@example.com").start == slot.start


def test_maximum_per_day_is_honoured(schedule):
    set_rules(max_per_day=1)
    slot = free_slots("online")[0]
    book(slot, email="a@example.com")
    assert slot.start.date() not in {s.start.date() for s in free_slots("online")}


def test_admin_status_changes_only_touch_what_makes_sense(schedule):
    now = timezone.now()
    future = book(email="a@example.com")
    past = make_booking_directly(now - timedelta(days=2), email="p@example.com")
    assert bookings.set_status(booking_ids=[future.pk, past.pk], status="completed", now=now) == 1
    past.refresh_from_db()
    assert past.status == "completed"
    assert bookings.set_status(booking_ids=[future.pk], status="completed", now=now) == 0  # not yet started
    bookings.cancel(booking_id=future.pk, by_practice=True, now=now)
    # A cancelled booking is never revived: its time may have been given away.
    assert bookings.set_status(booking_ids=[future.pk], status="no_show", now=now) == 0
    with pytest.raises(ValueError):
        bookings.set_status(booking_ids=[future.pk], status="cancelled_practice", now=now)
    with pytest.raises(ValueError):
        bookings.set_status(booking_ids=[future.pk], status="confirmed", now=now)


# --- What the database itself refuses, whatever the code above it does -------------------------

START = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(0, True), (10, True), (29, True), (30, False), (-29, True), (-30, False), (-40, False)],
)
def test_database_refuses_overlapping_active_bookings(offset, expected):
    make_booking_directly(START)  # occupies 09:00-09:30 (20 minutes plus 10 buffer)
    assert refused(start=START + timedelta(minutes=offset), email="y@example.com") is expected


def test_database_allows_overlap_with_cancelled_bookings_only():
    make_booking_directly(START, status="cancelled_client")
    assert not refused(start=START, email="y@example.com")
    assert refused(start=START + timedelta(minutes=5), email="z@example.com")


def test_database_refuses_reviving_a_cancelled_booking_into_an_overlap():
    cancelled = make_booking_directly(START, status="cancelled_practice")
    make_booking_directly(START + timedelta(minutes=10), email="y@example.com")
    cancelled.status = "confirmed"
    with pytest.raises(IntegrityError), transaction.atomic():
        cancelled.save()


def test_database_refuses_an_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking_directly(START, minutes=-5)


def test_database_refuses_a_note_without_consent():
    booking = make_booking_directly(START)
    booking.note = "iets persoonlijks"
    with pytest.raises(IntegrityError), transaction.atomic():
        booking.save()


def test_database_refuses_a_window_ending_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyWindow.objects.create(weekday=1, start_time=time(12, 0), end_time=time(9, 0))


def test_database_refuses_an_exception_range_backwards():
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleException.objects.create(first_day=date(2030, 1, 10), last_day=date(2030, 1, 9))


def test_overlap_guard_is_in_place_after_all_migrations():
    # SQLite loses triggers when Django rebuilds a table; they must be back after migrate.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'booking_booking'")
            assert {row[0] for row in cursor.fetchall()} == {"booking_no_overlap_insert", "booking_no_overlap_update"}
        else:
            cursor.execute("SELECT conname FROM pg_constraint WHERE conname = 'booking_no_overlap'")
            assert cursor.fetchall() == [("booking_no_overlap",)]
