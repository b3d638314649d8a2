"""Every write to bookings goes through here: one transaction, re-checked inside it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from . import slots, tasks, waitlist
from .models import (
    Booking,
    BookingRules,
    BusyPeriod,
    CalendarSource,
    Hold,
    Kind,
    OutgoingEmail,
    Question,
    ScheduleException,
    WaitingEntry,
    WaitingRequest,
    WaitlistState,
    WeeklyWindow,
    new_link_key,
    new_video_room,
)

ALTERNATIVES = 3


class BookingError(Exception):
    pass


class SlotUnavailable(BookingError):
    """The chosen time cannot be booked. `taken` says whether someone else was just faster."""

    def __init__(self, *, taken: bool, alternatives: list[slots.Slot]):
        super().__init__("taken" if taken else "not offered")
        self.taken = taken
        self.alternatives = alternatives


@dataclass(frozen=True)
class Schedule:
    """Everything the slot computation needs, read from the database in five queries."""

    rules: slots.Rules
    windows: list[slots.Window]
    closures: list[slots.Closure]
    extras: list[slots.ExtraWindow]
    busy: list[slots.Busy]
    # Her own calendar's busy periods, the pause after each included.
    own_busy: list[slots.Busy]

    def slots(
        self,
        *,
        now: datetime,
        kind: str | None = None,
        with_bookings: bool = True,
        with_own_calendar: bool = True,
    ) -> list[slots.Slot]:
        return list(
            self.iter_slots(now=now, kind=kind, with_bookings=with_bookings, with_own_calendar=with_own_calendar)
        )

    def first(self, *, now: datetime, kind: str | None = None) -> slots.Slot | None:
        """The nearest free slot, without computing the rest of the horizon."""
        return next(self.iter_slots(now=now, kind=kind), None)

    def iter_slots(
        self,
        *,
        now: datetime,
        kind: str | None = None,
        with_bookings: bool = True,
        with_own_calendar: bool = True,
    ):
        return slots.iter_slots(
            now=now,
            tz=practice_tz(),
            rules=self.rules,
            windows=self.windows,
            extras=self.extras,
            closures=self.closures,
            busy=self.busy if with_bookings else (),
            blocked=self.own_busy if with_own_calendar else (),
            kind=kind,
        )


def practice_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def load_schedule(
    *, now: datetime, rules: BookingRules | None = None, ignore: Booking | None = None, hold: Hold | None = None
) -> Schedule:
    """What the slot computation needs. `ignore`: a booking whose own time does not count
    as taken (the one being rescheduled). A time held for someone on the waiting list is
    taken for everyone else; `hold`: the hold whose own person is booking."""
    rules = rules or BookingRules.load()
    as_rules = rules.as_rules()
    first_day = now.astimezone(practice_tz()).date()
    last_day = (now + as_rules.horizon).astimezone(practice_tz()).date()
    exceptions = list(
        ScheduleException.objects.filter(first_day__lte=last_day).filter(
            Q(last_day__gte=first_day) | Q(last_day__isnull=True, first_day__gte=first_day)
        )
    )
    # Bounded on both sides, so the query reads the horizon's bookings, never the whole history.
    # A booking lasts at most a few hours (slot plus pause), so a day of margin misses none
    # that still reaches into today.
    busy = Booking.objects.active().filter(
        start__gt=now - timedelta(days=2),
        occupied_until__gt=now - timedelta(days=1),
        start__lt=now + as_rules.horizon + timedelta(days=1),
    )
    if ignore is not None:
        busy = busy.exclude(pk=ignore.pk)
    held = Hold.objects.open(now).filter(start__lt=now + as_rules.horizon + timedelta(days=1))
    if hold is not None:
        held = held.exclude(pk=hold.pk)
    pause = timedelta(minutes=as_rules.buffer_minutes)
    own = BusyPeriod.objects.counting().overlapping(now - timedelta(days=1), now + as_rules.horizon + timedelta(days=1))
    return Schedule(
        rules=as_rules,
        windows=[w.as_window() for w in WeeklyWindow.objects.all()],
        closures=[e.as_closure() for e in exceptions if e.type == ScheduleException.Type.CLOSED],
        extras=[e.as_extra() for e in exceptions if e.type == ScheduleException.Type.EXTRA],
        busy=[
            slots.Busy(start, until)
            for start, until in [
                *busy.values_list("start", "occupied_until"),
                *held.values_list("start", "occupied_until"),
            ]
        ],
        own_busy=[slots.Busy(start, end + pause) for start, end in own.values_list("start", "end")],
    )


def free_slot(schedule: Schedule, *, start: datetime, kind: str, now: datetime) -> slots.Slot:
    """The free slot that starts at `start` for `kind`, or SlotUnavailable saying why not."""
    free = schedule.slots(now=now, kind=kind)
    slot = slots.find_slot(free, start, kind)
    if slot is None:
        offered = slots.find_slot(schedule.slots(now=now, kind=kind, with_bookings=False), start, kind)
        raise SlotUnavailable(taken=offered is not None, alternatives=nearest(free, start))
    return slot


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


def nearest(candidates: list[slots.Slot], moment: datetime, count: int = ALTERNATIVES) -> list[slots.Slot]:
    return sorted(sorted(candidates, key=lambda s: abs(s.start - moment))[:count])


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
        rules = _lock_rules()
        earlier = _made_by_form(request_token)
        if earlier is not None:
            return earlier

        hold = None
        if hold_id is not None:
            hold = Hold.objects.select_for_update().filter(pk=hold_id).first()
            if hold is None or hold.status != Hold.Status.OPEN or hold.expires_at <= now:
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
        _notify(booking, OutgoingEmail.Kind.CONFIRMATION, OutgoingEmail.Kind.PRACTICE_NEW)
        update_her_calendar(booking)
    return booking


def _lock_rules() -> BookingRules:
    """Serialises every write that takes or frees time (bookings, holds): on PostgreSQL a row
    lock, on SQLite the IMMEDIATE transaction already holds the write lock. Everything after
    it sees what committed before, the twin of a double click included."""
    return BookingRules.objects.select_for_update().order_by("pk").first() or BookingRules.load()


class HoldGone(BookingError):
    """The time is no longer held for this person: booked, passed on, or the link is old."""


class TooLate(BookingError):
    """Changing online is closed this close to the intake; the client contacts the practice."""


class NotActive(BookingError):
    """The booking was already cancelled."""


def _notify(booking: Booking, *kinds: str, **fields) -> None:
    """Writes the emails into the outbox in this transaction; they are sent after it commits."""
    for kind in kinds:
        tasks.queue(OutgoingEmail.objects.create(booking=booking, kind=kind, **fields))


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
            _notify(booking, OutgoingEmail.Kind.OWN_CALENDAR)


def can_change_online(booking: Booking, *, now: datetime, rules: BookingRules | None = None) -> bool:
    rules = rules or BookingRules.load()
    return booking.status == Booking.Status.CONFIRMED and booking.start - now >= timedelta(hours=rules.cancel_hours)


def cancel(*, booking_id: int, by_practice: bool, now: datetime, message: str = "") -> Booking:
    """Cancels an intake, frees its time and tells both sides. The practice may add a message."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status != Booking.Status.CONFIRMED:
            raise NotActive()
        if not by_practice and not can_change_online(booking, now=now):
            raise TooLate()
        booking.status = Booking.Status.CANCELLED_PRACTICE if by_practice else Booking.Status.CANCELLED_CLIENT
        booking.sequence += 1
        # The room of a cancelled intake is gone: no link to it is shown anywhere again.
        booking.video_room = ""
        booking.save(update_fields=["status", "sequence", "video_room", "updated_at"])
        _notify(booking, OutgoingEmail.Kind.CANCELLATION, practice_message=message)
        _notify(booking, OutgoingEmail.Kind.PRACTICE_CANCELLATION)
        update_her_calendar(booking)
        tasks.look_at_waiting_list()
    return booking


