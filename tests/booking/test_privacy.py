"""Notes removed after the intake, anonymisation after the retention period, export and erasure."""

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import EmailField
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, Hold, OutgoingEmail, Question, WaitingEntry
from booking.services import bookings, privacy, questions
from content.initial_content import load_initial_content
from tests.booking.helpers import join_waiting_list, make_booking_directly, open_every_day, set_rules
from tests.helpers import admin_form_data, login_admin, soup, text_of

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


def texts_per_table() -> dict[str, str]:
    """Every value of every column of every table (django_admin_log, the history tables,
    django_session, the task results...), as text, for searching leftovers."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            found[table] = "\n".join(
                value if isinstance(value, str) else repr(value) for row in cursor for value in row
            )
    return found


def every_text_in_the_database() -> str:
    return "\n".join(texts_per_table().values())


QUESTION = "Ik durf niet goed te bellen, kan het ook per mail?"


def known_everywhere(client, *, email: str, start, becomes_client: bool) -> Booking:
    """Anna Privé with an intake (with a note), a place on the waiting list holding a time the
    therapist offered her, and a question; the therapist changed each in the admin, as she does,
    so the admin's history names her for each. Background jobs go to the database's task table."""
    open_every_day()
    booking = with_note(start, email=email)
    entry = join_waiting_list(name="Anna Privé", email=email, phone="0612345678")
    question = questions.ask(
        name="Anna Privé", email=email, phone="0612345678", text=QUESTION, request_token=uuid.uuid4(), now=start
    )
    if becomes_client:
        listing = reverse("admin:booking_booking_changelist") + "?wanneer=alle"
        client.post(listing, {"action": "mark_becomes_client", "_selected_action": [booking.pk]}, follow=True)
    change = reverse("admin:booking_booking_change", args=[booking.pk])
    data = {"becomes_client": "on"} if becomes_client else {}
    assert client.post(change, data, follow=True).status_code == 200
    url = reverse("admin:booking_waitingentry_change", args=[entry.pk])
    data = {**admin_form_data(client, url, "waitingentry_form"), "days": ["0", "2"], "parts": ["evening"]}
    assert client.post(url, data).status_code == 302
    offer = reverse("admin:booking_waitingentry_offer", args=[entry.pk])
    moment = soup(client.get(offer)).select("select[name=moment] option")[1]["value"]
    assert client.post(offer, {"moment": moment}, follow=True).status_code == 200
    assert Hold.objects.filter(entry=entry, by_practice=True).exists()
    url = reverse("admin:booking_question_change", args=[question.pk])
    assert client.post(url, {"handled": "on"}, follow=True).status_code == 200
    named = {entry.content_type.model for entry in LogEntry.objects.all() if "Anna Privé" in entry.object_repr}
    assert named == {"booking", "waitingentry", "question"}
    return booking


TRACES = ("Anna Privé", "0612345678", NOTE, QUESTION, "Sorry Anna")


def assert_forgotten(email: str) -> None:
    tables = texts_per_table()
    left = [
        (trace, table) for trace in (*TRACES, email) for table, text in tables.items() if trace.lower() in text.lower()
    ]
    assert left == [], left


@pytest.fixture
def tasks_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_erasure_leaves_nothing_behind_in_any_table(
    admin_client, now, tasks_in_the_database, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = known_everywhere(
            admin_client, email="anna.geheim@example.com", start=now + timedelta(days=3), becomes_client=True
        )
        bookings.cancel(booking_id=booking.pk, by_practice=True, now=now, message="Sorry Anna Privé, ik ben ziek.")
    before = every_text_in_the_database()
    assert "Anna Privé" in before and "anna.geheim@example.com" in before and QUESTION in before

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:booking_person"), {"email": "anna.geheim@example.com", "erase": "ja"}, follow=True
        )
    assert "Alle gegevens van dit e-mailadres zijn gewist" in text_of(response)
    assert DBTaskResult.objects.exists()  # the task table was there to search
    assert_forgotten("anna.geheim@example.com")


def test_the_retention_purge_leaves_no_name_behind_in_any_table(
    admin_client, now, clock, tasks_in_the_database, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = known_everywhere(
            admin_client, email="oud.geheim@example.com", start=now - timedelta(days=100), becomes_client=False
        )
    assert "Anna Privé" in every_text_in_the_database()
    # Past every period: the intake's (90 days), the waiting list's (60) and the handled question's (30).
    clock.move_to(now + timedelta(days=61))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data")
    booking.refresh_from_db()
    assert booking.anonymised_at is not None
    assert_forgotten("oud.geheim@example.com")


def test_forgetting_keeps_the_history_of_everyone_still_there(admin_client, now):
    """The sweep removes the lines of what is gone or unrecognisable, and nothing else: not
    those of Bert, who is still waiting, asking and coming, nor of the emails about him."""
    therapist = get_user_model().objects.get(username="t")
    bert = make_booking_directly(now + timedelta(days=2), email="bert@example.com")
    bookings.cancel(booking_id=bert.pk, by_practice=False, now=now)
    join_waiting_list(name="Bert Blijft", email="bert@example.com")
    questions.ask(name="Bert Blijft", email="bert@example.com", phone="", text="?", request_token=uuid.uuid4(), now=now)
    old = with_note(now - timedelta(days=100), email="oud@example.com")
    bookings.cancel(booking_id=old.pk, by_practice=True, now=now - timedelta(days=101), message="")
    # A booking the therapist deleted with the admin's own delete button.
    gone = with_note(now + timedelta(days=5), email="weg@example.com")
    delete = reverse("admin:booking_booking_delete", args=[gone.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    for model in (Booking, WaitingEntry, Question, OutgoingEmail):
        LogEntry.objects.log_actions(therapist.pk, model.objects.all(), CHANGE)
    kept = {
        (model._meta.model_name, str(pk))
        for model in (WaitingEntry, Question, OutgoingEmail)
        for pk in model.objects.values_list("pk", flat=True)
    } | {("booking", str(bert.pk))}
    kept -= {
        ("outgoingemail", str(pk)) for pk in OutgoingEmail.objects.filter(booking=old).values_list("pk", flat=True)
    }
    assert OutgoingEmail.objects.filter(booking=old).exists() and OutgoingEmail.objects.filter(booking=bert).exists()

    call_command("purge_personal_data")

    left = set(LogEntry.objects.values_list("content_type__model", "object_id"))
    assert left == kept
    assert "Anna Privé" not in every_text_in_the_database()


def test_every_model_that_holds_contact_details_is_forgotten_with_its_history():
    """A new model with someone's email address or phone number must join the list."""
    holding = {
        model._meta.concrete_model
        for model in apps.get_app_config("booking").get_models()
        if any(isinstance(field, EmailField) or field.name == "phone" for field in model._meta.get_fields())
    }
    assert holding and holding <= set(privacy.PERSONAL_DATA)


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


