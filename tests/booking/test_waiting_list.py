"""The waiting list's service: who is offered which freed time, holds, expiry, and the worker's looks."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from booking.domain import slots, waitlist
from booking.models import Booking, Hold, OutgoingEmail, ScheduleException, WaitingEntry, WaitlistState, WeeklyWindow
from booking.services import bookings, emails, outbox, schedule, waiting
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day, set_rules
from tests.conftest import AMSTERDAM


@pytest.fixture(autouse=True)
def site(db):
    load_initial_content()
    open_every_day()


def look(now=None) -> int:
    """What the background worker does: one look at the waiting list."""
    return waiting.offer_waiting_times(now=now or timezone.now())


def far_booking(index=-1, **fields) -> Booking:
    """A booking well beyond the notice and hold periods, so that cancelling it frees an offerable time."""
    return book(free_slots()[index], **fields)


def cancel(booking: Booking, now=None) -> None:
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=now or timezone.now())


def open_holds():
    return Hold.objects.open(timezone.now())


# The pure rules -----------------------------------------------------------------


def slot_at(local: datetime, kinds=("online", "in_person")) -> slots.Slot:
    start = local.replace(tzinfo=AMSTERDAM).astimezone(UTC)
    return slots.Slot(start, start + timedelta(minutes=20), frozenset(kinds))


def test_parts_of_the_day_follow_the_wall_clock_also_across_dst():
    # 29 March 2026: clocks go forward at 02:00; 25 October 2026: back at 03:00.
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 23)):
        assert waitlist.part_of_day(slot_at(datetime.combine(day, time(11, 59))).start, AMSTERDAM) == "morning"
        assert waitlist.part_of_day(slot_at(datetime.combine(day, time(12, 0))).start, AMSTERDAM) == "afternoon"
        assert waitlist.part_of_day(slot_at(datetime.combine(day, time(16, 59))).start, AMSTERDAM) == "afternoon"
        assert waitlist.part_of_day(slot_at(datetime.combine(day, time(17, 0))).start, AMSTERDAM) == "evening"


def test_wishes_match_kind_day_and_part():
    wishes = waitlist.Wishes(kinds=frozenset({"online"}), days=frozenset({0}), parts=frozenset({"evening"}))
    monday_evening = slot_at(datetime(2026, 11, 30, 19, 0))
    assert wishes.kinds_for(monday_evening, AMSTERDAM) == {"online"}
    assert not wishes.kinds_for(slot_at(datetime(2026, 11, 30, 10, 0)), AMSTERDAM)  # morning
    assert not wishes.kinds_for(slot_at(datetime(2026, 12, 1, 19, 0)), AMSTERDAM)  # Tuesday
    assert not wishes.kinds_for(slot_at(datetime(2026, 11, 30, 19, 0), kinds=("in_person",)), AMSTERDAM)


def test_the_first_look_learns_and_the_horizon_moving_on_is_no_news():
    a, b = slot_at(datetime(2026, 12, 1, 10, 0)), slot_at(datetime(2026, 12, 30, 10, 0))
    assert waitlist.new_moments([a, b], known=set(), known_until=None) == []
    known = waitlist.moment_keys([a])
    assert waitlist.new_moments([a, b], known=known, known_until=b.start) == []
    assert waitlist.new_moments([a, b], known=known, known_until=b.start + timedelta(minutes=1)) == [b]


# Offers -------------------------------------------------------------------------


def test_joining_offers_nothing_that_was_already_free(clock):
    join_waiting_list()
    assert look() == 0
    assert WaitlistState.objects.get().known
    assert not Hold.objects.exists()


def test_a_cancelled_time_goes_to_the_first_person_who_joined_and_is_hidden_from_everyone_else():
    booking = far_booking()
    first = join_waiting_list(email="eerste@example.com", name="Eerste")
    look()
    second = join_waiting_list(email="tweede@example.com", name="Tweede")
    look()
    cancel(booking)
    assert look() == 1
    hold = Hold.objects.get()
    assert (hold.entry, hold.start, hold.status) == (first, booking.start, Hold.Status.OPEN)
    assert hold.expires_at - hold.offered_at == timedelta(hours=2)
    assert OutgoingEmail.objects.filter(hold=hold, kind="waitlist_offer", waiting=first).count() == 1
    assert not OutgoingEmail.objects.filter(waiting=second, kind="waitlist_offer").exists()
    # Nobody else sees or books the held time, and nobody moves into it.
    assert not [s for s in free_slots() if s.start == booking.start]
    with pytest.raises(schedule.SlotUnavailable):
        book(slots.Slot(booking.start, booking.end, frozenset({"online"})), email="derde@example.com")
    other = far_booking(0, email="verzetter@example.com")
    with pytest.raises(schedule.SlotUnavailable):
        bookings.reschedule(booking_id=other.pk, start=booking.start, kind="online", now=timezone.now())
    # A second look offers it to nobody else.
    assert look() == 0


def test_the_hold_ends_and_the_time_goes_to_the_next_person_then_back_to_everyone(clock):
    booking = far_booking()
    first = join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    look()
    cancel(booking)
    look()
    clock.move_to(timezone.now() + timedelta(hours=2, seconds=1))
    assert look() == 1
    holds = {h.entry_id: h for h in Hold.objects.all()}
    assert holds[first.pk].status == Hold.Status.EXPIRED
    assert holds[second.pk].status == Hold.Status.OPEN and holds[second.pk].start == booking.start
    clock.move_to(timezone.now() + timedelta(hours=2, seconds=1))
    # Both had it: nobody is offered it twice, and it is free for everyone again.
    assert look() == 0
    assert Hold.objects.filter(status=Hold.Status.OPEN).count() == 0
    assert [s for s in free_slots() if s.start == booking.start]


def test_booking_the_held_time_through_the_service(clock):
    booking = far_booking()
    entry = join_waiting_list(name="Wachtende", email="wacht@example.com")
    look()
    cancel(booking)
    look()
    hold = Hold.objects.get()
    made = book(
        slots.Slot(hold.start, hold.end, hold.kinds), name="Wachtende", email="wacht@example.com", hold_id=hold.pk
    )
    hold.refresh_from_db()
    entry.refresh_from_db()
    assert (hold.status, hold.booking, made.start) == (Hold.Status.BOOKED, made, booking.start)
    assert entry.booked_at is not None
    assert not WaitingEntry.objects.waiting(timezone.now()).exists()
    # Someone who booked through the list is offered nothing more.
    cancel(far_booking(-2, email="ander@example.com"))
    assert look() == 0


def test_a_hold_that_has_run_out_cannot_be_booked(clock):
    booking = far_booking()
    join_waiting_list()
    look()
    cancel(booking)
    look()
    hold = Hold.objects.get()
    clock.move_to(hold.expires_at + timedelta(seconds=1))
    with pytest.raises(bookings.HoldGone):
        book(slots.Slot(hold.start, hold.end, hold.kinds), hold_id=hold.pk)
    assert not Booking.objects.filter(start=hold.start).active().exists()


def test_a_time_goes_to_the_first_person_it_suits():
    booking = far_booking()
    local = booking.start.astimezone(AMSTERDAM)
    other_part = "evening" if waitlist.part_of_day(booking.start, AMSTERDAM) != "evening" else "morning"
    join_waiting_list(email="avond@example.com", parts=[other_part])
    join_waiting_list(email="andere-dag@example.com", days=[(local.weekday() + 1) % 7])
    fits = join_waiting_list(email="past@example.com", kinds=frozenset({"online"}))
    join_waiting_list(email="later@example.com")
    look()
    cancel(booking)
    look()
    hold = Hold.objects.get()
    # The slot offers both kinds; the hold only what suits her.
    assert (hold.entry, hold.kinds) == (fits, {"online"})


def test_one_time_at_a_time_per_person_and_a_second_time_waits_for_her(clock):
    first_booking, second_booking = far_booking(-1), far_booking(-3, email="twee@example.com")
    entry = join_waiting_list()
    look()
    cancel(first_booking)
    cancel(second_booking)
    assert look() == 1
    hold = Hold.objects.get()
    assert hold.start == second_booking.start  # the earlier of the two
    assert WaitlistState.objects.get().pending
    clock.move_to(hold.expires_at + timedelta(seconds=1))
    assert look() == 1
    assert Hold.objects.get(status=Hold.Status.OPEN).start == first_booking.start
    assert Hold.objects.filter(entry=entry).count() == 2


def test_two_people_and_two_freed_times_each_get_one(clock):
    first_booking, second_booking = far_booking(-1), far_booking(-3, email="twee@example.com")
    first = join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    look()
    cancel(first_booking)
    cancel(second_booking)
    assert look() == 2
    assert Hold.objects.get(entry=first).start == second_booking.start
    assert Hold.objects.get(entry=second).start == first_booking.start


def test_new_availability_and_a_removed_closure_are_offered():
    WeeklyWindow.objects.all().delete()
    join_waiting_list()
    look()
    day = timezone.localdate() + timedelta(days=10)
    ScheduleException.objects.create(
        type=ScheduleException.Type.EXTRA, first_day=day, start_time=time(10, 0), end_time=time(10, 30)
    )
    assert look() == 1
    hold = Hold.objects.get()
    assert hold.start.astimezone(AMSTERDAM) == datetime.combine(day, time(10, 0), tzinfo=AMSTERDAM)

    Hold.objects.all().delete()
    WaitingEntry.objects.all().delete()
    join_waiting_list(email="nieuw@example.com")
    closure = ScheduleException.objects.create(type=ScheduleException.Type.CLOSED, first_day=day)
    look()
    closure.delete()
    assert look() == 1


def test_times_coming_into_view_as_the_days_pass_are_not_offered(clock):
    join_waiting_list()
    look()
    clock.move_to(timezone.now() + timedelta(days=1))
    assert look() == 0


def test_times_too_near_to_be_held_are_not_offered(clock):
    set_rules(min_notice_hours=24)
    near = book(free_slots()[0])  # bookable now, but not for the whole of a hold
    join_waiting_list()
    look()
    bookings.cancel(booking_id=near.pk, by_practice=True, now=timezone.now())
    assert look() == 0


def test_leaving_frees_the_held_time_for_the_next(clock):
    booking = far_booking()
    first = join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    look()
    cancel(booking)
    look()
    assert waiting.leave_waiting_list(entry_id=first.pk)
    assert not Hold.objects.filter(entry_id=first.pk).exists()
    assert not OutgoingEmail.objects.filter(waiting_id=first.pk).exists()
    assert look() == 1
    assert Hold.objects.get().entry == second
    assert not waiting.leave_waiting_list(entry_id=first.pk)


def test_the_same_address_keeps_its_place_and_gets_new_wishes():
    first = join_waiting_list(email="Anna@Example.com", parts=["morning"])
    join_waiting_list(email="ander@example.com")
    again = join_waiting_list(email="anna@example.com", parts=["evening"], name="Anna")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.parts, again.name, WaitingEntry.objects.count()) == (["evening"], "Anna", 2)


def test_an_entry_expires_after_the_period_and_is_purged(clock):
    set_rules(waitlist_days=30)
    entry = join_waiting_list()
    assert entry.expires_at - entry.created_at == timedelta(days=30)
    look()
    clock.move_to(timezone.now() + timedelta(days=30, minutes=1))
    cancel(far_booking(email="laat@example.com"))
    assert look() == 0
    call_command("purge_personal_data", stdout=io.StringIO())
    assert not WaitingEntry.objects.exists()


def test_the_therapist_offers_a_time_herself():
    entry = join_waiting_list(kinds=frozenset({"in_person"}))
    times = waiting.offerable_times(entry=entry, now=timezone.now())
    assert times and all("in_person" in s.kinds for s in times)
    assert all(s.start - timezone.now() >= timedelta(hours=26) for s in times)
    hold = waiting.offer_time(entry_id=entry.pk, start=times[3].start, now=timezone.now())
    assert hold.by_practice and hold.kinds == {"in_person"}
    assert OutgoingEmail.objects.filter(hold=hold).count() == 1
    with pytest.raises(waiting.AlreadyHolding):
        waiting.offer_time(entry_id=entry.pk, start=times[4].start, now=timezone.now())
    other = join_waiting_list(email="ander@example.com")
    with pytest.raises(schedule.SlotUnavailable):
        waiting.offer_time(entry_id=other.pk, start=times[3].start, now=timezone.now())


def test_an_offer_that_ran_out_before_the_mail_server_took_it_is_not_sent(clock):
    booking = far_booking()
    join_waiting_list()
    look()
    cancel(booking)
    look()
    offer = OutgoingEmail.objects.get(kind="waitlist_offer")
    clock.move_to(offer.hold.expires_at + timedelta(seconds=1))
    with pytest.raises(emails.NoLongerTrue):
        emails.build(offer, now=timezone.now())
    mail.outbox.clear()
    assert outbox.deliver(offer.pk)
    assert mail.outbox == []


def test_a_cancellation_makes_the_worker_look_at_once(django_capture_on_commit_callbacks):
    booking = far_booking()
    with django_capture_on_commit_callbacks(execute=True):
        entry = join_waiting_list()
    assert WaitlistState.objects.get().known_until is not None
    with django_capture_on_commit_callbacks(execute=True):
        cancel(booking)
    assert Hold.objects.get().entry == entry
    assert any("Er is een tijd vrijgekomen" in m.subject for m in mail.outbox)


def test_the_every_few_minutes_job_passes_on_holds_that_ran_out(clock):
    booking = far_booking()
    join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")
    look()
    cancel(booking)
    look()
    clock.move_to(timezone.now() + timedelta(hours=3))
    call_command("send_reminders", stdout=io.StringIO())
    assert Hold.objects.get(status=Hold.Status.OPEN).entry == second
