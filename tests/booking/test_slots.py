"""The slot rules, computed without a database: grid, exceptions, bookings, notice, horizon, DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain.slots import (
    IN_PERSON,
    ONLINE,
    Busy,
    Closure,
    ExtraWindow,
    Rules,
    Window,
    compute_slots,
    find_slot,
    first_slot,
    wall_clock,
)

TZ = ZoneInfo("Europe/Amsterdam")
BOTH = frozenset({ONLINE, IN_PERSON})
RULES = Rules(min_notice=timedelta(0), horizon=timedelta(days=60))
MONDAY, TUESDAY, THURSDAY, SUNDAY = 0, 1, 3, 6


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def times(slots) -> list[str]:
    return [s.start.strftime("%Y-%m-%d %H:%M") for s in slots]


def slots_on(day: date, **kwargs) -> list:
    kwargs.setdefault("rules", RULES)
    kwargs.setdefault("now", datetime.combine(day, time(0), tzinfo=TZ) - timedelta(days=1))
    return [s for s in compute_slots(tz=TZ, **kwargs) if s.start.date() == day]


def test_grid_of_slot_plus_buffer_within_the_window():
    window = Window(TUESDAY, time(9, 0), time(11, 0), frozenset({IN_PERSON}))
    slots = slots_on(date(2026, 12, 1), windows=[window])
    assert times(slots) == ["2026-12-01 09:00", "2026-12-01 09:30", "2026-12-01 10:00", "2026-12-01 10:30"]
    assert all(s.end - s.start == timedelta(minutes=20) for s in slots)
    assert all(s.kinds == {IN_PERSON} for s in slots)


def test_a_slot_that_does_not_fit_before_the_window_ends_is_not_offered():
    window = Window(TUESDAY, time(9, 0), time(9, 45), BOTH)
    assert times(slots_on(date(2026, 12, 1), windows=[window])) == ["2026-12-01 09:00"]


def test_kind_filter_and_overlapping_windows_merge_their_kinds():
    online = Window(TUESDAY, time(9, 0), time(10, 0), frozenset({ONLINE}))
    in_person = Window(TUESDAY, time(9, 30), time(10, 30), frozenset({IN_PERSON}))
    day = date(2026, 12, 1)
    all_slots = slots_on(day, windows=[online, in_person])
    assert [(s.start.strftime("%H:%M"), sorted(s.kinds)) for s in all_slots] == [
        ("09:00", [ONLINE]),
        ("09:30", [IN_PERSON, ONLINE]),
        ("10:00", [IN_PERSON]),
    ]
    assert times(slots_on(day, windows=[online, in_person], kind=ONLINE)) == ["2026-12-01 09:00", "2026-12-01 09:30"]


def test_valid_from_and_until_bound_a_weekly_window():
    window = Window(
        TUESDAY, time(9, 0), time(9, 30), BOTH, valid_from=date(2026, 12, 8), valid_until=date(2026, 12, 15)
    )
    slots = compute_slots(now=local(2026, 11, 30, 0, 0), tz=TZ, rules=RULES, windows=[window])
    assert times(slots) == ["2026-12-08 09:00", "2026-12-15 09:00"]


def test_closed_days_and_ranges_remove_everything():
    window = Window(TUESDAY, time(9, 0), time(10, 0), BOTH)
    closure = Closure(date(2026, 12, 8), date(2026, 12, 15))
    slots = compute_slots(
        now=local(2026, 11, 30, 0, 0),
        tz=TZ,
        rules=Rules(min_notice=timedelta(0), horizon=timedelta(days=23)),
        windows=[window],
        closures=[closure],
    )
    assert sorted({s.start.date().isoformat() for s in slots}) == ["2026-12-01", "2026-12-22"]


def test_closed_part_of_a_day_removes_only_overlapping_slots():
    window = Window(TUESDAY, time(9, 0), time(11, 0), BOTH)
    closure = Closure(date(2026, 12, 1), date(2026, 12, 1), time(9, 40), time(10, 30))
    slots = slots_on(date(2026, 12, 1), windows=[window], closures=[closure])
    assert times(slots) == ["2026-12-01 09:00", "2026-12-01 10:30"]


def test_extra_window_on_a_date():
    extra = ExtraWindow(date(2026, 12, 5), time(14, 0), time(15, 0), frozenset({ONLINE}))
    slots = slots_on(date(2026, 12, 5), windows=[], extras=[extra])
    assert times(slots) == ["2026-12-05 14:00", "2026-12-05 14:30"]


def test_bookings_and_their_buffers_take_time_whatever_the_grid():
    window = Window(TUESDAY, time(9, 0), time(12, 0), BOTH)
    # Booked off-grid (the grid was different when it was made): 09:50-10:10, buffer to 10:20.
    busy = Busy(local(2026, 12, 1, 9, 50), local(2026, 12, 1, 10, 20))
    slots = slots_on(date(2026, 12, 1), windows=[window], busy=[busy])
    # 09:30 would need 09:30-10:00 clear (slot plus its buffer): it overlaps. 10:00 starts inside.
    assert times(slots) == ["2026-12-01 09:00", "2026-12-01 10:30", "2026-12-01 11:00", "2026-12-01 11:30"]


def test_minimum_notice_and_horizon():
    window = Window(TUESDAY, time(9, 0), time(10, 0), BOTH)
    rules = Rules(min_notice=timedelta(hours=24), horizon=timedelta(days=14))
    now = local(2026, 11, 30, 9, 15)  # Monday
    slots = compute_slots(now=now, tz=TZ, rules=rules, windows=[window])
    # Tuesday 09:00 is within 24 hours; 09:30 is not. 15 December is beyond 14 days.
    assert times(slots) == ["2026-12-01 09:30", "2026-12-08 09:00", "2026-12-08 09:30"]


def test_maximum_per_day_closes_a_day_once_reached():
    window = Window(TUESDAY, time(9, 0), time(12, 0), BOTH)
    rules = Rules(min_notice=timedelta(0), horizon=timedelta(days=10), max_per_day=2)
    busy = [
        Busy(local(2026, 12, 1, 9, 0), local(2026, 12, 1, 9, 30)),
        Busy(local(2026, 12, 1, 11, 0), local(2026, 12, 1, 11, 30)),
    ]
    slots = compute_slots(now=local(2026, 11, 30, 0, 0), tz=TZ, rules=rules, windows=[window], busy=busy)
    assert {s.start.date() for s in slots} == {date(2026, 12, 8)}
    one = compute_slots(now=local(2026, 11, 30, 0, 0), tz=TZ, rules=rules, windows=[window], busy=busy[:1])
    assert date(2026, 12, 1) in {s.start.date() for s in one}


# --- Daylight saving time: last Sundays of March and October ---------------------------------


def test_spring_forward_sunday_keeps_wall_clock_slots():
    # 29 March 2026: 02:00 becomes 03:00.
    day = date(2026, 3, 29)
    window = Window(SUNDAY, time(10, 0), time(12, 0), BOTH)
    slots = slots_on(day, windows=[window])
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:00", "10:30", "11:00", "11:30"]
    assert all(s.start.utcoffset() == timedelta(hours=2) for s in slots)
    assert all(s.end - s.start == timedelta(minutes=20) for s in slots)


def test_spring_forward_skips_only_the_hour_that_does_not_exist():
    day = date(2026, 3, 29)
    window = Window(SUNDAY, time(1, 0), time(4, 0), BOTH)
    slots = slots_on(day, windows=[window])
    assert [s.start.strftime("%H:%M") for s in slots] == ["01:00", "01:30", "03:00", "03:30"]
    assert wall_clock(day, time(2, 30), TZ) is None


def test_fall_back_sunday_keeps_wall_clock_slots_and_never_doubles():
    # 25 October 2026: 03:00 becomes 02:00 again.
    day = date(2026, 10, 25)
    evening = Window(SUNDAY, time(19, 0), time(20, 0), BOTH)
    assert [s.start.strftime("%H:%M") for s in slots_on(day, windows=[evening])] == ["19:00", "19:30"]
    night = Window(SUNDAY, time(1, 0), time(4, 0), BOTH)
    slots = slots_on(day, windows=[night])
    assert [s.start.strftime("%H:%M") for s in slots] == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    starts = [s.start.astimezone(UTC) for s in slots]
    assert len(set(starts)) == len(starts)
    assert all(b - a >= timedelta(minutes=30) for a, b in zip(starts, starts[1:], strict=False))


def test_every_slot_of_the_repeated_hour_can_be_found_by_its_instant():
    # The booking form sends times in UTC; the repeated 02:00 and 02:30 must be found too.
    day = date(2026, 10, 25)
    slots = slots_on(day, windows=[Window(SUNDAY, time(1, 0), time(4, 0), BOTH)])
    for slot in slots:
        assert find_slot(slots, slot.start.astimezone(UTC), ONLINE) == slot, slot
    repeated = [s for s in slots if s.start.strftime("%H:%M") in ("02:00", "02:30")]
    assert len(repeated) == 2


def test_a_closure_starting_in_the_skipped_hour_closes_from_the_jump():
    # 29 March 2026: 02:30 does not exist; closed 02:30-04:00 means closed from 03:00 on.
    day = date(2026, 3, 29)
    window = Window(SUNDAY, time(1, 0), time(5, 0), BOTH)
    closure = Closure(day, day, time(2, 30), time(4, 0))
    assert times_of(slots_on(day, windows=[window], closures=[closure])) == ["01:00", "01:30", "04:00", "04:30"]


def test_a_closure_ending_in_the_skipped_hour_ends_at_the_jump():
    day = date(2026, 3, 29)
    window = Window(SUNDAY, time(1, 0), time(5, 0), BOTH)
    closure = Closure(day, day, time(1, 0), time(2, 30))
    assert times_of(slots_on(day, windows=[window], closures=[closure])) == ["03:00", "03:30", "04:00", "04:30"]


def test_a_closure_in_the_repeated_hour_closes_both_of_its_occurrences():
    day = date(2026, 10, 25)
    window = Window(SUNDAY, time(1, 0), time(4, 0), BOTH)
    closure = Closure(day, day, time(2, 0), time(3, 0))
    assert times_of(slots_on(day, windows=[window], closures=[closure])) == ["01:00", "01:30", "03:00", "03:30"]


def times_of(slots) -> list[str]:
    return [s.start.strftime("%H:%M") for s in slots]


def test_a_week_straddling_each_dst_change_keeps_the_same_wall_clock_times():
    windows = [
        Window(TUESDAY, time(19, 0), time(20, 0), frozenset({ONLINE})),
        Window(THURSDAY, time(9, 0), time(10, 0), frozenset({IN_PERSON})),
    ]
    rules = Rules(min_notice=timedelta(0), horizon=timedelta(days=14))
    for now in (local(2026, 3, 23, 0, 0), local(2026, 10, 19, 0, 0)):
        slots = compute_slots(now=now, tz=TZ, rules=rules, windows=windows)
        by_weekday = {}
        for slot in slots:
            by_weekday.setdefault(slot.start.weekday(), set()).add(slot.start.strftime("%H:%M"))
        assert by_weekday == {TUESDAY: {"19:00", "19:30"}, THURSDAY: {"09:00", "09:30"}}
        assert len(slots) == 8  # two weeks, two days, two slots: nothing lost or doubled
        offsets = {slot.start.utcoffset() for slot in slots}
        assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_notice_is_real_time_across_the_dst_change():
    # Saturday 28 March 2026 10:00 (+01:00) plus 24 real hours is Sunday 11:00 (+02:00).
    window = Window(SUNDAY, time(10, 0), time(12, 0), BOTH)
    rules = Rules(min_notice=timedelta(hours=24), horizon=timedelta(days=2))
    slots = compute_slots(now=local(2026, 3, 28, 10, 0), tz=TZ, rules=rules, windows=[window])
    assert [s.start.strftime("%H:%M") for s in slots] == ["11:00", "11:30"]


# --- Properties on random schedules and bookings ----------------------------------------------

quarter_hours = st.integers(min_value=0, max_value=95).map(lambda q: time(q // 4, (q % 4) * 15))
kinds = st.sampled_from([frozenset({ONLINE}), frozenset({IN_PERSON}), BOTH])


@st.composite
def windows(draw, around: date | None = None):
    start = draw(quarter_hours)
    length = draw(st.integers(min_value=1, max_value=24)) * 15
    end_minutes = min(start.hour * 60 + start.minute + length, 23 * 60 + 59)
    valid_from = valid_until = None
    if around is not None and draw(st.booleans()):
        valid_from = around + timedelta(days=draw(st.integers(-3, 20)))
    if around is not None and draw(st.booleans()):
        valid_until = (valid_from or around) + timedelta(days=draw(st.integers(0, 20)))
    return Window(
        draw(st.integers(0, 6)), start, time(end_minutes // 60, end_minutes % 60), draw(kinds), valid_from, valid_until
    )


@st.composite
def extras(draw, around: date):
    start = draw(quarter_hours)
    end_minutes = min(start.hour * 60 + start.minute + draw(st.integers(1, 12)) * 15, 23 * 60 + 59)
    day = around + timedelta(days=draw(st.integers(0, 20)))
    return ExtraWindow(day, start, time(end_minutes // 60, end_minutes % 60), draw(kinds))


@st.composite
def closures(draw, around: date):
    first = around + timedelta(days=draw(st.integers(0, 20)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    if draw(st.booleans()):
        return Closure(first, last)
    start = draw(quarter_hours)
    end_minutes = min(start.hour * 60 + start.minute + draw(st.integers(1, 16)) * 15, 23 * 60 + 59)
    return Closure(first, last, start, time(end_minutes // 60, end_minutes % 60))


# Around both DST changes of 2026 and a quiet stretch.
nows = st.sampled_from([local(2026, 3, 20, 8, 0), local(2026, 10, 18, 22, 0), local(2026, 6, 1, 12, 0)]).flatmap(
    lambda base: st.integers(0, 10 * 24 * 4).map(lambda q: base + timedelta(minutes=15 * q))
)


@st.composite
def bookings(draw, now):
    result = []
    for _ in range(draw(st.integers(0, 12))):
        start = (now + timedelta(minutes=5 * draw(st.integers(0, 12 * 24 * 16)))).astimezone(UTC)
        # Any length: a booking made under other rules, with its pause.
        result.append(Busy(start, start + timedelta(minutes=draw(st.integers(5, 240)))))
    return result


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    rules=st.builds(
        Rules,
        slot_minutes=st.sampled_from([20, 30, 45]),
        buffer_minutes=st.sampled_from([0, 10, 15]),
        min_notice=st.sampled_from([timedelta(0), timedelta(hours=24)]),
        horizon=st.sampled_from([timedelta(days=7), timedelta(weeks=6)]),
        max_per_day=st.sampled_from([None, 1, 3]),
    ),
)
def test_invariants_on_random_schedules(data, rules):
    now = data.draw(nows)
    today = now.astimezone(TZ).date()
    schedule = data.draw(st.lists(windows(around=today), max_size=6))
    extra = data.draw(st.lists(extras(today), max_size=3))
    closed = data.draw(st.lists(closures(today), max_size=3))
    busy = data.draw(bookings(now))
    slots = compute_slots(now=now, tz=TZ, rules=rules, windows=schedule, extras=extra, closures=closed, busy=busy)

    length = timedelta(minutes=rules.slot_minutes)
    buffer = timedelta(minutes=rules.buffer_minutes)
    utc_starts = [s.start.astimezone(UTC) for s in slots]
    assert utc_starts == sorted(utc_starts), "nearest first"
    assert len(set(utc_starts)) == len(utc_starts), "no doubles"
    offered_days = set()
    for slot in slots:
        start, end = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
        assert end - start == length
        # In UTC: notice and horizon are real durations, not wall-clock ones.
        now_utc = now.astimezone(UTC)
        assert now_utc + rules.min_notice <= start <= now_utc + rules.horizon
        day = slot.start.date()
        wall = slot.start.replace(tzinfo=None)
        wall_end = wall + length
        for closure in closed:
            if closure.first_day <= day <= closure.last_day:
                assert not closure.whole_day, (slot, closure)
                # Away from the DST nights, a closure is plain wall-clock time.
                if slot.start.utcoffset() == slot.end.utcoffset() and not (time(1) <= closure.start <= time(4)):
                    assert not (
                        wall < datetime.combine(day, closure.end) and datetime.combine(day, closure.start) < wall_end
                    ), (slot, closure)
        # Each kind it offers comes from a window or an extra moment that applies that day
        # and holds the slot on its wall-clock grid.
        sources = [w for w in schedule if w.applies_to(day)] + [e for e in extra if e.day == day]
        assert slot.kinds
        for kind in slot.kinds:
            assert any(
                kind in source.kinds
                and datetime.combine(day, source.start) <= wall
                and wall + length <= datetime.combine(day, source.end)
                and (wall - datetime.combine(day, source.start)) % rules.step == timedelta(0)
                for source in sources
            ), (slot, kind)
        # Clear of every booking, its buffer and the slot's own buffer.
        for b in busy:
            assert not (start < b.until and b.start < end + buffer)
        offered_days.add(day)
    if rules.max_per_day is not None:
        for b in busy:
            booked_day = b.start.astimezone(TZ).date()
            if sum(1 for o in busy if o.start.astimezone(TZ).date() == booked_day) >= rules.max_per_day:
                assert booked_day not in offered_days


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_no_existing_grid_time_is_lost(data):
    """Every wall-clock grid time that exists, within the window, notice and horizon, is offered."""
    now = data.draw(nows)
    schedule = data.draw(st.lists(windows(), min_size=1, max_size=4))
    rules = Rules(min_notice=timedelta(0), horizon=timedelta(days=10))
    offered = {s.start.astimezone(UTC) for s in compute_slots(now=now, tz=TZ, rules=rules, windows=schedule)}
    day = now.astimezone(TZ).date()
    for offset in range(11):
        current = day + timedelta(days=offset)
        for w in schedule:
            if not w.applies_to(current):
                continue
            moment = datetime.combine(current, w.start)
            while moment + timedelta(minutes=rules.slot_minutes) <= datetime.combine(current, w.end):
                aware = wall_clock(current, moment.time(), TZ)
                # In UTC: the horizon is real time, not wall-clock time.
                now_utc = now.astimezone(UTC)
                if aware is not None and now_utc <= aware.astimezone(UTC) <= now_utc + rules.horizon:
                    assert aware.astimezone(UTC) in offered, aware
                moment += rules.step


class CountingWindow(Window):
    """A weekly window that notes which days the computation asked about."""

    def applies_to(self, day: date) -> bool:
        ASKED.append(day)
        return super().applies_to(day)


ASKED: list[date] = []


def test_the_first_free_slot_is_the_first_of_all_and_found_without_the_rest():
    ASKED.clear()
    window = CountingWindow(0, time(9), time(12), frozenset({"online"}))
    now = local(2026, 11, 23, 7)
    arguments = {"now": now, "tz": TZ, "rules": RULES, "windows": [window]}
    everything = compute_slots(**arguments)
    days_for_all = len(set(ASKED))
    ASKED.clear()
    assert first_slot(**arguments) == everything[0]
    assert len(set(ASKED)) == 1 < days_for_all, "it stopped on the first day with a free time"
    assert first_slot(**{**arguments, "windows": []}) is None
