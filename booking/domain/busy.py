"""Turns calendar data into busy periods: pure computation, no network, no database.

The therapist's own calendars decide when she is not free. What comes in is
iCalendar text (an .ics address, or the objects of a CalDAV calendar); what goes
out is only (start, end) in UTC: no titles, places or people, which are other
people's health data.

Expansion is left to well-kept libraries: x-wr-timezone turns Google's
X-WR-TIMEZONE calendars into standard ones, recurring-ical-events expands RRULE,
RDATE, EXDATE and RECURRENCE-ID overrides with the calendar's own VTIMEZONEs.

Anyone can send her an invite, and many calendar apps add invites by themselves, so
a file is hostile until proven otherwise: a repetition more often than once an hour
is refused before anything is expanded, and so is a file with more events, or a
window with more occurrences, than any real practice calendar has. Time and memory
are bounded around this code, in a child process (`busy_process.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

# Events in one read (a file, or a CalDAV calendar's objects). Counted in the text,
# before parsing, because parsing is what costs: a 10 MB file of real appointments
# (the size limit of fetching.py) holds at most some 35,000, of some 300 bytes each;
# 60,000 tiny ones took a minute and 450 MB to read.
MAX_EVENTS = 40_000
# Occurrences within the window (yesterday to past the booking horizon, at most a
# year). A full practice calendar has a few thousand busy periods in it: twelve
# appointments on every day of a year is 4,400. A series repeating every hour all
# year long still fits; one every minute does not, and is refused before this anyway.
MAX_OCCURRENCES = 10_000
# A repetition more often than this is refused before it is expanded: nobody has an
# appointment every minute, and expanding one fills memory in seconds.
SHORTEST_REPETITION_SECONDS = 3600


class CalendarUnreadable(ValueError):
    """The data is not an iCalendar file we can read."""


class OverLimit(Exception):
    """The calendar is readable but asks for more work than any real calendar does."""


class RepeatsTooOften(OverLimit):
    """An event repeats more often than once an hour."""


class TooManyEvents(OverLimit):
    """More events in the data, or occurrences in the window, than a real calendar has."""


@dataclass(frozen=True)
class UidPattern:
    """UIDs that start and end like this: our own intakes, written into her calendar.

    Plain values rather than a function, so they can be handed to the child process.
    """

    prefix: str
    suffix: str

    def __call__(self, uid: str) -> bool:
        return uid.startswith(self.prefix) and uid.endswith(self.suffix)


@dataclass(frozen=True, order=True)
class Period:
    start: datetime  # UTC
    end: datetime  # UTC


def _aware(value: date | datetime, tz: ZoneInfo, *, at_end: bool = False) -> datetime:
    """A calendar time as an aware UTC moment. A date is the Amsterdam day; a floating time is Amsterdam time."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


_EVENT_START = re.compile(rb"^BEGIN:VEVENT\b", re.IGNORECASE | re.MULTILINE)


def parse(data: bytes | str | Iterable[bytes | str]) -> icalendar.Calendar:
    """One calendar from one iCalendar text, or several merged (a CalDAV calendar's objects).

    TooManyEvents before any parsing when the texts hold more than MAX_EVENTS events.
    """
    texts = [data] if isinstance(data, bytes | str) else list(data)
    events = 0
    for text in texts:
        events += len(_EVENT_START.findall(text.encode() if isinstance(text, str) else text))
        if events > MAX_EVENTS:
            raise TooManyEvents(f"more than {MAX_EVENTS} events")
    merged = icalendar.Calendar()
    merged.add("prodid", "-//Praktijkwebsite//busy//NL")
    merged.add("version", "2.0")
    timezones = set()
    try:
        for text in texts:
            calendar = icalendar.Calendar.from_ical(text)
            if calendar.name != "VCALENDAR":
                raise CalendarUnreadable("no VCALENDAR")
            calendar = x_wr_timezone.to_standard(calendar)
            for component in calendar.subcomponents:
                if component.name == "VTIMEZONE":
                    tzid = str(component.get("tzid"))
                    if tzid in timezones:
                        continue
                    timezones.add(tzid)
                if component.name in ("VEVENT", "VTIMEZONE"):
                    merged.add_component(component)
    except (CalendarUnreadable, MemoryError):
        raise
    except Exception as error:  # icalendar raises ValueError, KeyError, TypeError… on bad input
        raise CalendarUnreadable(str(error)[:200]) from error
    return merged


