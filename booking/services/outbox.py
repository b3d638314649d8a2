"""The outbox: writing what the site owes someone (an email, an intake in her own calendar) in
the transaction of the change it reports, and sending it after that commits, in the background,
with retries that back off while the mail server fails.

A leaf among the services: every service queues through it, and it calls none of them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task, task_backends

from booking.calendars import write as calendar_write
from booking.models import OUTGOING_ABOUT, Booking, OutgoingEmail

from . import emails

logger = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
# Pause before attempt n+1: 1, 5, 15, 60 minutes, then every 3 hours.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
LATER = timedelta(hours=3)


def backoff(attempts: int) -> timedelta:
    return BACKOFF[attempts - 1] if 0 < attempts <= len(BACKOFF) else LATER


def _claim(email_id: int, now: datetime) -> bool:
    """Only one sender at a time, and never a message that has gone out."""
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )
    return claimed == 1


def deliver(email_id: int, *, now: datetime | None = None) -> bool:
    """Sends one outbox email now. True when it went out (or had already)."""
    now = now or timezone.now()
    if not _claim(email_id, now):
        return OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=False).exists()
    outgoing = OutgoingEmail.objects.select_related("hold", *OUTGOING_ABOUT).get(pk=email_id)
    try:
        if outgoing.kind == OutgoingEmail.Kind.OWN_CALENDAR:
            calendar_write.write(outgoing.booking, now=now)
        else:
            emails.build(outgoing, now=now).send()
    except (calendar_write.NoTarget, emails.NoLongerTrue):
        # She switched the calendar off since, or the offered time is no longer held:
        # nothing is owed any more.
        OutgoingEmail.objects.filter(pk=email_id).update(sent_at=now, claimed_until=None, last_error="")
        return True
    except Exception as error:  # any mail or calendar failure: keep it, try again later
        attempts = outgoing.attempts + 1
        OutgoingEmail.objects.filter(pk=email_id).update(
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=type(error).__name__[:200],
            claimed_until=None,
        )
        # Ids and the kind of failure only: no addresses, no content.
        logger.warning("email %s (%s) failed, attempt %s: %s", email_id, outgoing.kind, attempts, type(error).__name__)
        return False
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), claimed_until=None, last_error="")
    logger.info("email %s (%s) sent", email_id, outgoing.kind)
    return True


@task()
def send_email(email_id: int) -> None:
    if not deliver(email_id):
        _retry_later(email_id)


def _retry_later(email_id: int) -> None:
    backend = task_backends[send_email.backend]
    outgoing = OutgoingEmail.objects.filter(pk=email_id).first()
    if outgoing is None:
        return  # what it was about is gone (someone left the waiting list, an erasure): nothing owed
    if backend.supports_defer and outgoing.next_attempt_at:
        send_email.using(run_after=outgoing.next_attempt_at).enqueue(email_id)
    # Without deferral (development), `send_reminders` picks it up on its next run.


def queue(outgoing: OutgoingEmail) -> None:
    """Sends after the surrounding transaction commits; nothing goes out for a rolled-back change."""
    transaction.on_commit(lambda: send_email.enqueue(outgoing.pk))


def retry_due(*, now: datetime) -> int:
    """Re-queues every unsent email whose next attempt is due. Safe to run often."""
    due = (
        OutgoingEmail.objects.filter(sent_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )
    ids = list(due.values_list("pk", flat=True))
    for email_id in ids:
        send_email.enqueue(email_id)
    return len(ids)



def notify(booking: Booking, *kinds: str, **fields) -> None:
    """Writes the emails into the outbox in this transaction; they are sent after it commits."""
    for kind in kinds:
        queue(OutgoingEmail.objects.create(booking=booking, kind=kind, **fields))


def notify_about(kind: str, **about) -> None:
    """An outbox email about a waiting person or a question: sent after commit, like the others."""
    queue(OutgoingEmail.objects.create(kind=kind, **about))
