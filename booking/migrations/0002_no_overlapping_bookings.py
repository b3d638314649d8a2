"""The database itself refuses two active bookings whose time (with buffer) overlaps.

PostgreSQL: an exclusion constraint on the booked range. SQLite has no such
constraint; triggers do the same check inside the (IMMEDIATE) transaction.
"""

from django.db import migrations

ACTIVE = "status NOT IN ('cancelled_client', 'cancelled_practice')"

POSTGRES = [
    (
        "ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlap "
        "EXCLUDE USING gist (tstzrange(\"start\", occupied_until, '[)') WITH &&) "
        f"WHERE ({ACTIVE})",
        "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_overlap",
    ),
]

_OVERLAP = (
    "SELECT RAISE(ABORT, 'booking_no_overlap') WHERE EXISTS ("
    " SELECT 1 FROM booking_booking AS other"
    " WHERE other.id IS NOT NEW.id"
    " AND other.status NOT IN ('cancelled_client', 'cancelled_practice')"
    ' AND other."start" < NEW.occupied_until AND NEW."start" < other.occupied_until);'
)

SQLITE = [
    (
        "CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking_booking "
        f"WHEN NEW.status NOT IN ('cancelled_client', 'cancelled_practice') BEGIN {_OVERLAP} END",
        "DROP TRIGGER IF EXISTS booking_no_overlap_insert",
    ),
    (
        'CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF "start", occupied_until, status '
        f"ON booking_booking WHEN NEW.status NOT IN ('cancelled_client', 'cancelled_practice') BEGIN {_OVERLAP} END",
        "DROP TRIGGER IF EXISTS booking_no_overlap_update",
    ),
]


def statements(vendor: str):
    return {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, [])


def forwards(apps, schema_editor):
    for create, _drop in statements(schema_editor.connection.vendor):
        schema_editor.execute(create)


def backwards(apps, schema_editor):
    for _create, drop in statements(schema_editor.connection.vendor):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
