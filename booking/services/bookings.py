"""Every write to bookings goes through here: one transaction, re-checked inside it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from booking.domain import slots
from booking.models import (
    Booking,
    BookingRules,
    CalendarSource,
    Hold,
    Kind,
    OutgoingEmail,
    WaitingEntry,
    new_video_room,
)

from .outbox import notify
from .schedule import (
    ALTERNATIVES,
    BookingError,
    Schedule,
    SlotUnavailable,
    free_slot,
    load_schedule,
    lock_rules,
    nearest,
)
from .waiting import look_at_waiting_list


def _made_by_form(request_token: uuid.UUID) -> Booking | None:
    """The booking this form already made: a form sent twice gets its first booking back."""
    return Booking.objects.filter(request_token=request_token).first()


def _take(booking: Booking, slot: slots.Slot, *, schedule: Schedule, now: datetime) -> None:
    """Saves the booking on its slot; the database's overlap guard has the last word."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        # Someone else's booking won after all (or this form's twin: book() looks).
        free = schedule.slots(now=now, kind=booking.kind)
        raise SlotUnavailable(
            taken=True,
            alternatives=[
                s for s in nearest(free, slot.start, ALTERNATIVES + 1) if not slots.same_moment(s.start, slot.start)
            ],
        ) from None


def book(
    *,
    start: datetime,
    kind: str,
    name: str,
    email: str,
    phone: str,
    note: str,
    note_consent: bool,
    request_token: uuid.UUID,
    now: datetime,
    hold_id: int | None = None,
) -> Booking:
    """Books an introduction call, or raises a BookingError that says why not.

    A form sent twice (reload, back button, a double click) returns the booking it made
    the first time. An address that already has an intake books like any other: whether
    someone has an intake is never told to whoever fills in the form.

    `hold_id`: booked from the waiting list, on the time held for this person; the hold
    must still run when this transaction looks at it.
    """
    start = start.astimezone(UTC)
    with transaction.atomic():
        rules = lock_rules()
        earlier = _made_by_form(request_token)
        if earlier is not None:
            return earlier

        hold = None
        if hold_id is not None:
            hold = Hold.objects.select_for_update().filter(pk=hold_id).first()
            if hold is None or not hold.is_open(now):
                raise HoldGone()
            if kind not in hold.kinds or not slots.same_moment(start, hold.start):
                raise HoldGone()
        schedule = load_schedule(now=now, rules=rules, hold=hold)
        try:
            slot = free_slot(schedule, start=start, kind=kind, now=now)
            booking = Booking(
                start=slot.start,
                end=slot.end,
                occupied_until=slot.end + timedelta(minutes=rules.buffer_minutes),
                kind=kind,
                name=name,
                email=email,
                phone=phone,
                # Without explicit consent the note is not stored at all.
                note=note if note_consent else "",
                note_consent=note_consent and bool(note),
                privacy_accepted_at=now,
                request_token=request_token,
                video_room=new_video_room() if kind == Kind.ONLINE else "",
            )
            _take(booking, slot, schedule=schedule, now=now)
        except SlotUnavailable:
            # Taken by this same form's twin (a double click), committed in the meantime?
            # Then that booking is this one.
            twin = _made_by_form(request_token)
            if twin is not None:
                return twin
            raise
        if hold is not None:
            hold.status, hold.booking = Hold.Status.BOOKED, booking
            hold.save(update_fields=["status", "booking"])
            WaitingEntry.objects.filter(pk=hold.entry_id).update(booked_at=now)
        notify(booking, OutgoingEmail.Kind.CONFIRMATION, OutgoingEmail.Kind.PRACTICE_NEW)
        update_her_calendar(booking)
    return booking


class HoldGone(BookingError):
    """The time is no longer held for this person: booked, passed on, or the link is old."""


class TooLate(BookingError):
    """Changing online is closed this close to the intake; the client contacts the practice."""


class NotActive(BookingError):
    """The booking was already cancelled."""


def update_her_calendar(*bookings: Booking) -> None:
    """With a calendar of hers chosen to write into, each change goes there through the outbox
    too. A write sends the booking as it is then, so one waiting write per booking is enough."""
    if not bookings or CalendarSource.target() is None:
        return
    waiting = set(
        OutgoingEmail.objects.filter(
            booking__in=bookings, kind=OutgoingEmail.Kind.OWN_CALENDAR, sent_at__isnull=True, attempts=0
        ).values_list("booking_id", flat=True)
    )
    for booking in bookings:
        if booking.pk not in waiting:
            notify(booking, OutgoingEmail.Kind.OWN_CALENDAR)


def can_change_online(booking: Booking, *, now: datetime, rules: BookingRules | None = None) -> bool:
    rules = rules or BookingRules.load()
    return booking.is_changeable and booking.start - now >= timedelta(hours=rules.cancel_hours)


def cancel(*, booking_id: int, by_practice: bool, now: datetime, message: str = "") -> Booking:
    """Cancels an intake, frees its time and tells both sides. The practice may add a message."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if not booking.is_changeable:
            raise NotActive()
        if not by_practice and not can_change_online(booking, now=now):
            raise TooLate()
        booking.status = Booking.Status.CANCELLED_PRACTICE if by_practice else Booking.Status.CANCELLED_CLIENT
        booking.sequence += 1
        # The room of a cancelled intake is gone: no link to it is shown anywhere again.
        booking.video_room = ""
        booking.save(update_fields=["status", "sequence", "video_room", "updated_at"])
        notify(booking, OutgoingEmail.Kind.CANCELLATION, practice_message=message)
        notify(booking, OutgoingEmail.Kind.PRACTICE_CANCELLATION)
        update_her_calendar(booking)
        look_at_waiting_list()
    return booking


def reschedule(*, booking_id: int, start: datetime, kind: str, now: datetime) -> Booking:
    """Moves an intake to another free slot (same or other kind) in one transaction.

    The old time is freed and the new one taken together, with the same guarantees as booking.
    """
    start = start.astimezone(UTC)
    with transaction.atomic():
        rules = lock_rules()
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if not booking.is_changeable:
            raise NotActive()
        if not can_change_online(booking, now=now, rules=rules):
            raise TooLate()
        # The booking's own time does not stand in its own way.
        schedule = load_schedule(now=now, rules=rules, ignore=booking)
        slot = free_slot(schedule, start=start, kind=kind, now=now)
        previous_start = booking.start
        booking.start, booking.end = slot.start, slot.end
        booking.occupied_until = slot.end + timedelta(minutes=rules.buffer_minutes)
        booking.kind = kind
        # A new time, a new room: whoever had the old link cannot walk into this one.
        booking.video_room = new_video_room() if kind == Kind.ONLINE else ""
        booking.sequence += 1
        booking.reminder_sent_at = None
        _take(booking, slot, schedule=schedule, now=now)
        notify(
            booking,
            OutgoingEmail.Kind.RESCHEDULE,
            OutgoingEmail.Kind.PRACTICE_RESCHEDULE,
            previous_start=previous_start,
        )
        update_her_calendar(booking)
        look_at_waiting_list()
    return booking


def send_reminders(*, now: datetime, ahead: timedelta = timedelta(hours=24)) -> int:
    """Queues a reminder for every confirmed intake starting within `ahead` that has none yet.

    Each booking is claimed with a conditional update, so two overlapping runs never
    remind anyone twice.
    """
    due = (
        Booking.objects.changeable()
        .filter(reminder_sent_at__isnull=True, start__gt=now, start__lte=now + ahead)
        .values_list("pk", flat=True)
    )
    sent = 0
    for booking_id in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking_id, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if claimed:
                notify(Booking.objects.get(pk=booking_id), OutgoingEmail.Kind.REMINDER)
                sent += 1
    return sent


def set_status(*, booking_ids: list[int], status: str, now: datetime) -> int:
    """The therapist marks intakes that have started as held or as a no-show.

    Only confirmed bookings change; a cancelled one is never revived (its time may be taken).
    Cancelling goes through cancel(), which also tells the client.
    """
    if status not in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
        raise ValueError(f"not an admin action: {status}")
    with transaction.atomic():
        targets = Booking.objects.select_for_update().changeable().filter(pk__in=booking_ids, start__lte=now)
        changed = list(targets.values_list("pk", flat=True))
        # Every change makes a new version of the calendar event, and the agenda feed's
        # validators move (update() skips auto_now).
        Booking.objects.filter(pk__in=changed).update(status=status, sequence=F("sequence") + 1, updated_at=now)
        update_her_calendar(*Booking.objects.filter(pk__in=changed))
    return len(changed)
