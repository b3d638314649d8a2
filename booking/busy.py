"""Turns calendar data into busy periods: pure computation, no network, no database.

The therapist's own calendars decide when she is not free. What comes in is
iCalendar text (an .ics address, or the objects of a CalDAV calendar); what goes
out is only (start, end) in UTC: no titles, places or people, which are other
people's health data.

Expansion is left to well-kept libraries: x-wr-timezone turns Google's
X-WR-TIMEZONE calendars into standard ones, recurring-ical-events expands RRULE,
RDATE, EXDATE and RECURRENCE-ID overrides with the calendar's own VTIMEZONEs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone


class CalendarUnreadable(ValueError):
    """The data is not an iCalendar file we can read."""


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


def parse(data: bytes | str | Iterable[bytes | str]) -> icalendar.Calendar:
    """One calendar from one iCalendar text, or several merged (a CalDAV calendar's objects)."""
    texts = [data] if isinstance(data, bytes | str) else list(data)
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
    except CalendarUnreadable:
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
    unless `all_busy`, and events whose UID `ignore_uids` names (our own intakes, written
    into her calendar, must not block themselves). An all-day event takes the whole
    Amsterdam day (or days).
    """
    periods = []
    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end)
    except Exception as error:  # a broken RRULE or timezone deep inside a file
        raise CalendarUnreadable(str(error)[:200]) from error
    for event in occurrences:
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