def test_handing_over_or_erasing_a_person_needs_every_part_of_her(client, db, now):
    """An account for intakes only (view and delete bookings) sees and erases no questions or
    waiting places, so it can neither hand over nor erase "everything"."""
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("intakes", "i@example.com", "een-lang-wachtwoord", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", "delete_booking"]))
    login_admin(client, user)
    booking = with_note(now + timedelta(days=3))
    questions.ask(
        name="Anna Privé", email="anna@example.com", phone="", text=QUESTION, request_token=uuid.uuid4(), now=now
    )
    person = reverse("admin:booking_person")
    page = client.get(person, {"email": "anna@example.com"})
    text = text_of(page)
    assert page.status_code == 200 and "1 gesprek gevonden" in text and "Vraag van" not in text
    assert "Alles wissen" not in text and "Alles exporteren" not in text
    for extra in ("export", "overzicht"):
        answer = client.get(person, {"email": "anna@example.com", extra: "1"})
        assert answer.status_code == 403 and QUESTION.encode() not in answer.content
    assert client.post(person, {"email": "anna@example.com", "erase": "ja"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists() and Question.objects.exists()


def test_a_readable_overview_for_the_person_who_asked(admin_client, now):
    booking = with_note(now + timedelta(days=3), email="anna@example.com")
    response = admin_client.get(reverse("admin:booking_person"), {"email": "anna@example.com", "overzicht": "1"})
    assert response.status_code == 200
    text = text_of(response)
    local = timezone.localtime(booking.start)
    assert "Overzicht van uw gegevens" in text and "Anna Privé" in text and NOTE in text and "0612345678" in text
    assert f"om {local:%H:%M}" in text and "Nederlandse tijd" in text
    assert "T0" not in text and "+00:00" not in text  # no machine dates
