"""Slot computation time for the full horizon, queries per booking page, and insert time.

Prints: milliseconds to compute every slot for the whole horizon with 0, 1,000
and 10,000 existing bookings (pure computation, median of repeated runs), then
the number of database queries each booking page needs with 0 and 1,000
bookings, then the time one booking insert takes (SQLite, overlap trigger
included) with 1,000 and 11,000 bookings of history (a fresh SQLite database in a
temporary folder).
"""

import os
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from booking.domain.slots import IN_PERSON, ONLINE, Busy, Rules, Window, compute_slots  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
WINDOWS = [Window(day, time(8, 0), time(21, 0), frozenset({ONLINE, IN_PERSON})) for day in range(7)]
RULES = Rules()  # 20 + 10 minutes, 24 hours notice, 6 weeks ahead


def busy_list(count: int, now: datetime) -> list[Busy]:
    # Spread over the horizon every few minutes; overlap is irrelevant to the timing.
    step = RULES.horizon / max(count, 1)
    return [Busy(now + step * i, now + step * i + timedelta(minutes=30)) for i in range(count)]


def time_computation() -> None:
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # a horizon that spans the March DST change
    for count in (0, 1_000, 10_000):
        busy = busy_list(count, now)
        runs = []
        for _ in range(15):
            started = clock.perf_counter()
            slots = compute_slots(now=now, tz=TZ, rules=RULES, windows=WINDOWS, busy=busy)
            runs.append((clock.perf_counter() - started) * 1000)
        print(f"compute_slots, {count:>6} bookings: {statistics.median(runs):7.2f} ms median, {len(slots)} free slots")


def count_queries() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="practice-slots-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "testserver",
        }
    )
    import django

    django.setup()
    import uuid

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from booking.models import Booking
    from booking.public.choice import slot_url

    call_command("migrate", verbosity=0)
    call_command("load_initial_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()

    def measure(label: str) -> None:
        from booking.services.schedule import load_schedule

        now = timezone.now()
        free = load_schedule(now=now).slots(now=now, kind="online")
        paths = ["/kennismaking/", "/kennismaking/online/", slot_url(free[0].start, "online")]
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            counts.append(f"{path.split('/')[2] or 'start'}={len(queries)}")
        print(f"queries per booking page, {label}: " + ", ".join(counts))

    measure("0 bookings")
    now = timezone.now()
    Booking.objects.bulk_create(
        Booking(
            start=now - timedelta(days=400) + timedelta(hours=i),
            end=now - timedelta(days=400) + timedelta(hours=i, minutes=20),
            occupied_until=now - timedelta(days=400) + timedelta(hours=i, minutes=30),
            kind="online",
            name=f"Client {i}",
            email=f"c{i}@example.com",
            privacy_accepted_at=now,
            request_token=uuid.uuid4(),
            status="completed",
        )
        for i in range(1_000)
    )
    measure("1,000 bookings")

    def past(offset: int, count: int) -> None:
        start = now - timedelta(days=2000)
        Booking.objects.bulk_create(
            Booking(
                start=start + timedelta(hours=offset + i),
                end=start + timedelta(hours=offset + i, minutes=20),
                occupied_until=start + timedelta(hours=offset + i, minutes=30),
                kind="online",
                name="Oud",
                email="oud@example.com",
                privacy_accepted_at=now,
                request_token=uuid.uuid4(),
                status="completed",
            )
            for i in range(count)
        )

    def time_inserts(label: str) -> None:
        runs = []
        for i in range(200):
            start = now + timedelta(days=3, hours=i)
            started = clock.perf_counter()
            Booking.objects.create(
                start=start,
                end=start + timedelta(minutes=20),
                occupied_until=start + timedelta(minutes=30),
                kind="online",
                name="Nieuw",
                email="nieuw@example.com",
                privacy_accepted_at=now,
                request_token=uuid.uuid4(),
            )
            runs.append((clock.perf_counter() - started) * 1000)
        Booking.objects.filter(name="Nieuw").delete()
        print(f"one booking insert, {label}: {statistics.median(runs):.3f} ms median")

    time_inserts("1,000 bookings of history")
    past(0, 10_000)
    time_inserts("11,000 bookings of history")


if __name__ == "__main__":
    time_computation()
    count_queries()