def reschedule(*, booking_id: int, start: datetime, kind: str, now: datetime) -> Booking:
    """Moves an intake to another free slot (same or other kind) in one transaction.

    The old time is freed and the new one taken together, with the same guarantees as booking.
    """
    start = start.astimezone(UTC)
    with transaction.atomic():
        rules = _lock_rules()
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status != Booking.Status.CONFIRMED:
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
        _notify(
            booking,
            OutgoingEmail.Kind.RESCHEDULE,
            OutgoingEmail.Kind.PRACTICE_RESCHEDULE,
            previous_start=previous_start,
        )
        update_her_calendar(booking)
        tasks.look_at_waiting_list()
    return booking


def send_reminders(*, now: datetime, ahead: timedelta = timedelta(hours=24)) -> int:
    """Queues a reminder for every confirmed intake starting within `ahead` that has none yet.

    Each booking is claimed with a conditional update, so two overlapping runs never
    remind anyone twice.
    """
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, reminder_sent_at__isnull=True, start__gt=now, start__lte=now + ahead
    ).values_list("pk", flat=True)
    sent = 0
    for booking_id in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking_id, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if claimed:
                _notify(Booking.objects.get(pk=booking_id), OutgoingEmail.Kind.REMINDER)
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
        targets = Booking.objects.select_for_update().filter(
            pk__in=booking_ids, status=Booking.Status.CONFIRMED, start__lte=now
        )
        changed = list(targets.values_list("pk", flat=True))
        # Every change makes a new version of the calendar event, and the agenda feed's
        # validators move (update() skips auto_now).
        Booking.objects.filter(pk__in=changed).update(status=status, sequence=F("sequence") + 1, updated_at=now)
        update_her_calendar(*Booking.objects.filter(pk__in=changed))
    return len(changed)


