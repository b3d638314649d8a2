"""Which introduction slots are free: pure computation, no database, no clock.

Everything the calculation needs comes in as plain values, `now` included, so
it can be tested exhaustively (DST Sundays, random schedules) and reused for
the client's overview, the re-check inside the booking transaction and the
therapist's agenda alike.

Times: windows are wall-clock times in the practice's time zone. A slot starts
on the wall-clock grid of its window and lasts `slot_minutes` of real time. A
grid time that does not exist (the hour skipped in March) offers no slot; one
that exists twice (the hour repeated in October) offers one slot, at its first
occurrence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONLINE = "online"
IN_PERSON = "in_person"
KINDS = (ONLINE, IN_PERSON)


@dataclass(frozen=True)
class Rules:
    slot_minutes: int = 20
    buffer_minutes: int = 10
    min_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(weeks=6)
    max_per_day: int | None = None

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes + self.buffer_minutes)


@dataclass(frozen=True)
class Window:
    """A weekly window: weekday 0 is Monday."""

    weekday: int
    start: time
    end: time
    kinds: frozenset[str]
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_to(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class ExtraWindow:
    day: date
    start: time
    end: time
    kinds: frozenset[str]


@dataclass(frozen=True)
class Closure:
    """Closed from first_day to last_day; between start and end on each of those days, or all day."""

    first_day: date
    last_day: date
    start: time | None = None
    end: time | None = None

    def covers_day(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def whole_day(self) -> bool:
        return self.start is None or self.end is None


@dataclass(frozen=True)
class Busy:
    """Time taken by an active booking: from its start to its end plus the buffer after it."""

    start: datetime
    until: datetime


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    kinds: frozenset[str] = field(compare=False)


def wall_clock(day: date, moment: time, tz: ZoneInfo) -> datetime | None:
    """The aware moment of a wall-clock time, or None when that time does not exist that day."""
    local = datetime.combine(day, moment, tzinfo=tz)  # fold=0: the first of a repeated hour
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def closure_moment(day: date, moment: time, tz: ZoneInfo, *, ends: bool) -> datetime:
    """The real moment a closure starts or ends, as a person means it.

    A time in the skipped hour (March) means the moment the clock jumps: the first
    wall-clock time that exists after it. A time in the repeated hour (October)
    closes as much as it can: its first occurrence as a start, its second as an end.
    """
    exact = wall_clock(day, moment, tz)
    if exact is None:
        later = datetime.combine(day, moment)
        while exact is None:
            later += timedelta(minutes=1)
            exact = wall_clock(later.date(), later.time(), tz)
        return exact.astimezone(UTC)
    return exact.replace(fold=1 if ends else 0).astimezone(UTC)


def _grid(day: date, start: time, end: time, rules: Rules) -> Iterable[time]:
    """Wall-clock start times from start, every step, while a whole slot fits before end."""
    base = datetime.combine(day, start)
    finish = datetime.combine(day, end)
    length = timedelta(minutes=rules.slot_minutes)
    moment = base
    while moment + length <= finish:
        yield moment.time()
        moment += rules.step


def _closed(start: datetime, end: datetime, day: date, closures: list[Closure], tz: ZoneInfo) -> bool:
    for closure in closures:
        if not closure.covers_day(day):
            continue
        if closure.whole_day:
            return True
        closed_from = closure_moment(day, closure.start, tz, ends=False)
        closed_to = closure_moment(day, closure.end, tz, ends=True)
        if start < closed_to and closed_from < end:
            return True
    return False


class _BusyIndex:
    """Busy intervals sorted by start, for fast overlap checks."""

    def __init__(self, busy: Iterable[Busy]):
        self.items = sorted(busy, key=lambda b: b.start)
        self.starts = [b.start for b in self.items]
        # Longest busy interval: how far back an overlapping one can start.
        self.longest = max((b.until - b.start for b in self.items), default=timedelta(0))

    def overlaps(self, start: datetime, until: datetime) -> bool:
        index = bisect_left(self.starts, start - self.longest)
        while index < len(self.items) and self.items[index].start < until:
            if self.items[index].until > start:
                return True
            index += 1
        return False


def compute_slots(**arguments) -> list[Slot]:
    """Every free slot from now + minimum notice up to now + horizon, nearest first
    (the arguments of iter_slots)."""
    return list(iter_slots(**arguments))


def first_slot(**arguments) -> Slot | None:
    """The nearest free slot; stops computing as soon as it is found."""
    return next(iter_slots(**arguments), None)


def iter_slots(
    *,
    now: datetime,
    tz: ZoneInfo,
    rules: Rules,
    windows: Iterable[Window],
    extras: Iterable[ExtraWindow] = (),
    closures: Iterable[Closure] = (),
    busy: Iterable[Busy] = (),
    blocked: Iterable[Busy] = (),
    kind: str | None = None,
) -> Iterator[Slot]:
    """The free slots from now + minimum notice up to now + horizon, nearest first, one day
    at a time: whoever needs only the first stops there.

    `busy`: the intakes booked (they count towards the maximum per day). `blocked`: other
    time the therapist is not free (her own calendar); the caller adds the pause after it,
    as for a booking. With `kind`, only slots that offer that kind of intake.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    windows = list(windows)
    extras_by_day: dict[date, list[ExtraWindow]] = defaultdict(list)
    for extra in extras:
        extras_by_day[extra.day].append(extra)
    closures = list(closures)
    busy = [Busy(b.start.astimezone(UTC), b.until.astimezone(UTC)) for b in busy]
    index = _BusyIndex([*busy, *(Busy(b.start.astimezone(UTC), b.until.astimezone(UTC)) for b in blocked)])
    # Arithmetic on aware datetimes that share a ZoneInfo is wall-clock arithmetic;
    # real durations (notice, horizon, slot length) are therefore added in UTC.
    now = now.astimezone(UTC)
    earliest = now + rules.min_notice
    latest = now + rules.horizon
    length = timedelta(minutes=rules.slot_minutes)
    buffer = timedelta(minutes=rules.buffer_minutes)

    per_day: dict[date, int] = defaultdict(int)
    if rules.max_per_day is not None:
        for item in busy:
            per_day[item.start.astimezone(tz).date()] += 1

    day = earliest.astimezone(tz).date()
    last_day = latest.astimezone(tz).date()
    while day <= last_day:
        if rules.max_per_day is not None and per_day[day] >= rules.max_per_day:
            day += timedelta(days=1)
            continue
        offered: dict[datetime, set[str]] = defaultdict(set)
        sources = [(w.start, w.end, w.kinds) for w in windows if w.applies_to(day)]
        sources += [(e.start, e.end, e.kinds) for e in extras_by_day.get(day, ())]
        for start_time, end_time, kinds in sources:
            for moment in _grid(day, start_time, end_time, rules):
                start = wall_clock(day, moment, tz)
                if start is not None:
                    offered[start] |= kinds
        for start in sorted(offered):
            kinds = offered[start]
            if kind is not None and kind not in kinds:
                continue
            start_utc = start.astimezone(UTC)
            if start_utc < earliest or start_utc > latest:
                continue
            end_utc = start_utc + length
            if _closed(start_utc, end_utc, day, closures, tz):
                continue
            # The slot's own buffer after it must stay clear too.
            if index.overlaps(start_utc, end_utc + buffer):
                continue
            yield Slot(start=start, end=end_utc.astimezone(tz), kinds=frozenset(kinds))
        day += timedelta(days=1)


def same_moment(a: datetime, b: datetime) -> bool:
    """Whether two aware datetimes are the same instant.

    Python never calls a time in the repeated October hour equal to the same instant
    in another zone (PEP 495), so instants are compared in UTC.
    """
    return a.astimezone(UTC) == b.astimezone(UTC)


def find_slot(slots: Iterable[Slot], start: datetime, kind: str) -> Slot | None:
    for slot in slots:
        if same_moment(slot.start, start) and kind in slot.kinds:
            return slot
    return None
