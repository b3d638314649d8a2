"""How long one look at the waiting list takes (waiting.offer_waiting_times), with 10, 100 and
1,000 people waiting and the demo schedule's six weeks of times. The look holds the same lock
as a booking, so this is also how long a booking may wait behind it. In-process, on a
throwaway test database: SQLite by default, PostgreSQL when DATABASE_URL points there.

    python benchmarks/waiting_list.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python benchmarks/waiting_list.py
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_TASKS_BACKEND"] = "immediate"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (10, 100, 1000)


def grow_to(count: int, now) -> None:
    from datetime import timedelta

    from booking.models import WaitingEntry

    have = WaitingEntry.objects.count()
    WaitingEntry.objects.bulk_create(
        [
            WaitingEntry(
                name=f"Wachtende {n}",
                email=f"wacht{n}@example.com",
                # Wishes nobody's free time matches: every look reads everyone, offers nothing.
                days=[6],
                parts=["morning"],
                offers_online=True,
                offers_in_person=False,
                privacy_accepted_at=now,
                created_at=now + timedelta(microseconds=n),
                expires_at=now + timedelta(days=60),
                request_token=uuid.uuid4(),
            )
            for n in range(have, count)
        ],
        batch_size=500,
    )


def main() -> None:
    from booking.models import WaitlistState
    from booking.services import schedule, waiting

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_initial_content", verbosity=0)
        now = timezone.now()
        waiting.offer_waiting_times(now=now)  # the first look learns what is free
        database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
        free = len(schedule.load_schedule(now=now).slots(now=now))
        print(f"{database}: one look at the waiting list, {free} free times in the horizon, median of 15")
        for size in SIZES:
            grow_to(size, now)
            cells = []
            for came_free in (False, True):
                timings = []
                for _ in range(15):
                    if came_free:
                        # One time came free since the last look (as after a cancellation);
                        # it suits nobody, so every waiting person is read and passed over.
                        state = WaitlistState.objects.get()
                        state.known = state.known[1:]
                        state.save()
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        waiting.offer_waiting_times(now=now)
                        timings.append(time.perf_counter() - start)
                cells.append(f"{statistics.median(timings) * 1000:7.1f} ms ({len(queries)} queries)")
            print(f"{size:>6} waiting: nothing new {cells[0]}, one time came free {cells[1]}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