# The waiting list ---------------------------------------------------------------


class NotWaiting(BookingError):
    """The person is no longer on the waiting list (left, booked or expired)."""


class AlreadyHolding(BookingError):
    """A time is already being held for this person: one at a time."""


class RequestGone(BookingError):
    """The confirmation link was used already, or it expired."""


class RequestChanged(BookingError):
    """The form was sent again for this address after the page to confirm was shown: what
    she saw is not what would be stored, so she has to look again."""


# How long a confirmation link works, and how often one address gets an email asking to
# confirm, however often the form is sent for it (no inbox can be flooded through the site).
CONFIRM_WITHIN = timedelta(hours=48)
CONFIRM_EMAIL_EVERY = timedelta(hours=1)


def _wishes(*, name: str, phone: str, kinds: frozenset[str], days: list[int], parts: list[str]) -> dict:
    """The waiting list's fields for what someone filled in, in their stored form."""
    return {
        "name": name,
        "phone": phone,
        **WaitingEntry.offering(kinds),
        "days": sorted(set(days)),
        "parts": [part for part in waitlist.PARTS if part in parts],
    }


def request_waiting_list(
    *,
    name: str,
    email: str,
    phone: str,
    kinds: frozenset[str],
    days: list[int],
    parts: list[str],
    now: datetime,
) -> None:
    """Keeps what the waiting-list form says until the person behind the address confirms it
    through the link emailed there (confirm_waiting_list). Anyone can type anyone's address,
    so nothing on the list changes here, and whoever sent the form learns nothing: not
    whether the address is waiting (only the email differs), not whether an email went out.

    A newer form for the same address replaces the older one's data, and the link already
    sent shows the newest; the address gets at most one email per CONFIRM_EMAIL_EVERY.
    """
    email = email.strip()
    values = {
        **_wishes(name=name, phone=phone, kinds=kinds, days=days, parts=parts),
        "email": email,
        "privacy_accepted_at": now,
        "created_at": now,
        "expires_at": now + CONFIRM_WITHIN,
    }
    with transaction.atomic():
        pending = WaitingRequest.objects.of_address(email).select_for_update().first()
        if pending is None:
            try:
                with transaction.atomic():
                    pending = WaitingRequest.objects.create(emailed_at=now, **values)
            except IntegrityError:
                # A form for the same address committed in the meantime: this one replaces it.
                pending = WaitingRequest.objects.of_address(email).select_for_update().get()
            else:
                _notify_about(OutgoingEmail.Kind.WAITLIST_CONFIRM, waiting_request=pending)
                return
        if pending.expires_at <= now:
            # An expired link stays dead: the new data gets a link of its own.
            pending.link_key = new_link_key()
        for field, value in values.items():
            setattr(pending, field, value)
        pending.version += 1
        email_now = pending.emailed_at <= now - CONFIRM_EMAIL_EVERY
        if email_now:
            pending.emailed_at = now
        pending.save()
        if email_now:
            _notify_about(OutgoingEmail.Kind.WAITLIST_CONFIRM, waiting_request=pending)


