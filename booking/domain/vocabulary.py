"""The site's words and codes, without the database: a moment as it appears in an address
(a slot code), and the days and parts of the day in plain Dutch."""

from __future__ import annotations

from datetime import UTC, datetime, time

SLOT_FORMAT = "%Y%m%dT%H%MZ"


def slot_code(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot_code(code: str) -> datetime | None:
    try:
        moment = datetime.strptime(code, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    # Far-off years are never bookable, and near year 1 or 9999 time zone arithmetic overflows.
    return moment if 2000 <= moment.year <= 2999 else None


DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def part_of_day(start: time) -> str:
    if start.hour < 12:
        return "ochtend"
    if start.hour < 18:
        return "middag"
    return "avond"


def usual_days(windows: list[tuple[int, time]]) -> str:
    """When a kind of intake is usually offered, in plain Dutch, from the weekly moments:
    [(1, 19:00), (3, 19:00)] → "dinsdag- en donderdagavond"."""
    days_by_part: dict[str, list[int]] = {}
    for weekday, start in sorted(windows):
        days = days_by_part.setdefault(part_of_day(start), [])
        if weekday not in days:
            days.append(weekday)
    phrases = []
    for part, days in days_by_part.items():
        names = [DAY_NAMES[day] for day in days]
        if len(names) == 1:
            phrases.append(names[0] + part)
        else:
            phrases.append("-, ".join(names[:-1]) + "- en " + names[-1] + part)
    return ", ".join(phrases)
