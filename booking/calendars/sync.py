"""Reads the therapist's own calendars and keeps only their busy periods.

`sync_source` fetches one source (an .ics address with a conditional GET, or a
CalDAV account with a time-range query), turns it into busy periods with
`busy.py` in a bounded child process (`busy_process.py`), and replaces what is
stored for that source in one transaction. A failure keeps the last good periods
and records a Dutch message; nothing here is ever called while a client waits for
a page, nor in a request of the admin: it runs in the background worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import caldav
from caldav.lib import error as caldav_error
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking.domain import busy
from booking.domain.wallclock import practice_tz
from booking.models import BookingRules, BusyPeriod, CalendarSource

from . import busy_process, fetching
from . import ics as calendar

logger = logging.getLogger(__name__)
# caldav names her calendar's address (a secret, like a password) in its own warnings, and sets
# its logger's level when it is imported, so the settings' LOGGING cannot: quiet it here, where
# it is imported. Our sync records every failure in Dutch, without the address.
logging.getLogger("caldav").setLevel(logging.ERROR)

# A day of failures before the agenda page warns her.
WARN_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SyncReport:
    read: int
    unchanged: int
    failed: int


def window(now: datetime) -> tuple[datetime, datetime]:
    """The stretch of time whose busy periods are kept: from yesterday to past the booking horizon."""
    rules = BookingRules.load()
    return now - timedelta(days=1), now + timedelta(days=rules.horizon_days + 2)


def own_intakes() -> busy.UidPattern:
    """Our intakes, written into her calendar, never block their own time."""
    return busy.UidPattern("booking-", "@" + calendar.site_domain())


def is_own_intake(uid: str) -> bool:
    return own_intakes()(uid)


# What she reads when a calendar asks for more than any real one does. Such a thing
# nearly always comes from someone else's invite, which she can delete.
OVER_LIMIT = {
    busy.RepeatsTooOften: _(
        "In deze agenda staat een afspraak die zich vaker dan één keer per uur herhaalt. Zo'n afspraak komt "
        "meestal uit een uitnodiging van iemand anders; verwijder hem, dan lezen we de agenda weer."
    ),
    busy.TooManyEvents: _(
        "In deze agenda staan zoveel afspraken dat we hem niet kunnen lezen. Dat komt meestal door een "
        "uitnodiging van iemand anders met heel veel afspraken; verwijder die, dan lezen we de agenda weer."
    ),
    busy_process.TooHeavy: _(
        "Het lezen van deze agenda kostte te veel tijd of geheugen, dus we zijn gestopt. Dat komt meestal "
        "door een uitnodiging van iemand anders; verwijder die, dan lezen we de agenda weer."
    ),
}


def sync_all(*, now: datetime) -> SyncReport:
    read = unchanged = failed = 0
    for source in CalendarSource.objects.active():
        outcome = sync_source(source, now=now)
        read += outcome == "read"
        unchanged += outcome == "unchanged"
        failed += outcome == "failed"
    logger.info("calendar sync: %s read, %s unchanged, %s failed", read, unchanged, failed)
    return SyncReport(read, unchanged, failed)


def sync_source(source: CalendarSource, *, now: datetime) -> str:
    """'read', 'unchanged' or 'failed'. Never raises for what a calendar server does."""
    start, end = window(now)
    try:
        if source.kind == CalendarSource.Kind.CALDAV:
            texts = _caldav_objects(source, start, end)
            etag = last_modified = ""
        else:
            fetched = fetching.fetch(
                source.url,
                etag=source.etag,
                last_modified=source.last_modified,
                allow_loopback=settings.CALENDAR_ALLOW_LOOPBACK,
                read_timeout=settings.CALENDAR_READ_TIMEOUT,
            )
            if fetched.not_modified and source.last_success_at:
                _unchanged(source, now=now)
                return "unchanged"
            texts = [fetched.body]
            etag, last_modified = fetched.etag, fetched.last_modified
        periods = busy_process.read_periods(
            texts,
            start=start,
            end=end,
            tz=practice_tz().key,
            all_busy=source.all_busy,
            is_own=own_intakes(),
        )
    except fetching.FetchError as problem:
        _failed(source, problem.message, now=now)
        return "failed"
    except busy.OverLimit as problem:
        logger.warning("calendar source %s: over a limit (%s)", source.pk, type(problem).__name__)
        _failed(source, str(OVER_LIMIT[type(problem)]), now=now)
        return "failed"
    except busy.CalendarUnreadable:
        _failed(source, "Dit is geen agenda die we kunnen lezen. Kopieer het agenda-adres (.ics) opnieuw.", now=now)
        return "failed"
    except caldav_error.AuthorizationError:
        _failed(source, "De gebruikersnaam of het app-wachtwoord klopt niet.", now=now)
        return "failed"
    except (Unusable, caldav_error.DAVError, OSError, ValueError) as problem:
        # No message text: it may hold the address, which is a secret. Only the kind of failure.
        kind = str(problem) if isinstance(problem, Unusable) else type(problem).__name__
        logger.warning("calendar source %s: %s", source.pk, kind)
        _failed(source, "De agenda-server gaf geen bruikbaar antwoord. We proberen het later opnieuw.", now=now)
        return "failed"
    if not _store(source, periods, etag=etag, last_modified=last_modified, now=now):
        return "unchanged"  # she changed it meanwhile; the read that change queued stores it
    return "read"


class Unusable(Exception):
    """Her CalDAV server answered something the caldav library could not use."""


def _caldav_objects(source: CalendarSource, start: datetime, end: datetime) -> list[str]:
    try:
        with connect(source) as client:
            texts = []
            for collection in calendars_of(client, source):
                # The server picks the objects in the window; no filtering here (post_filter), which
                # would expand every repetition in this process, outside the child's limits.
                for item in collection.search(start=start, end=end, event=True, expand=False, post_filter=False):
                    texts.append(item.data)
            return texts
    except (fetching.FetchError, caldav_error.AuthorizationError):
        raise
    except Exception as error:
        # An empty or broken answer fails deep inside the library in its own ways (lxml's
        # XMLSyntaxError, AttributeError, ...). One server's answer must not stop the reading
        # of her other calendars (sync_all) or the worker.
        raise Unusable(type(error).__name__) from error


@contextmanager
def connect(source: CalendarSource) -> Iterator[caldav.DAVClient]:
    """A CalDAV client for her account, held to the rules of fetching.py.

    Every connection it makes, redirects and its own name lookups included, is
    checked when it is made (`fetching.outgoing`); each response body is read within
    10 MB and the time limit; at most a few redirects; no proxy or .netrc from the
    environment.
    """
    allow_loopback = settings.CALENDAR_ALLOW_LOOPBACK
    fetching.resolve(source.url, allow_loopback=allow_loopback)  # a clear message for the address she typed
    seconds = max(fetching.TOTAL_SECONDS, settings.CALENDAR_READ_TIMEOUT)
    with fetching.outgoing(allow_loopback=allow_loopback, seconds=seconds):
        client = caldav.DAVClient(
            url=fetching.normalise(source.url),
            username=source.username,
            password=source.password,
            timeout=settings.CALENDAR_READ_TIMEOUT,
            enable_rfc6764=False,
        )
        client.session.trust_env = False
        client.session.max_redirects = fetching.MAX_REDIRECTS
        client.session.hooks["response"].append(fetching.limit_response)
        with client:
            yield client


def calendars_of(client: caldav.DAVClient, source: CalendarSource) -> list:
    """The calendar at the source's address, or every calendar of the account at a server address."""
    all_calendars = client.principal().calendars()
    wanted = fetching.normalise(source.url).rstrip("/")
    exact = [c for c in all_calendars if str(c.url).rstrip("/") == wanted]
    return exact or all_calendars


