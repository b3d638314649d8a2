"""Background tasks on her own calendars, started from the admin and from an erasure.

(The outbox's sending lives in `outbox`, the waiting list's look in `waiting`: each task sits
next to the work it runs.)
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task, task_backends

from booking.calendars import sync as calendarsync
from booking.calendars import write as calendar_write
from booking.models import CalendarSource

from .outbox import backoff

logger = logging.getLogger(__name__)


@task()
def sync_calendar_source(source_id: int) -> None:
    """Reads one of her calendars right after she adds or changes it in the admin."""
    source = CalendarSource.objects.filter(pk=source_id, is_active=True).first()
    if source is not None:
        calendarsync.sync_source(source, now=timezone.now())


@task()
def remove_from_her_calendar(uid: str, attempt: int = 1) -> None:
    """After an erasure the booking is gone, so this cannot wait in the outbox: it retries itself."""
    try:
        calendar_write.remove(uid)
    except Exception as error:  # her calendar server is down or refuses: try again later
        logger.warning(
            "removing an erased intake from her calendar failed, attempt %s: %s", attempt, type(error).__name__
        )
        backend = task_backends[remove_from_her_calendar.backend]
        if backend.supports_defer and attempt < 20:
            remove_from_her_calendar.using(run_after=timezone.now() + backoff(attempt)).enqueue(uid, attempt + 1)
