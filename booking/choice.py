"""Choosing a time: what the booking views and the self-service views both need.

Slot codes in addresses, the kinds as they appear in addresses, and one week of
free slots to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby

from django.http import Http404
from django.urls import reverse

from . import slots
from .models import Kind

# The kinds as they appear in addresses: /kennismaking/online/, /kennismaking/praktijk/.
KIND_SLUGS = {"online": Kind.ONLINE, "praktijk": Kind.IN_PERSON}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
SLOT_FORMAT = "%Y%m%dT%H%MZ"
# Times are shown as if it were this much later, so that a time near the minimum notice
# is still bookable when the person has filled in the form.
OFFER_MARGIN = timedelta(minutes=15)


def slot_code(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot_code(code: str) -> datetime | None:
    try:
        moment = datetime.strptime(code, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    # Far-off years are never bookable, and near year 1 or 9999 time zone arithmetic overflows.
    return moment if 2000 <= moment.year <= 2999 else None


def kind_or_404(kind_slug: str) -> str:
    try:
        return KIND_SLUGS[kind_slug]
    except KeyError:
        raise Http404 from None


def other_slug(kind: str) -> str:
    return SLUG_OF_KIND[Kind.IN_PERSON if kind == Kind.ONLINE else Kind.ONLINE]


def slot_url(slot_start: datetime, kind: str) -> str:
    return reverse("booking:details", kwargs={"kind_slug": SLUG_OF_KIND[kind], "slot": slot_code(slot_start)})


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of_slots(
    *, asked: str, free: list[slots.Slot], now: datetime, tz, url_for: Callable[[slots.Slot], str]
) -> dict:
    """The week asked for (`asked`: ?week=), its free slots grouped by day, and the way to other weeks.

    Without a week asked for, the first week that has a free time: a client never
    lands on an empty week while later weeks have times.
    """
    this_monday = _monday(now.astimezone(tz).date())
    first_monday = _monday(free[0].start.astimezone(tz).date()) if free else this_monday
    last_monday = _monday(free[-1].start.astimezone(tz).date()) if free else this_monday
    try:
        monday = _monday(date.fromisoformat(asked))
    except ValueError:
        monday = first_monday
    monday = min(max(monday, this_monday), max(last_monday, this_monday))
    sunday = monday + timedelta(days=6)
    week = [s for s in free if monday <= s.start.astimezone(tz).date() <= sunday]
    days = groupby(week, key=lambda s: s.start.astimezone(tz).date())
    return {
        "days": [(day, [(s, url_for(s)) for s in day_slots]) for day, day_slots in days],
        "any_free": bool(free),
        "next_free": next((s for s in free if s.start.astimezone(tz).date() > sunday), None),
        "monday": monday,
        "sunday": sunday,
        "previous_week": monday - timedelta(days=7) if monday > this_monday else None,
        "next_week": monday + timedelta(days=7) if monday < last_monday else None,
    }


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
