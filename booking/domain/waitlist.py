"""The waiting list's rules: pure computation, no database, no clock.

Which free moments are new since the last look, and which waiting person a moment
goes to. The service (services.waiting.offer_waiting_times) reads the database, calls these
and writes the holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from . import slots
from .vocabulary import AFTERNOON, EVENING, MORNING, PARTS
from .vocabulary import part_of_day_at as part_of_day

__all__ = ["AFTERNOON", "EVENING", "MORNING", "PARTS", "part_of_day"]


@dataclass(frozen=True)
class Wishes:
    """When a waiting person can come: kinds, days of the week (0 = Monday) and parts of the day."""

    kinds: frozenset[str]
    days: frozenset[int]
    parts: frozenset[str]

    def kinds_for(self, slot: slots.Slot, tz: ZoneInfo) -> frozenset[str]:
        """The kinds of this slot that suit her; empty when the slot does not suit her at all."""
        local = slot.start.astimezone(tz)
        if local.weekday() not in self.days or part_of_day(slot.start, tz) not in self.parts:
            return frozenset()
        return slot.kinds & self.kinds


@dataclass(frozen=True)
class Waiting:
    """One person on the list, as the matching sees her."""

    id: int
    wishes: Wishes
    # Holds this person has now: she gets one time at a time.
    holding: bool
    # Moments she was offered before (any outcome): never offered twice.
    had: frozenset[datetime]


def moment_keys(free: Iterable[slots.Slot]) -> set[str]:
    """The free moments as stored between runs: one key per start and kind."""
    return {f"{slot.start.isoformat()}|{kind}" for slot in free for kind in slot.kinds}


def new_moments(free: Sequence[slots.Slot], *, known: set[str], known_until: datetime | None) -> list[slots.Slot]:
    """Free slots with a kind that was not free at the last look: a cancellation, a moved
    booking, an expired hold, new availability, a closure removed.

    Slots beyond the last look's horizon only came into view because the horizon moves
    on each day; they were never taken, so they are not news. Without a last look,
    nothing is news: the first look only learns what is free.
    """
    if known_until is None:
        return []
    return [slot for slot in free if slot.start < known_until and not moment_keys([slot]) <= known]


def _suits(slot: slots.Slot, person: Waiting, tz: ZoneInfo) -> frozenset[str]:
    if any(slots.same_moment(slot.start, had) for had in person.had):
        return frozenset()
    return person.wishes.kinds_for(slot, tz)


def next_in_line(slot: slots.Slot, waiting: Sequence[Waiting], tz: ZoneInfo) -> tuple[Waiting, frozenset[str]] | None:
    """The first person, in the order they joined, whom this moment suits, who holds no
    other time now, and who was not offered this moment before; with the kinds for her."""
    for person in waiting:
        kinds = frozenset() if person.holding else _suits(slot, person, tz)
        if kinds:
            return person, kinds
    return None


def worth_keeping(slot: slots.Slot, waiting: Sequence[Waiting], tz: ZoneInfo) -> bool:
    """Whether a moment nobody can take now suits someone who holds another time: it waits
    for her hold to end, instead of being forgotten."""
    return any(person.holding and _suits(slot, person, tz) for person in waiting)
