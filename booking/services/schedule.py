"""What is free: the schedule read from the database for the slot computation, and the lock
every write that takes or frees time goes through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from booking.domain import slots
from booking.domain.wallclock import practice_tz
from booking.models import (
    Booking,
    BookingRules,
    BusyPeriod,
    Hold,
    ScheduleException,
    WeeklyWindow,
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


def nearest(candidates: list[slots.Slot], moment: datetime, count: int = ALTERNATIVES) -> list[slots.Slot]:
    return sorted(sorted(candidates, key=lambda s: abs(s.start - moment))[:count])


def lock_rules() -> BookingRules:
    """Serialises every write that takes or frees time (bookings, holds): on PostgreSQL a row
    lock, on SQLite the IMMEDIATE transaction already holds the write lock. Everything after
    it sees what committed before, the twin of a double click included."""
    return BookingRules.objects.select_for_update().order_by("pk").first() or BookingRules.load()