def confirm_waiting_list(*, request_id: int, version: int, now: datetime) -> WaitingEntry:
    """The person confirmed through the emailed link: what she was shown (`version`) is
    applied as join_waiting_list does, so a new address joins at the back, at this moment,
    and an address already waiting keeps its place with the new wishes. The request is
    used up. RequestGone when it expired or was used; RequestChanged when the form was
    sent again since the page was shown."""
    with transaction.atomic():
        _lock_rules()
        pending = WaitingRequest.objects.select_for_update().filter(pk=request_id, expires_at__gt=now).first()
        if pending is None:
            raise RequestGone()
        if pending.version != version:
            raise RequestChanged()
        entry = join_waiting_list(
            name=pending.name,
            email=pending.email,
            phone=pending.phone,
            kinds=pending.kinds,
            days=pending.days,
            parts=pending.parts,
            request_token=pending.request_token,
            now=now,
        )
        pending.delete()
    return entry


def join_waiting_list(
    *,
    name: str,
    email: str,
    phone: str,
    kinds: frozenset[str],
    days: list[int],
    parts: list[str],
    request_token: uuid.UUID,
    now: datetime,
) -> WaitingEntry:
    """Puts someone on the waiting list, at the back, until the period the therapist set.

    An address already waiting keeps its place and gets the new wishes: one person is
    offered one time at a time, however often she fills in the form. The form reaches this
    only through the confirmation by the address's owner (confirm_waiting_list).
    """
    with transaction.atomic():
        rules = _lock_rules()
        earlier = WaitingEntry.objects.filter(request_token=request_token).first()
        if earlier is not None:
            return earlier
        wishes = _wishes(name=name, phone=phone, kinds=kinds, days=days, parts=parts)
        entry = WaitingEntry.objects.waiting(now).of_address(email).select_for_update().first()
        if entry is not None:
            for field, value in wishes.items():
                setattr(entry, field, value)
            entry.save(update_fields=list(wishes))
        else:
            entry = WaitingEntry.objects.create(
                email=email,
                privacy_accepted_at=now,
                created_at=now,
                expires_at=now + timedelta(days=rules.waitlist_days),
                request_token=request_token,
                **wishes,
            )
        _notify_about(OutgoingEmail.Kind.WAITLIST_JOINED, waiting=entry)
        # The first look learns what is free now; only what comes free after it is offered.
        tasks.look_at_waiting_list()
    return entry


def leave_waiting_list(*, entry_id: int) -> bool:
    """Removes someone from the list with everything stored about her there. A time held
    for her goes to the next person. False when she had already gone."""
    with transaction.atomic():
        _lock_rules()
        deleted, _ = WaitingEntry.objects.filter(pk=entry_id).delete()
        if deleted:
            tasks.look_at_waiting_list()
    return bool(deleted)


def _waiting_people(now: datetime) -> list[waitlist.Waiting]:
    """Everyone waiting, in join order, as the matching sees them: plain values, two queries."""
    waiting = WaitingEntry.objects.waiting(now)
    holds: dict[int, list[tuple[datetime, bool]]] = {}
    for entry_id, start, status, expires_at in Hold.objects.filter(entry__in=waiting.values("pk")).values_list(
        "entry_id", "start", "status", "expires_at"
    ):
        holds.setdefault(entry_id, []).append((start, status == Hold.Status.OPEN and expires_at > now))
    return [
        waitlist.Waiting(
            id=pk,
            wishes=waitlist.Wishes(
                kinds=WaitingEntry.kinds_of(online, in_person),
                days=frozenset(days),
                parts=frozenset(parts),
            ),
            holding=any(running for _start, running in holds.get(pk, [])),
            had=frozenset(start for start, _running in holds.get(pk, [])),
        )
        for pk, online, in_person, days, parts in waiting.values_list(
            "pk", "offers_online", "offers_in_person", "days", "parts"
        )
    ]


def _hold(
    *, entry_id: int, slot: slots.Slot, kinds: frozenset[str], rules: BookingRules, by_practice: bool, now: datetime
) -> Hold:
    hold = Hold.objects.create(
        entry_id=entry_id,
        start=slot.start,
        end=slot.end,
        occupied_until=slot.end + timedelta(minutes=rules.buffer_minutes),
        **Hold.offering(kinds),
        offered_at=now,
        expires_at=now + timedelta(hours=rules.hold_hours),
        by_practice=by_practice,
    )
    _notify_about(OutgoingEmail.Kind.WAITLIST_OFFER, waiting_id=entry_id, hold=hold)
    # When the hold runs out, the worker passes the time on, whether or not anyone visits the site.
    tasks.look_at_waiting_list(at=hold.expires_at)
    return hold


