"""Personal data kept no longer than needed, and handed over or erased on request (AVG)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from booking.calendars import ics as calendar
from booking.models import (
    AgendaFeed,
    Booking,
    BookingRules,
    CalendarSource,
    Hold,
    OutgoingEmail,
    Question,
    WaitingEntry,
    WaitingRequest,
)

from . import bookings as bookings_service
from . import tasks
from . import waiting as waiting_service

logger = logging.getLogger(__name__)

ANONYMOUS_NAME = "(onherkenbaar gemaakt)"


@dataclass(frozen=True)
class PurgeReport:
    notes_removed: int
    anonymised: int
    waiting_removed: int = 0
    questions_removed: int = 0
    requests_removed: int = 0


def purge(*, now: datetime) -> PurgeReport:
    """Removes notes once the intake has taken place, and anonymises bookings after the retention period.

    Idempotent: a second run finds nothing left to do. Logs counts only.
    """
    rules = BookingRules.load()
    with transaction.atomic():
        notes = (
            Booking.objects.filter(end__lte=now)
            .exclude(note="", note_consent=False)
            .update(note="", note_consent=False)
        )
        old = Booking.objects.filter(
            end__lte=now - timedelta(days=rules.retention_days), becomes_client=False, anonymised_at__isnull=True
        )
        ids = list(old.values_list("pk", flat=True))
        anonymised = Booking.objects.filter(pk__in=ids).update(
            name=ANONYMOUS_NAME, email="", phone="", note="", note_consent=False, anonymised_at=now
        )
        # The therapist's own message in a cancellation may name the person too.
        OutgoingEmail.objects.filter(booking_id__in=ids).exclude(practice_message="").update(practice_message="")
        if anonymised:
            AgendaFeed.bookings_changed(now)
            # Her own calendar shows the intake as it is now: without the name.
            bookings_service.update_her_calendar(*Booking.objects.filter(pk__in=ids))
        # The waiting list: whoever booked through it or stayed past the period is removed
        # entirely, with the times offered and the emails about them.
        waiting, _ = WaitingEntry.objects.exclude(pk__in=WaitingEntry.objects.waiting(now)).delete()
        questions, _ = Question.objects.filter(
            handled_at__lte=now - timedelta(days=rules.question_retention_days)
        ).delete()
        # Waiting-list forms nobody confirmed in time: perhaps typed by a stranger.
        requests, _ = WaitingRequest.objects.filter(expires_at__lte=now).delete()
        _forget_history()
    logger.info(
        "purge: %s notes removed, %s bookings anonymised, %s waiting-list rows and %s question rows deleted",
        notes,
        anonymised,
        waiting,
        questions,
    )
    logger.info("purge: %s unconfirmed waiting-list rows deleted", requests)
    return PurgeReport(notes, anonymised, waiting, questions, requests)


# Every model whose rows name a person (directly, or like an email "about" her), with the
# rows that no longer do although they are still there (None: only deleted rows). The
# admin's history (django_admin_log) names an object by its str(), and kept versions
# (django-simple-history) copy every field, so both outlive the row unless removed.
PERSONAL_DATA: dict[type[Model], Q | None] = {
    Booking: Q(anonymised_at__isnull=False),
    WaitingEntry: None,
    Hold: None,
    Question: None,
    WaitingRequest: None,
    OutgoingEmail: Q(booking__anonymised_at__isnull=False),
}


def _forget_history() -> None:
    """Removes every admin log line and kept version of a personal-data row that was deleted
    or made unrecognisable.

    A sweep rather than a list of ids: it also catches rows deleted some other way (the
    admin's delete button, a cascade, an erasure that stopped halfway), at the next
    erasure or nightly purge.
    """
    for model, forgotten in PERSONAL_DATA.items():
        named = model._base_manager.all() if forgotten is None else model._base_manager.exclude(forgotten)
        pk = model._meta.pk
        as_text = named.annotate(key=Cast(pk.attname, output_field=CharField())).values("key")
        # Its proxies (the admin's "Agenda" is a Booking) keep lines of their own.
        models = [m for m in apps.get_models() if m._meta.concrete_model is model]
        content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False).values()
        LogEntry.objects.filter(content_type__in=list(content_types)).exclude(object_id__in=as_text).delete()
        try:
            history = get_history_model_for_model(model)
        except NotHistoricalModelError:
            continue
        history.objects.exclude(**{f"{pk.attname}__in": named.values(pk.attname)}).delete()


def find(email: str):
    return Booking.objects.of_address(email).order_by("start")


@dataclass(frozen=True)
class Stored:
    """Everything stored for one email address, as queries (nothing is read until used)."""

    email: str
    bookings: QuerySet
    waiting: QuerySet
    requests: QuerySet
    questions: QuerySet


def stored_for(email: str) -> Stored:
    """Everything stored for one email address, whatever its capitals: the one list the export,
    the erasure and the admin's person page all read."""
    return Stored(
        email=email.strip(),
        bookings=find(email).prefetch_related("emails"),
        waiting=WaitingEntry.objects.of_address(email).prefetch_related("holds", "emails"),
        requests=WaitingRequest.objects.of_address(email).prefetch_related("emails"),
        questions=Question.objects.of_address(email).prefetch_related("emails"),
    )


def _sent(emails) -> list[dict]:
    return [{"kind": e.get_kind_display(), "sent_at": e.sent_at.isoformat() if e.sent_at else None} for e in emails]


def export(email: str) -> dict:
    """Everything stored about one email address, for a data subject access request."""
    stored = stored_for(email)
    return {
        "email": stored.email,
        "waiting_list": [
            {
                "name": w.name,
                "email": w.email,
                "phone": w.phone,
                "kinds": w.kinds_display,
                "days": w.days_display,
                "parts_of_day": w.parts_display,
                "joined_at": w.created_at.isoformat(),
                "until": w.expires_at.isoformat(),
                "privacy_accepted_at": w.privacy_accepted_at.isoformat(),
                "booked_at": w.booked_at.isoformat() if w.booked_at else None,
                "offered": [
                    {
                        "start": h.start.isoformat(),
                        "offered_at": h.offered_at.isoformat(),
                        "held_until": h.expires_at.isoformat(),
                        "status": h.get_status_display(),
                    }
                    for h in w.holds.all()
                ],
                "emails_sent": _sent(w.emails.all()),
            }
            for w in stored.waiting
        ],
        "waiting_list_unconfirmed": [
            {
                "name": r.name,
                "email": r.email,
                "phone": r.phone,
                "kinds": r.kinds_display,
                "days": r.days_display,
                "parts_of_day": r.parts_display,
                "filled_in_at": r.created_at.isoformat(),
                "confirm_until": r.expires_at.isoformat(),
                "privacy_accepted_at": r.privacy_accepted_at.isoformat(),
                "emails_sent": _sent(r.emails.all()),
            }
            for r in stored.requests
        ],
        "questions": [
            {
                "name": q.name,
                "email": q.email,
                "phone": q.phone,
                "question": q.text,
                "received_at": q.created_at.isoformat(),
                "handled_at": q.handled_at.isoformat() if q.handled_at else None,
                "privacy_accepted_at": q.privacy_accepted_at.isoformat(),
                "emails_sent": _sent(q.emails.all()),
            }
            for q in stored.questions
        ],
        "bookings": [
            {
                "reference": str(b.uuid),
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "kind": b.get_kind_display(),
                "status": b.get_status_display(),
                "name": b.name,
                "email": b.email,
                "phone": b.phone,
                "note": b.note,
                "note_consent": b.note_consent,
                "privacy_accepted_at": b.privacy_accepted_at.isoformat(),
                "becomes_client": b.becomes_client,
                "created_at": b.created_at.isoformat(),
                "emails_sent": _sent(b.emails.all()),
            }
            for b in stored.bookings
        ],
    }


def erase(email: str) -> int:
    """Deletes every booking of one email address, with its email records and its lines in the
    admin's history, and tells subscribed calendars; and the address's place on the waiting
    list, what is waiting to be confirmed for it, and its questions. Returns how many bookings."""
    stored = stored_for(email)
    with transaction.atomic():
        bookings = list(stored.bookings.prefetch_related(None).only("pk", "uuid"))
        ids = [booking.pk for booking in bookings]
        count = len(ids)
        if CalendarSource.target() is not None:
            for booking in bookings:
                uid = calendar.uid(booking)
                transaction.on_commit(lambda uid=uid: tasks.remove_from_her_calendar.enqueue(uid))
        # Deleting tells subscribed calendars too (see AgendaFeed.bookings_changed).
        Booking.objects.filter(pk__in=ids).delete()
        waiting = list(stored.waiting.prefetch_related(None).values_list("pk", flat=True))
        stored.questions.prefetch_related(None).delete()
        stored.requests.prefetch_related(None).delete()
    # Through the service: a time held for her goes to the next person.
    for entry_id in waiting:
        waiting_service.leave_waiting_list(entry_id=entry_id)
    with transaction.atomic():
        _forget_history()
    logger.info("erasure request: %s bookings deleted", count)
    return count
