"""The database's own overlap guard as booking/models/db_guards.py installs it: the way a
database gets it back after SQLite rebuilt the table (triggers), or where it went missing
(PostgreSQL's exclusion constraint). Without this test the guard's SQL in db_guards would
never run: a migrated test database already has the migrations' copy."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from booking.models import Booking, db_guards
from tests.booking.helpers import make_booking_directly, refused

pytestmark = pytest.mark.django_db

START = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)


def _drop_the_guard() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER booking_no_overlap_insert")
            cursor.execute("DROP TRIGGER booking_no_overlap_update")
        else:
            cursor.execute("ALTER TABLE booking_booking DROP CONSTRAINT booking_no_overlap")


def test_the_guard_installed_by_db_guards_refuses_an_overlap():
    make_booking_directly(START)  # occupies 09:00-09:30
    _drop_the_guard()
    # Without the guard the database takes an overlap (then it is taken away again).
    assert not refused(start=START + timedelta(minutes=10), email="y@example.com", status="cancelled_client")
    db_guards.ensure_overlap_guard(using=connection.alias)
    assert refused(start=START + timedelta(minutes=10), email="z@example.com")
    assert refused(start=START - timedelta(minutes=10), email="z@example.com")
    # Cancelled bookings hold no time, on either side of the check.
    assert not refused(start=START + timedelta(minutes=20), email="c@example.com", status="cancelled_practice")
    assert not refused(start=START + timedelta(minutes=30), email="w@example.com")


def test_reviving_a_cancelled_booking_into_an_overlap_is_refused_by_the_installed_guard():
    _drop_the_guard()
    db_guards.ensure_overlap_guard(using=connection.alias)
    later = make_booking_directly(START + timedelta(minutes=10), email="y@example.com")
    earlier = make_booking_directly(START, status="cancelled_client")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=earlier.pk).update(status="confirmed")
    assert Booking.objects.get(pk=later.pk).is_active


def test_installing_the_guard_twice_is_harmless():
    db_guards.ensure_overlap_guard(using=connection.alias)
    db_guards.ensure_overlap_guard(using=connection.alias)
    make_booking_directly(START)
    assert refused(start=START + timedelta(minutes=5), email="y@example.com")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the triggers are SQLite's")
def test_the_sqlite_triggers_are_the_ones_the_migrations_made():
    with connection.cursor() as cursor:
        installed = sorted(
            sql
            for (sql,) in cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'booking_booking'"
            )
        )
    ours = sorted(statement.replace(" IF NOT EXISTS", "") for statement in db_guards.SQLITE_TRIGGERS)
    assert installed == ours
