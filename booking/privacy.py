"""Personal data kept no longer than needed, and handed over or erased on request (AVG)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from . import calendar, services, tasks
from .models import Agenda, AgendaFeed, Booking, BookingRules, CalendarSource, OutgoingEmail

logger = logging.getLogger(__name__)

ANONYMOUS_NAME = "(onherkenbaar gemaakt)"


@dataclass(frozen=True)
class PurgeReport:
    notes_removed: int
    anonymised: int


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
        # The therapist's own message in a cancellation may name the person too, and the
        # admin's history names the booking by its client's name.
        OutgoingEmail.objects.filter(booking_id__in=ids).exclude(practice_message="").update(practice_message="")
        _forget_history(ids)
        if anonymised:
            AgendaFeed.bookings_changed(now)
            # Her own calendar shows the intake as it is now: without the name.
            services.update_her_calendar(*Booking.objects.filter(pk__in=ids))
    logger.info("purge: %s notes removed, %s bookings anonymised", notes, anonymised)
    return PurgeReport(notes, anonymised)


def _forget_history(booking_ids: list[int]) -> None:
    """The admin's history (django_admin_log) names a booking by its client's name."""
    if booking_ids:
        content_types = ContentType.objects.get_for_models(Booking, Agenda, for_concrete_models=False).values()
        LogEntry.objects.filter(
            content_type__in=list(content_types), object_id__in=[str(pk) for pk in booking_ids]
        ).delete()


def find(email: str):
    return Booking.objects.of_address(email).order_by("start")


def export(email: str) -> dict:
    """Everything stored about one email address, for a data subject access request."""
    bookings = find(email).prefetch_related("emails")
    return {
        "email": email.strip(),
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
                "emails_sent": [
                    {"kind": e.get_kind_display(), "sent_at": e.sent_at.isoformat() if e.sent_at else None}
                    for e in b.emails.all()
                ],
            }
            for b in bookings
        ],
    }


def erase(email: str) -> int:
    """Deletes every booking of one email address, with its email records and its lines in the
    admin's history, and tells subscribed calendars. Returns how many bookings."""
    with transaction.atomic():
        bookings = list(find(email).only("pk", "uuid"))
        ids = [booking.pk for booking in bookings]
        count = len(ids)
        if CalendarSource.target() is not None:
            for booking in bookings:
                uid = calendar.uid(booking)
                transaction.on_commit(lambda uid=uid: tasks.remove_from_her_calendar.enqueue(uid))
        # Deleting tells subscribed calendars too (see AgendaFeed.bookings_changed).
        Booking.objects.filter(pk__in=ids).delete()
        _forget_history(ids)
    logger.info("erasure request: %s bookings deleted", count)
    return count
