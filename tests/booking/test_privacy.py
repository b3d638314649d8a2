"""Notes removed after the intake, anonymisation after the retention period, export and erasure."""

import json
import logging
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking
from content.initial_content import load_initial_content
from tests.booking.helpers import make_booking_directly, set_rules
from tests.helpers import login_admin, text_of

NOTE = "Ik slaap slecht sinds de scheiding"


def with_note(start, email="anna@example.com", **fields):
    booking = make_booking_directly(start, email=email)
    Booking.objects.filter(pk=booking.pk).update(
        note=NOTE, note_consent=True, name="Anna Privé", phone="0612345678", **fields
    )
    booking.refresh_from_db()
    return booking


@pytest.fixture
def now():
    return timezone.now()


def test_purge_removes_notes_after_the_intake_and_anonymises_after_the_period(db, now, caplog):
    caplog.set_level(logging.INFO)
    upcoming = with_note(now + timedelta(days=2), email="future@example.com")
    yesterday = with_note(now - timedelta(days=1), email="yesterday@example.com")
    long_ago = with_note(now - timedelta(days=100), email="old@example.com")
    client = with_note(now - timedelta(days=100, hours=2), email="client@example.com", becomes_client=True)

    call_command("purge_personal_data")

    for booking in (upcoming, yesterday, long_ago, client):
        booking.refresh_from_db()
    assert upcoming.note == NOTE  # not yet taken place
    assert yesterday.note == "" and yesterday.name == "Anna Privé"  # note gone, details kept for now
    assert long_ago.name == "(onherkenbaar gemaakt)" and long_ago.email == "" and long_ago.phone == ""
    assert long_ago.anonymised_at is not None
    assert client.note == "" and client.name == "Anna Privé" and client.anonymised_at is None
    assert "anna" not in caplog.text.lower() and NOTE not in caplog.text
    assert "1 bookings anonymised" in caplog.text


def test_purge_is_idempotent_and_follows_the_configured_period(db, now):
    set_rules(retention_days=30)
    booking = with_note(now - timedelta(days=40))
    call_command("purge_personal_data")
    booking.refresh_from_db()
    first = booking.anonymised_at
    assert first is not None
    call_command("purge_personal_data")
    booking.refresh_from_db()
    assert booking.anonymised_at == first
    assert Booking.objects.filter(anonymised_at__isnull=False).count() == 1


@pytest.fixture
def admin_client(client, db):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    return client


def test_data_subject_request_find_export_and_erase(admin_client, now):
    mine = with_note(now + timedelta(days=3), email="Anna@Example.com")
    other = make_booking_directly(now + timedelta(days=4), email="someone@example.com")
    url = reverse("admin:booking_person")
    assert admin_client.get(url).status_code == 200
    found = text_of(admin_client.get(url, {"email": "anna@example.com"}))
    assert "1 gesprek gevonden" in found and "Anna Privé" in found

    exported = admin_client.get(url, {"email": "anna@example.com", "export": "1"})
    assert exported["Content-Type"] == "application/json"
    data = json.loads(exported.content)
    assert [b["reference"] for b in data["bookings"]] == [str(mine.uuid)]
    assert data["bookings"][0]["note"] == NOTE and data["bookings"][0]["phone"] == "0612345678"

    response = admin_client.post(url, {"email": "anna@example.com", "erase": "ja"})
    assert response.status_code == 302
    assert not Booking.objects.filter(pk=mine.pk).exists()
    assert Booking.objects.filter(pk=other.pk).exists()
    assert "Over dit e-mailadres is niets bewaard" in text_of(admin_client.get(url, {"email": "anna@example.com"}))


def test_erase_needs_the_explicit_tick(admin_client, now):
    mine = with_note(now + timedelta(days=3))
    admin_client.post(reverse("admin:booking_person"), {"email": "anna@example.com"})
    assert Booking.objects.filter(pk=mine.pk).exists()


def test_marking_as_becoming_a_client_keeps_the_details(admin_client, now):
    booking = with_note(now - timedelta(days=100))
    admin_client.post(
        reverse("admin:booking_booking_changelist") + "?wanneer=alle",
        {"action": "mark_becomes_client", "_selected_action": [booking.pk]},
    )
    call_command("purge_personal_data")
    booking.refresh_from_db()
    assert booking.becomes_client and booking.anonymised_at is None and booking.name == "Anna Privé"


def test_privacy_statement_states_the_configured_retention(client, db):
    load_initial_content()
    assert "90 dagen na het gesprek" in text_of(client.get("/privacyverklaring/"))
    set_rules(retention_days=45)
    text = text_of(client.get("/privacyverklaring/"))
    assert "45 dagen na het gesprek" in text and "[[" not in text
