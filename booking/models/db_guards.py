"""Keeps SQLite's overlap triggers in place.

SQLite has no exclusion constraint, so triggers refuse overlapping active
bookings. Django rebuilds a SQLite table for many schema changes (adding a
column with a default, for one), and a rebuilt table has lost its triggers;
after every migrate they are therefore put back if missing.
"""

from django.db import connections

ACTIVE = "NEW.status NOT IN ('cancelled_client', 'cancelled_practice')"
# Bounded on both sides of "start" (a booking lasts at most a few hours), so the check
# reads the neighbouring bookings through the start index, never the whole history.
# The same SQL stands in migration 0008, which must not import app code.
OVERLAP = (
    "SELECT RAISE(ABORT, 'booking_no_overlap') WHERE EXISTS ("
    " SELECT 1 FROM booking_booking AS other"
    ' WHERE other."start" > datetime(NEW."start", \'-1 day\')'
    ' AND other."start" < NEW.occupied_until'
    " AND other.id IS NOT NEW.id"
    " AND other.status NOT IN ('cancelled_client', 'cancelled_practice')"
    ' AND NEW."start" < other.occupied_until);'
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS booking_no_overlap_insert BEFORE INSERT ON booking_booking WHEN {ACTIVE} BEGIN {OVERLAP} END",
    'CREATE TRIGGER IF NOT EXISTS booking_no_overlap_update BEFORE UPDATE OF "start", occupied_until, status '
    f"ON booking_booking WHEN {ACTIVE} BEGIN {OVERLAP} END",
]


def ensure_sqlite_triggers(using: str = "default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite" or "booking_booking" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