def busy_periods(
    calendar: icalendar.Calendar,
    *,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    all_busy: bool = False,
    is_own: Callable[[str], bool] = lambda uid: False,
) -> list[Period]:
    """The periods between start and end in which the calendar's events make her busy, merged.

    Skipped: cancelled events and occurrences, events marked free (TRANSP:TRANSPARENT)
    unless `all_busy`, and events whose UID `is_own` recognises (our own intakes, written
    into her calendar, must not block themselves). An all-day event takes the whole
    Amsterdam day (or days).

    RepeatsTooOften before expanding anything when an event repeats more often than
    hourly; TooManyEvents as soon as the window holds more than MAX_OCCURRENCES.
    """
    refuse_frequent_repetition(calendar)
    periods = []
    for event in _occurrences(calendar, start, end):
        if is_own(str(event.get("uid", ""))):
            continue
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        if not all_busy and str(event.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if "dtstart" not in event:
            continue
        first = event.decoded("dtstart")
        if "dtend" in event:
            last = event.decoded("dtend")
        elif "duration" in event:
            last = first + event.decoded("duration")
        else:
            # RFC 5545: a date without end is one day; a time without end is a moment.
            last = first + timedelta(days=1) if not isinstance(first, datetime) else first
        period_start, period_end = _aware(first, tz), _aware(last, tz)
        if period_end <= period_start:
            continue
        periods.append(Period(max(period_start, start.astimezone(UTC)), min(period_end, end.astimezone(UTC))))
    return merge(periods)


def _occurrences(calendar: icalendar.Calendar, start: datetime, end: datetime) -> Iterator[icalendar.Event]:
    """The occurrences between start and end, one series at a time, counted as they come.

    recurring_ical_events' own `between` collects every occurrence of every series
    before returning; walking its series lets us stop at the limit instead.
    """
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        skipped = tuple(query.suppressed_errors)
        count = 0
        for series in query.series:
            try:
                for occurrence in series.between(start, end):
                    count += 1
                    if count > MAX_OCCURRENCES:
                        raise TooManyEvents(f"more than {MAX_OCCURRENCES} occurrences")
                    yield occurrence.as_component(False)
            except skipped:  # one broken series does not hide the others
                continue
    except (OverLimit, MemoryError):
        raise
    except Exception as error:  # a broken RRULE or timezone deep inside a file
        raise CalendarUnreadable(str(error)[:200]) from error


def refuse_frequent_repetition(calendar: icalendar.Calendar) -> None:
    """RepeatsTooOften when an event repeats more often than once an hour.

    FREQ=SECONDLY or MINUTELY (unless their INTERVAL makes it an hour or more), and
    any rule with more than one BYMINUTE or BYSECOND value: those give several
    occurrences within one hour, whatever the FREQ (HOURLY;BYMINUTE=0,1,...,59 is
    every minute). Read from the rule's text, as recurring-ical-events reads it.
    """
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE", [])
        for rule in rules if isinstance(rules, list) else [rules]:
            text = rule.to_ical().decode(errors="replace") if hasattr(rule, "to_ical") else str(rule)
            if _more_often_than_hourly(text):
                raise RepeatsTooOften(text[:100])


def _more_often_than_hourly(rule: str) -> bool:
    parts = {}
    for part in rule.upper().split(";"):
        key, _, value = part.partition("=")
        parts[key.strip()] = value.strip()
    if any(len([v for v in parts.get(key, "").split(",") if v]) > 1 for key in ("BYMINUTE", "BYSECOND")):
        return True
    step = {"SECONDLY": 1, "MINUTELY": 60}.get(parts.get("FREQ", ""))
    if step is None:
        return False
    try:
        interval = max(int(parts.get("INTERVAL") or 1), 1)
    except ValueError:
        interval = 1
    return step * interval < SHORTEST_REPETITION_SECONDS


def merge(periods: Iterable[Period]) -> list[Period]:
    """Overlapping or touching periods as one: fewer rows, the same busy time."""
    merged: list[Period] = []
    for period in sorted(periods):
        if period.end <= period.start:
            continue
        if merged and period.start <= merged[-1].end:
            if period.end > merged[-1].end:
                merged[-1] = Period(merged[-1].start, period.end)
        else:
            merged.append(period)
    return merged
