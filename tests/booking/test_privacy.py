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


def every_text_in_the_database() -> str:
    """Every text value of every column of every table, for searching leftovers."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                found += [value if isinstance(value, str) else repr(value) for value in row]
    return "\n".join(found)


def test_erasure_leaves_nothing_behind_in_any_table(admin_client, now):
    booking = with_note(now + timedelta(days=3), email="anna.geheim@example.com")
    # The admin's history names the booking: change it once through the admin.
    change = reverse("admin:booking_booking_change", args=[booking.pk])
    assert admin_client.post(change, {"becomes_client": "on"}).status_code == 302
    from booking import services

    services.cancel(booking_id=booking.pk, by_practice=True, now=now, message="Sorry Anna Privé, ik ben ziek.")
    before = every_text_in_the_database()
    assert "Anna Privé" in before and "anna.geheim@example.com" in before

    admin_client.post(reverse("admin:booking_person"), {"email": "anna.geheim@example.com", "erase": "ja"})
    admin_client.get(reverse("admin:booking_person"))  # the message is shown and gone
    after = every_text_in_the_database()
    for trace in ("Anna Privé", "anna.geheim@example.com", "0612345678", NOTE, "Sorry Anna"):
        assert trace not in after, trace


def test_anonymisation_leaves_no_name_behind_in_any_table(admin_client, now):
    booking = with_note(now - timedelta(days=100), email="oud.geheim@example.com")
    change = reverse("admin:booking_booking_change", args=[booking.pk])
    assert admin_client.post(change, {}).status_code == 302
    assert "Anna Privé" in every_text_in_the_database()
    call_command("purge_personal_data")
    after = every_text_in_the_database()
    for trace in ("Anna Privé", "oud.geheim@example.com", "0612345678", NOTE):
        assert trace not in after, trace


@pytest.fixture
def content_editor(client, db):
    """A staff account that may only edit pages and articles."""
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("redactie", "r@example.com", "een-lang-wachtwoord", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="content"))
    login_admin(client, user)
    return client


def test_a_content_only_account_sees_no_bookings_or_personal_data(content_editor, now):
    booking = with_note(now + timedelta(days=3))
    person = reverse("admin:booking_person")
    assert content_editor.get(reverse("admin:booking_agenda")).status_code == 403
    assert content_editor.get(person, {"email": "anna@example.com"}).status_code == 403
    exported = content_editor.get(person, {"email": "anna@example.com", "export": "1"})
    assert exported.status_code == 403 and NOTE.encode() not in exported.content
    assert content_editor.post(person, {"email": "anna@example.com", "erase": "ja"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()
    listing = content_editor.post(
        reverse("admin:booking_booking_changelist"), {"action": "export_ics", "_selected_action": [booking.pk]}
    )
    assert listing.status_code == 403 and b"BEGIN:VCALENDAR" not in listing.content
    assert content_editor.get(reverse("admin:content_page_changelist")).status_code == 200


def test_a_viewing_account_may_look_but_not_erase(client, db, now):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("kijker", "k@example.com", "een-lang-wachtwoord", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_booking"))
    login_admin(client, user)
    booking = with_note(now + timedelta(days=3))
    person = reverse("admin:booking_person")
    assert client.get(reverse("admin:booking_agenda")).status_code == 200
    page = client.get(person, {"email": "anna@example.com"})
    assert page.status_code == 200 and "Alles wissen" not in text_of(page)
    assert client.post(person, {"email": "anna@example.com", "erase": "ja"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_a_readable_overview_for_the_person_who_asked(admin_client, now):
    booking = with_note(now + timedelta(days=3), email="anna@example.com")
    response = admin_client.get(reverse("admin:booking_person"), {"email": "anna@example.com", "overzicht": "1"})
    assert response.status_code == 200
    text = text_of(response)
    local = timezone.localtime(booking.start)
    assert "Overzicht van uw gegevens" in text and "Anna Privé" in text and NOTE in text and "0612345678" in text
    assert f"om {local:%H:%M}" in text and "Nederlandse tijd" in text
    assert "T0" not in text and "+00:00" not in text  # no machine dates
