"""Finding the bookings around a time reads only those, never the whole history: the busy-time
query and SQLite's overlap trigger are bounded on both sides of "start" and use its index."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.services import schedule
from tests.booking.helpers import open_every_day

# An index search on a range of start with both ends given.
RANGE = re.compile(r"USING INDEX \w+ \(start>\? AND start<\?\)")


def busy_query() -> str:
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        schedule.load_schedule(now=now)
    [sql] = [q["sql"] for q in queries if "occupied_until" in q["sql"] and "booking_booking" in q["sql"]]
    return sql


def test_the_busy_time_query_is_bounded_on_both_sides(db):
    open_every_day()
    sql = busy_query()
    assert re.search(r'"start"\s*>', sql) and re.search(r'"start"\s*<', sql), sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            plan = " ".join(str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}"))  # noqa: S608 - our own query
        assert RANGE.search(plan), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL guards overlaps with an exclusion constraint")
def test_the_sqlite_overlap_trigger_reads_only_neighbouring_bookings(db):
    with connection.cursor() as cursor:
        triggers = dict(
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'booking_booking'"
            )
        )
    assert set(triggers) == {"booking_no_overlap_insert", "booking_no_overlap_update"}
    moment = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    for sql in triggers.values():
        inner = sql[sql.index("EXISTS (") + len("EXISTS (") : sql.rindex(");")]
        inner = inner.replace('NEW."start"', f"'{moment}'").replace("NEW.occupied_until", f"'{moment}'")
        inner = inner.replace("NEW.id", "0")
        with connection.cursor() as cursor:
            plan = " ".join(str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {inner}"))  # noqa: S608
        assert RANGE.search(plan), plan
