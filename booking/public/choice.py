"""Choosing a time: what the booking views and the self-service views both need.

The kinds as they appear in addresses, and one week of free slots to show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import groupby

from django.http import Http404
from django.urls import reverse

from booking.domain import slots
from booking.domain.vocabulary import KIND_SLUGS, SLUG_OF_KIND, slot_code
from booking.models import Kind

# Times are shown as if it were this much later, so that a time near the minimum notice
# is still bookable when the person has filled in the form.
OFFER_MARGIN = timedelta(minutes=15)


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
