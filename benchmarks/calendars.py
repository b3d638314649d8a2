"""Reading her own calendar: a sync of 5,000 events with 200 repeating series, hostile calendars,
and slots with 2,000 busy periods.

Prints: seconds and peak Python memory of the worker (tracemalloc) for one full
sync of an .ics address (served from loopback) into a fresh SQLite database, the
peak memory of the child process that parsed it, and the busy periods it kept;
for each hostile calendar of the review (an invite repeating every second, every
minute, hourly on every minute, 60,000 events) the outcome, seconds and the
worker's growth in resident memory; and the milliseconds to compute every slot of
the horizon with 2,000 busy periods in it (pure computation, median of repeated
runs).
"""

import os
import resource
import statistics
import sys
import tempfile
import threading
import time as clock
import tracemalloc
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 2, 8, 0)


def big_calendar() -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//NL", "X-WR-TIMEZONE:Europe/Amsterdam"]
    for number in range(200):  # weekly series, some with exceptions
        first = START + timedelta(days=number % 7, hours=number % 10)
        lines += [
            "BEGIN:VEVENT",
            f"UID:series-{number}@bench",
            f"DTSTART;TZID=Europe/Amsterdam:{first:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Amsterdam:{first + timedelta(minutes=50):%Y%m%dT%H%M%S}",
            "RRULE:FREQ=WEEKLY;COUNT=40",
            f"EXDATE;TZID=Europe/Amsterdam:{first + timedelta(weeks=2):%Y%m%dT%H%M%S}",
            "SUMMARY:Vaste cliënt",
            "END:VEVENT",
        ]
    for number in range(4_800):  # single events over a year and a half
        first = START - timedelta(days=180) + timedelta(hours=3 * number)
        lines += [
            "BEGIN:VEVENT",
            f"UID:single-{number}@bench",
            f"DTSTART;TZID=Europe/Amsterdam:{first:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Amsterdam:{first + timedelta(minutes=45):%Y%m%dT%H%M%S}",
            "SUMMARY:Afspraak",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/agenda.ics"


def time_sync() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="practice-calendars-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DJANGO_DEBUG": "1",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from booking.calendars import sync as calendarsync
    from booking.models import BusyPeriod, CalendarSource

    call_command("migrate", verbosity=0)
    body = big_calendar()
    server, url = serve(body)
    source = CalendarSource.objects.create(name="Groot", kind="ics", url=url)
    now = START.replace(tzinfo=TZ)
    started = clock.perf_counter()
    outcome = calendarsync.sync_source(source, now=now)
    seconds = clock.perf_counter() - started
    # Memory in a second run: tracing slows Python down several times, so not timed.
    CalendarSource.objects.filter(pk=source.pk).update(etag="", last_modified="")
    source.refresh_from_db()
    tracemalloc.start()
    calendarsync.sync_source(source, now=now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    server.shutdown()
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"sync of 5,000 events (200 weekly series), {len(body) / 1024:.0f} KB: {outcome} in {seconds:.2f} s, "
        f"peak Python memory {peak / 1024 / 1024:.1f} MB in the worker, {child_mb:.0f} MB in the child, "
        f"{BusyPeriod.objects.count()} busy periods kept"
    )
    time_hostile(now)


def hostile_calendars() -> dict[str, bytes]:
    def one(rule: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//NL\r\nBEGIN:VEVENT\r\nUID:x@bench\r\n"
            f"DTSTART:20261102T090000Z\r\nDTEND:20261102T090100Z\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()

    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{n}@bench\r\nDTSTART:{START + timedelta(minutes=2 * n):%Y%m%dT%H%M%S}Z\r\n"
        f"DTEND:{START + timedelta(minutes=2 * n + 1):%Y%m%dT%H%M%S}Z\r\nEND:VEVENT\r\n"
        for n in range(60_000)
    )
    return {
        "FREQ=SECONDLY": one("FREQ=SECONDLY"),
        "FREQ=MINUTELY": one("FREQ=MINUTELY"),
        "FREQ=HOURLY;BYMINUTE=0..59": one("FREQ=HOURLY;BYMINUTE=" + ",".join(map(str, range(60)))),
        "FREQ=HOURLY since the year 1000": one("FREQ=HOURLY").replace(b"20261102T09", b"10000101T09"),
        "60,000 events": f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//NL\r\n{events}END:VCALENDAR\r\n".encode(),
    }


def time_hostile(now) -> None:
    from booking.calendars import sync as calendarsync
    from booking.models import CalendarSource

    for name, body in hostile_calendars().items():
        server, url = serve(body)
        source = CalendarSource.objects.create(name=name[:80], kind="ics", url=url)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = clock.perf_counter()
        outcome = calendarsync.sync_source(source, now=now)
        seconds = clock.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        server.shutdown()
        source.refresh_from_db()
        print(f"  {name}: {outcome} in {seconds:.2f} s, worker grew {grown:.0f} MB: {source.last_error[:60]}...")


def time_slots() -> None:
    from booking.domain.slots import IN_PERSON, ONLINE, Busy, Rules, Window, compute_slots

    windows = [Window(day, time(8, 0), time(21, 0), frozenset({ONLINE, IN_PERSON})) for day in range(7)]
    rules = Rules()
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    step = rules.horizon / 2_000
    blocked = [Busy(now + step * i, now + step * i + timedelta(minutes=10)) for i in range(2_000)]
    runs = []
    for _ in range(15):
        started = clock.perf_counter()
        slots = compute_slots(now=now, tz=TZ, rules=rules, windows=windows, blocked=blocked)
        runs.append((clock.perf_counter() - started) * 1000)
    print(f"compute_slots with 2,000 busy periods: {statistics.median(runs):.2f} ms median, {len(slots)} free slots")


if __name__ == "__main__":
    time_sync()
    time_slots()
