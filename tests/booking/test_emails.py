"""Every email, via Django's test outbox: right people, right words, the calendar attached, never the note."""

import email as email_lib
import io
import logging
import smtplib
import threading
from datetime import timedelta

import icalendar
import pytest
import vobject
from django.core import mail
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from booking.models import Booking, OutgoingEmail
from booking.services import bookings, outbox
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from tests.booking.helpers import (
    book,
    free_slots,
    join_waiting_list,
    make_booking_directly,
    manage_link_for,
    open_every_day,
)
from tests.helpers import login_admin

NOTE = "Ik heb last van paniekaanvallen"
PRACTICE = "info@praktijk.example"


@pytest.fixture
def site(transactional_db):
    # Transactional: emails are queued on commit, which a rolled-back test never reaches.
    load_initial_content()
    open_every_day()
    load_demo_schedule()


def messages_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def calendar_part(message):
    parsed = email_lib.message_from_bytes(message.message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    body = parts[0].get_payload(decode=True)
    list(vobject.readComponents(io.StringIO(body.decode())))  # a second, independent parser accepts it
    return parts[0], icalendar.Calendar.from_ical(body)


def assert_no_note_anywhere(caplog=None):
    for message in mail.outbox:
        raw = message.message().as_bytes().decode("utf-8", "replace")
        assert NOTE not in raw and NOTE not in message.body
        for html, _ in message.alternatives:
            assert NOTE not in html
    if caplog is not None:
        assert NOTE not in caplog.text


def test_booking_sends_confirmation_with_request_and_tells_the_practice(site, caplog):
    caplog.set_level(logging.DEBUG)
    booking = book(name="Anna", email="anna@example.com", note=NOTE, note_consent=True)
    [client] = messages_to("anna@example.com")
    local = timezone.localtime(booking.start)
    assert client.subject.startswith("Je kennismakingsgesprek op ")
    assert local.strftime("%H:%M") in client.subject
    assert "Beste Anna" in client.body and manage_link_for(client.body, booking)
    assert "KvK 00000000" in client.body
    [(html, kind)] = client.alternatives
    assert kind == "text/html" and "Bekijken, verzetten of afzeggen" in html and "KvK" in html
    part, parsed = calendar_part(client)
    assert part.get_param("method") == "REQUEST"
    assert str(parsed["method"]) == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert str(event["uid"]) == f"booking-{booking.uuid}@127.0.0.1"
    [practice] = messages_to(PRACTICE)
    assert practice.subject.startswith("Nieuwe kennismaking: Anna")
    assert f"/admin/booking/booking/{booking.pk}/change/" in practice.body
    assert not [p for p in practice.message().walk() if p.get_content_type() == "text/calendar"]
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 0
    assert_no_note_anywhere(caplog)


class RolledBack(Exception):
    pass


def test_nothing_is_sent_when_the_booking_is_rolled_back(site):
    # The booking itself succeeds; the surrounding transaction then fails.
    with pytest.raises(RolledBack), transaction.atomic():
        book(email="same@example.com")
        raise RolledBack
    assert mail.outbox == [] and not Booking.objects.exists() and not OutgoingEmail.objects.exists()
    # The same booking, committed, does send: the silence above is the rollback's doing.
    book(email="same@example.com")
    assert len(messages_to("same@example.com")) == 1


def test_client_cancellation_sends_cancel_with_same_uid_higher_sequence(site):
    booking = book(email="anna@example.com", note=NOTE, note_consent=True)
    _, first = calendar_part(messages_to("anna@example.com")[0])
    mail.outbox.clear()
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    [client] = messages_to("anna@example.com")
    assert client.subject.startswith("Afgezegd: je kennismakingsgesprek op ")
    assert "Je hebt het kennismakingsgesprek van" in client.body
    part, parsed = calendar_part(client)
    assert part.get_param("method") == "CANCEL"
    [before], [after] = first.walk("VEVENT"), parsed.walk("VEVENT")
    assert after["uid"] == before["uid"] and int(after["sequence"]) > int(before["sequence"])
    assert str(after["status"]) == "CANCELLED"
    assert str(after["attendee"]) == "mailto:anna@example.com"
    [practice] = messages_to(PRACTICE)
    assert "afgezegd door cliënt" in practice.body
    assert_no_note_anywhere()


def test_every_client_email_ends_with_the_crisis_line_and_the_practice_details(site):
    booking = book(email="anna@example.com")
    target = free_slots("online")[4]
    bookings.reschedule(booking_id=booking.pk, start=target.start, kind="online", now=timezone.now())
    bookings.send_reminders(now=target.start - timedelta(hours=20))
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    sent = messages_to("anna@example.com")
    assert len(sent) == 4
    for message in sent:
        [(html, _kind)] = message.alternatives
        for text in (message.body, html):
            assert "0800-0113" in text, message.subject
            assert "KvK 00000000" in text, message.subject
            assert "Voorbeeldstraat 12" in text, message.subject


def test_an_invitation_names_the_client_as_attendee(site):
    book(email="anna@example.com", name="Anna de Vries")
    _, parsed = calendar_part(messages_to("anna@example.com")[0])
    [event] = parsed.walk("VEVENT")
    assert str(event["attendee"]) == "mailto:anna@example.com"
    assert str(event["attendee"].params["cn"]) == "Anna de Vries"
    assert str(event["organizer"]) == "mailto:info@praktijk.example"


def test_a_second_intake_on_one_address_is_listed_in_its_emails_and_flagged_to_the_practice(site):
    first = book(email="anna@example.com")
    mail.outbox.clear()
    second = book(free_slots("online")[2], email="Anna@Example.com")
    [client] = messages_to("Anna@Example.com")
    assert manage_link_for(client.body, second) and manage_link_for(client.body, first)
    assert "Op dit e-mailadres staan ook deze kennismakingsgesprekken" in client.body
    [practice] = messages_to(PRACTICE)
    assert "op hetzelfde e-mailadres staat nog 1 andere kennismaking" in practice.body


def test_practice_cancellation_carries_her_message(site):
    booking = book(email="anna@example.com")
    mail.outbox.clear()
    bookings.cancel(booking_id=booking.pk, by_practice=True, now=timezone.now(), message="Ik ben helaas ziek.")
    [client] = messages_to("anna@example.com")
    assert "Helaas moet ik ons kennismakingsgesprek" in client.body and "Ik ben helaas ziek." in client.body
    assert calendar_part(client)[0].get_param("method") == "CANCEL"


def test_reschedule_sends_an_updated_request_with_the_same_uid(site):
    booking = book(email="anna@example.com")
    _, first = calendar_part(messages_to("anna@example.com")[0])
    mail.outbox.clear()
    target = free_slots("in_person")[3]
    moved = bookings.reschedule(booking_id=booking.pk, start=target.start, kind="in_person", now=timezone.now())
    [client] = messages_to("anna@example.com")
    assert client.subject.startswith("Verzet: je kennismakingsgesprek is nu op ")
    assert timezone.localtime(target.start).strftime("%H:%M") in client.subject
    assert "Het was op" in client.body
    part, parsed = calendar_part(client)
    assert part.get_param("method") == "REQUEST"
    [before], [after] = first.walk("VEVENT"), parsed.walk("VEVENT")
    assert after["uid"] == before["uid"] and int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart") == moved.start
    assert "Voorbeeldstraat 12" in str(after["location"])
    assert messages_to(PRACTICE)[0].subject.startswith("Verzet: kennismaking")


def test_reminders_are_sent_once_about_a_day_before(site):
    now = timezone.now()
    soon = make_booking_directly(now + timedelta(hours=20), email="soon@example.com")
    later = make_booking_directly(now + timedelta(days=3), email="later@example.com")
    call_command("send_reminders")
    call_command("send_reminders")
    [reminder] = messages_to("soon@example.com")
    assert reminder.subject.startswith("Herinnering: je kennismakingsgesprek op ")
    assert calendar_part(reminder)[0].get_param("method") == "REQUEST"
    assert messages_to("later@example.com") == []
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None and later.reminder_sent_at is None


def test_two_overlapping_reminder_runs_send_each_reminder_exactly_once(site):
    now = timezone.now()
    for number in range(8):
        make_booking_directly(now + timedelta(hours=2, minutes=40 * number), email=f"c{number}@example.com")
    barrier = threading.Barrier(2)
    counts = []

    def run():
        try:
            barrier.wait()
            counts.append(bookings.send_reminders(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 8
    reminders = [m for m in mail.outbox if m.subject.startswith("Herinnering")]
    assert sorted(m.to[0] for m in reminders) == sorted(f"c{n}@example.com" for n in range(8))
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 8


class FailingBackend:
    """A mail server that refuses, until told to recover."""

    failing = True

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FailingBackend.failing:
            raise smtplib.SMTPServerDisconnected("server weg")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failing_mail_server_keeps_the_booking_and_delivers_after_retry(site, settings, caplog):
    settings.EMAIL_BACKEND = "tests.booking.test_emails.FailingBackend"
    FailingBackend.failing = True
    booking = book(email="anna@example.com", note=NOTE, note_consent=True)
    assert Booking.objects.filter(pk=booking.pk, status="confirmed").exists()
    pending = OutgoingEmail.objects.filter(booking=booking, sent_at__isnull=True)
    assert pending.count() == 2
    first = pending.first()
    assert first.attempts == 1 and first.last_error == "SMTPServerDisconnected"
    assert first.next_attempt_at > timezone.now()
    # Not due yet: a run now does not hammer the server.
    assert outbox.retry_due(now=timezone.now()) == 0
    FailingBackend.failing = False
    later = timezone.now() + timedelta(minutes=2)
    assert outbox.retry_due(now=later) == 2
    assert OutgoingEmail.objects.filter(booking=booking, sent_at__isnull=True).count() == 0
    assert [m.to for m in mail.outbox] and messages_to("anna@example.com")
    # Sent once: another run finds nothing left to do.
    assert outbox.retry_due(now=later + timedelta(hours=1)) == 0
    assert len(messages_to("anna@example.com")) == 1
    assert NOTE not in caplog.text and "anna@example.com" not in caplog.text


def test_backoff_grows():
    assert [outbox.backoff(n) for n in range(1, 7)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=3),
        timedelta(hours=3),
    ]


def test_admin_lists_bookings_whose_email_has_not_gone_out(site, settings, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    settings.EMAIL_BACKEND = "tests.booking.test_emails.FailingBackend"
    FailingBackend.failing = True
    stuck = book(email="stuck@example.com", name="Vastgelopen")
    FailingBackend.failing = False
    book(free_slots("online")[0], email="fine@example.com", name="Verstuurd")
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    page = client.get(reverse("admin:booking_booking_changelist") + "?wanneer=alle&email=wacht").content.decode()
    assert "Vastgelopen" in page and "Verstuurd" not in page
    assert stuck.emails.filter(sent_at__isnull=True).exists()


def test_production_backend_queues_in_the_database_and_the_worker_sends(site, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    book(email="anna@example.com")
    assert mail.outbox == []  # queued, not sent in the request
    call_command("db_worker", "--batch", "--interval", "0")
    assert len(messages_to("anna@example.com")) == 1 and len(messages_to(PRACTICE)) == 1


def test_with_the_production_worker_a_hold_is_passed_on_when_it_ends(site, settings, clock):
    """Nothing depends on a page being visited: the worker offers the freed time, and at the
    hold's end a deferred task passes it on."""
    from django_tasks_db.models import DBTaskResult

    from booking.models import Hold

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    booking = book(free_slots()[-1], email="weg@example.com")
    join_waiting_list(email="eerste@example.com")
    second = join_waiting_list(email="tweede@example.com")

    def worker():
        call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())

    worker()  # the joins' first look
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    assert not Hold.objects.exists(), "queued for the worker, not done in the request"
    worker()
    hold = Hold.objects.get()
    assert messages_to("eerste@example.com")[-1].subject.startswith("Er is een tijd vrijgekomen")
    deferred = DBTaskResult.objects.filter(task_path="booking.services.waiting.waiting_list_look", status="READY")
    assert list(deferred.values_list("run_after", flat=True)) == [hold.expires_at]
    clock.move_to(hold.expires_at + timedelta(seconds=1))
    worker()
    assert Hold.objects.open(timezone.now()).get().entry == second
    assert messages_to("tweede@example.com")[-1].subject.startswith("Er is een tijd vrijgekomen")
