"""Writes intakes into the therapist's own CalDAV calendar, beside `ics.py` which builds them.

One event per intake, with the same UID and SEQUENCE as every other calendar file
we hand out: created when booked, moved on reschedule, marked cancelled on cancel.
What is written is what her private feed shows (name, kind, room, a link into the
admin), never the client's note. Called from the outbox (`services.outbox.deliver`), so a
calendar server that is down is retried like a mail server. Every connection is
checked like a read's (`sync.connect`).
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from caldav.lib import error as caldav_error

from booking.models import Booking, CalendarSource

from . import ics as calendar
from . import sync as calendarsync


class NoTarget(Exception):
    """She has not chosen a calendar to write into (any more)."""


def write(booking: Booking, *, now: datetime) -> None:
    target = CalendarSource.target()
    if target is None:
        raise NoTarget
    ics = calendar.practice_calendar([booking], now=now).decode()
    with calendarsync.connect(target) as client:
        collection = calendarsync.calendars_of(client, target)[0]
        # The SEQUENCE is ours (it matches every other copy of this event): caldav must not bump it.
        try:
            existing = collection.event_by_uid(calendar.uid(booking))
        except caldav_error.NotFoundError:
            collection.add_event(ics, increase_seqno=False)
        else:
            existing.data = ics
            existing.save(increase_seqno=False)


def remove(uid: str) -> None:
    """Takes an erased intake out of her calendar: an erasure leaves no name behind there either."""
    target = CalendarSource.target()
    if target is None:
        return
    with calendarsync.connect(target) as client:
        collection = calendarsync.calendars_of(client, target)[0]
        with contextlib.suppress(caldav_error.NotFoundError):  # already gone: nothing to do
            collection.event_by_uid(uid).delete()