def _expire_holds(now: datetime) -> int:
    return Hold.objects.filter(status=Hold.Status.OPEN, expires_at__lte=now).update(status=Hold.Status.EXPIRED)


def offer_waiting_times(*, now: datetime) -> int:
    """Offers each time that came free to the first person on the waiting list it suits, and
    passes on times whose hold ran out. Returns how many times were offered.

    Runs in the background worker (after a cancellation or a move, when a hold runs out,
    and every few minutes). Serialised with bookings, so a time is never held and booked,
    and every run sees the holds and bookings of the one before.
    """
    tz = practice_tz()
    with transaction.atomic():
        rules = _lock_rules()
        _expire_holds(now)
        state = WaitlistState.locked()
        hold_for = timedelta(hours=rules.hold_hours)
        # Only times that can still be booked when the hold ends.
        free = load_schedule(now=now, rules=rules).slots(now=now + hold_for)
        fresh = waitlist.new_moments(free, known=set(state.known), known_until=state.known_until)
        pending = set(state.pending)
        candidates = sorted({*fresh, *(slot for slot in free if waitlist.moment_keys([slot]) & pending)})
        # Most looks find nothing new: then nobody on the list needs to be read.
        waiting = _waiting_people(now) if candidates else []
        held, kept = [], []
        for slot in candidates:
            match = waitlist.next_in_line(slot, waiting, tz)
            if match is None:
                if waitlist.worth_keeping(slot, waiting, tz):
                    kept.append(slot)
                continue
            person, kinds = match
            _hold(entry_id=person.id, slot=slot, kinds=kinds, rules=rules, by_practice=False, now=now)
            waiting = [replace(p, holding=True) if p.id == person.id else p for p in waiting]
            held.append(slot)
        # A held time is not free: when its hold runs out, it is news again.
        state.known = sorted(waitlist.moment_keys(free) - waitlist.moment_keys(held))
        state.pending = sorted(waitlist.moment_keys(kept))
        state.known_until = now + hold_for + rules.as_rules().horizon
        state.checked_at = now
        state.save()
    return len(held)


def offerable_times(*, entry: WaitingEntry, now: datetime, rules: BookingRules | None = None) -> list[slots.Slot]:
    """The free times the therapist can offer this person herself: every free time in a kind
    that suits her, bookable until the hold would end."""
    rules = rules or BookingRules.load()
    free = load_schedule(now=now, rules=rules).slots(now=now + timedelta(hours=rules.hold_hours))
    return [slot for slot in free if slot.kinds & entry.kinds]


def offer_time(*, entry_id: int, start: datetime, now: datetime) -> Hold:
    """The therapist offers one free time to one waiting person: held for her as usual."""
    with transaction.atomic():
        rules = _lock_rules()
        _expire_holds(now)
        entry = WaitingEntry.objects.waiting(now).select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotWaiting()
        if Hold.objects.open(now).filter(entry=entry).exists():
            raise AlreadyHolding()
        slot = next(
            (s for s in offerable_times(entry=entry, now=now, rules=rules) if slots.same_moment(s.start, start)), None
        )
        if slot is None:
            raise SlotUnavailable(taken=False, alternatives=[])
        return _hold(
            entry_id=entry.pk, slot=slot, kinds=slot.kinds & entry.kinds, rules=rules, by_practice=True, now=now
        )


def _notify_about(kind: str, **about) -> None:
    """An outbox email about a waiting person or a question: sent after commit, like the others."""
    tasks.queue(OutgoingEmail.objects.create(kind=kind, **about))


# Questions ----------------------------------------------------------------------


def ask(*, name: str, email: str, phone: str, text: str, request_token: uuid.UUID, now: datetime) -> Question:
    """Stores a question. Both emails only say that it arrived: the question stays here."""
    with transaction.atomic():
        earlier = Question.objects.filter(request_token=request_token).first()
        if earlier is not None:
            return earlier
        question = Question.objects.create(
            name=name,
            email=email,
            phone=phone,
            text=text,
            privacy_accepted_at=now,
            created_at=now,
            request_token=request_token,
        )
        _notify_about(OutgoingEmail.Kind.QUESTION_RECEIVED, question=question)
        _notify_about(OutgoingEmail.Kind.PRACTICE_QUESTION, question=question)
    return question


def mark_handled(*, question_ids: list[int], now: datetime) -> int:
    with transaction.atomic():
        return Question.objects.filter(pk__in=question_ids, handled_at__isnull=True).update(handled_at=now)