def _store(source: CalendarSource, periods: list[busy.Period], *, etag: str, last_modified: str, now: datetime) -> bool:
    """False, storing nothing, when she changed how this source is read while it was being read:
    these periods follow the old settings, and the read her change queued brings the new ones."""
    with transaction.atomic():
        still = {field: getattr(source, field) for field in CalendarSource.READ_SETTINGS}
        stored = CalendarSource.objects.filter(pk=source.pk, **still).update(
            etag=etag,
            last_modified=last_modified,
            last_success_at=now,
            last_attempt_at=now,
            failing_since=None,
            last_error="",
            busy_count=len(periods),
        )
        if not stored:
            return False
        BusyPeriod.objects.filter(source=source).delete()
        BusyPeriod.objects.bulk_create(BusyPeriod(source=source, start=p.start, end=p.end) for p in periods)
    return True


def _unchanged(source: CalendarSource, *, now: datetime) -> None:
    CalendarSource.objects.filter(pk=source.pk).update(
        last_success_at=now, last_attempt_at=now, failing_since=None, last_error=""
    )


def _failed(source: CalendarSource, message: str, *, now: datetime) -> None:
    """The last good busy periods keep counting; the admin shows the message."""
    CalendarSource.objects.filter(pk=source.pk).update(last_attempt_at=now, last_error=message[:300])
    CalendarSource.objects.filter(pk=source.pk, failing_since__isnull=True).update(failing_since=now)


def failing_for_long(*, now: datetime):
    return CalendarSource.objects.active().filter(failing_since__lte=now - WARN_AFTER)
