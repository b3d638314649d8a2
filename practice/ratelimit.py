"""Counting attempts per client or account in a time window, for rate limits and login locks.

Counts live in the database (AttemptCounter), where no flood of other requests can
evict them. Keys are hashed with the secret key: no addresses or usernames in the clear.
A window restarts with every attempt, so a lock lasts its full length after the last one;
a fixed window (`extend=False`) counts from its first attempt, for "in the last hour".
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clients import client_address
from .models import AttemptCounter

# The public forms (booking, waiting list, question) share one count per address: a bot
# that is stopped at one form is stopped at the others too.
FORM_LIMIT = 10  # submissions per address...
FORM_WINDOW = 60 * 15  # ...per quarter of an hour
FORM_LIMIT_MESSAGE = _(
    "Je hebt het formulier vaak achter elkaar verstuurd. Wacht een kwartier en probeer het dan opnieuw, "
    "of bel of mail de praktijk."
)


def key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()
    return f"{scope}:{digest}"[:100]


def count(counter: str, *, now: datetime | None = None) -> int:
    return state(counter, now=now)[0]


def state(counter: str, *, now: datetime | None = None) -> tuple[int, datetime | None]:
    """The attempts counted so far and when that count expires (None when there is none)."""
    now = now or timezone.now()
    row = AttemptCounter.objects.filter(key=counter, expires_at__gt=now).only("count", "expires_at").first()
    return (row.count, row.expires_at) if row else (0, None)


def hit(counter: str, window: int, *, now: datetime | None = None, extend: bool = True) -> int:
    """Adds one attempt and returns the attempts so far. The count is kept for `window`
    seconds from now, or, with `extend=False`, from the first attempt of the window."""
    now = now or timezone.now()
    until = now + timedelta(seconds=window)
    with transaction.atomic():
        try:
            with transaction.atomic():
                AttemptCounter.objects.create(key=counter, count=1, expires_at=until)
                return 1
        except IntegrityError:
            pass  # counted before: add to it below
        row = AttemptCounter.objects.select_for_update().get(key=counter)
        running = row.expires_at > now
        row.count = row.count + 1 if running else 1
        if extend or not running:
            row.expires_at = until
        row.save(update_fields=["count", "expires_at"])
        return row.count


def forget_expired(*, now: datetime) -> int:
    """Removes counts whose window has passed. Run daily with the other clean-up."""
    deleted, _ = AttemptCounter.objects.filter(expires_at__lte=now).delete()
    return deleted


def too_many_forms(request) -> bool:
    """Counts one public form submission from this address; True once it has sent too many."""
    return hit(key("forms", client_address(request)), FORM_WINDOW) > FORM_LIMIT
