"""Calendar data to busy periods, without network or database: every case a real calendar has."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import DAILY, WEEKLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from booking.calendars.sync import is_own_intake
from booking.domain import busy

TZ = ZoneInfo("Europe/Amsterdam")
CALENDARS = Path(__file__).resolve().parent / "calendars"
WINDOW = {"start": datetime(2026, 10, 1, tzinfo=UTC), "end": datetime(2026, 12, 31, tzinfo=UTC), "tz": TZ}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def periods(name: str, **kwargs) -> list[tuple[datetime, datetime]]:
    calendar = busy.parse((CALENDARS / name).read_bytes())
    found = busy.busy_periods(calendar, **{**WINDOW, "is_own": is_own_intake, **kwargs})
    return [(p.start, p.end) for p in found]


EVERY_CASE = [
    # Weekly with COUNT, in a custom VTIMEZONE, across the October DST change: 10:00 wall clock.
    (utc(2026, 10, 19, 8), utc(2026, 10, 19, 9)),
    (utc(2026, 10, 26, 9), utc(2026, 10, 26, 10)),
    (utc(2026, 11, 2, 9), utc(2026, 11, 2, 10)),
    # Daily until 5 November, without the EXDATE of 3 November...
    (utc(2026, 11, 2, 13), utc(2026, 11, 2, 14)),
    (utc(2026, 11, 4, 13), utc(2026, 11, 4, 14)),
    (utc(2026, 11, 5, 13), utc(2026, 11, 5, 14)),
    # ...plus an RDATE.
    (utc(2026, 11, 10, 15), utc(2026, 11, 10, 16)),
    # A series with one occurrence moved (RECURRENCE-ID) and one cancelled.
    (utc(2026, 11, 16, 7), utc(2026, 11, 16, 7, 30)),
    (utc(2026, 11, 17, 8), utc(2026, 11, 17, 8, 30)),
    # Two all-day days: the whole Amsterdam days.
    (utc(2026, 11, 23, 23), utc(2026, 11, 25, 23)),
    # Floating time: Amsterdam time.
    (utc(2026, 11, 28, 8), utc(2026, 11, 28, 9)),
]


def test_every_case_of_a_real_calendar():
    # Not in it: the event marked free, the cancelled one, and our own intake.
    assert periods("every_case.ics") == EVERY_CASE


def test_treating_every_event_as_busy_counts_free_ones_too():
    found = periods("every_case.ics", all_busy=True)
    assert (utc(2026, 11, 27, 9), utc(2026, 11, 27, 10)) in found
    assert (utc(2026, 11, 27, 12), utc(2026, 11, 27, 13)) not in found  # cancelled stays out
    assert len(found) == len(EVERY_CASE) + 1


def test_googles_x_wr_timezone_keeps_the_wall_clock_across_dst():
    # Without the calendar's X-WR-TIMEZONE the second week would be an hour early.
    assert periods("google.ics") == [
        (utc(2026, 10, 20, 8), utc(2026, 10, 20, 9)),
        (utc(2026, 10, 27, 9), utc(2026, 10, 27, 10)),
    ]


def test_only_times_are_kept_never_what_or_with_whom():
    calendar = busy.parse((CALENDARS / "every_case.ics").read_bytes())
    found = busy.busy_periods(calendar, **WINDOW)
    assert all(set(vars(p)) == {"start", "end"} for p in found)


def test_periods_are_clipped_to_the_window_and_merged():
    calendar = busy.parse((CALENDARS / "every_case.ics").read_bytes())
    found = busy.busy_periods(calendar, start=utc(2026, 11, 24, 12), end=utc(2026, 11, 25, 12), tz=TZ)
    assert [(p.start, p.end) for p in found] == [(utc(2026, 11, 24, 12), utc(2026, 11, 25, 12))]
    assert busy.merge(
        [busy.Period(utc(2026, 1, 1, 9), utc(2026, 1, 1, 10)), busy.Period(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))]
    ) == [busy.Period(utc(2026, 1, 1, 9), utc(2026, 1, 1, 11))]


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"<html><body>Inloggen</body></html>",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:kapot\r\n",
        b"\x00\xff" * 100,
    ],
)
def test_garbage_is_refused_as_unreadable(garbage):
    with pytest.raises(busy.CalendarUnreadable):
        busy.busy_periods(busy.parse(garbage), **WINDOW)


# --- Property: our expansion against an independent one (dateutil's rrule on wall-clock time) --------


@st.composite
def series(draw):
    first = datetime(2026, 10, 1, 6, 0) + timedelta(
        days=draw(st.integers(0, 40)), minutes=15 * draw(st.integers(0, 56))
    )
    return {
        "uid": f"s{draw(st.integers(0, 10**9))}@test",
        "first": first,
        "minutes": draw(st.sampled_from([15, 30, 45, 60, 90])),
        "freq": draw(st.sampled_from([DAILY, WEEKLY])),
        "count": draw(st.integers(1, 12)),
        "skip": draw(st.sets(st.integers(0, 11), max_size=3)),
    }


def as_calendar(all_series) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Test//property//NL")
    calendar.add("version", "2.0")
    for item in all_series:
        event = Event()
        event.add("uid", item["uid"])
        event.add("dtstart", item["first"].replace(tzinfo=TZ))
        event.add("dtend", (item["first"] + timedelta(minutes=item["minutes"])).replace(tzinfo=TZ))
        event.add("rrule", {"freq": "daily" if item["freq"] == DAILY else "weekly", "count": item["count"]})
        occurrences = list(rrule(item["freq"], dtstart=item["first"], count=item["count"]))
        for index in sorted(item["skip"]):
            if index < len(occurrences):
                event.add("exdate", occurrences[index].replace(tzinfo=TZ))
        calendar.add_component(event)
    return calendar.to_ical()


def independent(all_series) -> list[busy.Period]:
    found = []
    for item in all_series:
        for index, moment in enumerate(rrule(item["freq"], dtstart=item["first"], count=item["count"])):
            if index in item["skip"]:
                continue
            start = moment.replace(tzinfo=TZ).astimezone(UTC)
            end = (moment + timedelta(minutes=item["minutes"])).replace(tzinfo=TZ).astimezone(UTC)
            found.append(busy.Period(start, end))
    return busy.merge(found)


@settings(max_examples=80, deadline=None)
@given(st.lists(series(), min_size=1, max_size=6, unique_by=lambda s: s["uid"]))
def test_expansion_matches_an_independent_one(all_series):
    calendar = busy.parse(as_calendar(all_series))
    ours = busy.busy_periods(calendar, start=utc(2026, 9, 1), end=utc(2027, 3, 1), tz=TZ)
    assert ours == independent(all_series)
