"""The therapist's agenda: the coming weeks day by day, as clients see them, with the bookings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.domain import slots
from booking.models import Booking, ScheduleException
from booking.services import schedule as schedule_service


@dataclass
class AgendaSlot:
    start: datetime
    end: datetime
    kinds: frozenset[str]
    free: bool
    # Not offered because of her own calendar (a booking does not show as this).
    own_busy: bool = False

    @property
    def kinds_in_order(self) -> list[str]:
        """Online first, always: a set's own order changes from run to run."""
        return [kind for kind in slots.KINDS if kind in self.kinds]


@dataclass
class AgendaDay:
    day: date
    closed_reason: str | None = None
    slots: list[AgendaSlot] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.closed_reason is not None

    @property
    def items(self) -> list[AgendaSlot | Booking]:
        """Free slots and bookings together, in time order. Taken slots show as their booking."""
        shown = [slot for slot in self.slots if slot.free or slot.own_busy]
        return sorted([*shown, *self.bookings], key=lambda item: (item.start, isinstance(item, Booking)))


def build_agenda(*, now: datetime, days: int) -> list[list[AgendaDay]]:
    """Weeks (Monday first) of days from today; each day its offered slots and its bookings."""
    tz = schedule_service.practice_tz()
    schedule = schedule_service.load_schedule(now=now)
    offered = schedule.slots(now=now, with_bookings=False, with_own_calendar=False)
    # Instants, not wall-clock times: the repeated October hour has two of each.
    free = {s.start.timestamp() for s in schedule.slots(now=now)}
    free_but_for_own = {s.start.timestamp() for s in schedule.slots(now=now, with_own_calendar=False)}
    today = now.astimezone(tz).date()
    last = today + timedelta(days=days - 1)

    by_day: dict[date, AgendaDay] = {}
    current = today - timedelta(days=today.weekday())
    while current <= last or current.weekday() != 0:
        by_day[current] = AgendaDay(current)
        current += timedelta(days=1)

    for slot in offered:
        entry = by_day.get(slot.start.date())
        if entry is not None:
            moment = slot.start.timestamp()
            entry.slots.append(
                AgendaSlot(
                    slot.start, slot.end, slot.kinds, moment in free, moment not in free and moment in free_but_for_own
                )
            )

    start_of_range = datetime.combine(min(by_day), datetime.min.time(), tzinfo=tz)
    end_of_range = datetime.combine(max(by_day) + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    bookings = (
        Booking.objects.filter(start__gte=start_of_range, start__lt=end_of_range).with_clashes().order_by("start")
    )
    for booking in bookings:
        by_day[booking.start.astimezone(tz).date()].bookings.append(booking)

    closures = ScheduleException.objects.filter(
        type=ScheduleException.Type.CLOSED, start_time__isnull=True, first_day__lte=max(by_day)
    )
    for closure in closures:
        for day, entry in by_day.items():
            if closure.first_day <= day <= closure.end_day:
                entry.closed_reason = closure.reason or "gesloten"

    ordered = [by_day[d] for d in sorted(by_day)]
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
