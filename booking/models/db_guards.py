"""The database's own guard against two active bookings whose time (with buffer) overlaps.

PostgreSQL: an exclusion constraint on the booked range. SQLite has no exclusion
constraint, so triggers refuse the overlap. Django rebuilds a SQLite table for many schema
changes (adding a column with a default, for one), and a rebuilt table has lost its
triggers; after every migrate the guard is therefore put back if it is missing.

"Active" is built from the one list of cancelled statuses (bookings.CANCELLED). The
migrations that first made the guard (0002, 0008) keep their own frozen copy of this SQL,
as migrations must not import app code; tests/booking/test_db_guards.py checks that this
SQL guards a fresh database and matches what the migrations installed.
"""

from django.db import connections

from .bookings import CANCELLED


def _not_cancelled(column: str) -> str:
    return f"{column} NOT IN ({', '.join(repr(str(status)) for status in CANCELLED)})"


ACTIVE = _not_cancelled("NEW.status")
# Bounded on both sides of "start" (a booking lasts at most a few hours), so the check
# reads the neighbouring bookings through the start index, never the whole history.
# No input in this SQL: the statuses are our own constant.
OVERLAP = (
    "SELECT RAISE(ABORT, 'booking_no_overlap') WHERE EXISTS ("  # noqa: S608
    " SELECT 1 FROM booking_booking AS other"
    ' WHERE other."start" > datetime(NEW."start", \'-1 day\')'
    ' AND other."start" < NEW.occupied_until'
    " AND other.id IS NOT NEW.id"
    f" AND {_not_cancelled('other.status')}"
    ' AND NEW."start" < other.occupied_until);'
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS booking_no_overlap_insert BEFORE INSERT ON booking_booking WHEN {ACTIVE} BEGIN {OVERLAP} END",
    'CREATE TRIGGER IF NOT EXISTS booking_no_overlap_update BEFORE UPDATE OF "start", occupied_until, status '
    f"ON booking_booking WHEN {ACTIVE} BEGIN {OVERLAP} END",
]
POSTGRES_CONSTRAINT = (
    "ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlap "
    "EXCLUDE USING gist (tstzrange(\"start\", occupied_until, '[)') WITH &&) "
    f"WHERE ({_not_cancelled('status')})"
)


def ensure_overlap_guard(using: str = "default", **kwargs) -> None:
    """Puts the overlap guard in place where it is missing (connected to post_migrate)."""
    connection = connections[using]
    if "booking_booking" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = 'booking_no_overlap'"
                " AND conrelid = 'booking_booking'::regclass"
            )
            if cursor.fetchone() is None:
                cursor.execute(POSTGRES_CONSTRAINT)
