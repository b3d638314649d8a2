"""Self-service links: signed, unguessable, no login.

The token carries the booking's own random link key (never its UUID, which is
in calendar files) and the version (sequence) it was made for, so a link from
an older email is recognised as used once the booking has changed. Only a
valid, current token opens a booking's pages; nothing else hands out a new one.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "booking.manage"
MAX_AGE_DAYS = 120


@dataclass(frozen=True)
class LinkCheck:
    link_key: str | None
    sequence: int | None
    problem: str | None  # None, "tampered" or "expired"


def make_token(booking) -> str:
    return signing.dumps({"k": booking.link_key, "s": booking.sequence}, salt=SALT, compress=True)


def read_token(token: str) -> LinkCheck:
    try:
        data = signing.loads(token, salt=SALT, max_age=60 * 60 * 24 * MAX_AGE_DAYS)
    except signing.SignatureExpired:
        return LinkCheck(None, None, "expired")
    except signing.BadSignature:
        return LinkCheck(None, None, "tampered")
    if not isinstance(data, dict) or not isinstance(data.get("k"), str) or not isinstance(data.get("s"), int):
        return LinkCheck(None, None, "tampered")
    return LinkCheck(data["k"], data["s"], None)


def manage_path(booking) -> str:
    return reverse("booking:manage", kwargs={"token": make_token(booking)})


def manage_url(booking) -> str:
    return settings.SITE_URL + manage_path(booking)


def confirmation_path(booking) -> str:
    return reverse("booking:confirmation", kwargs={"token": make_token(booking)})


def ics_path(booking) -> str:
    return reverse("booking:ics", kwargs={"token": make_token(booking)})


# The waiting list's links carry the entry's or the hold's own random key, nothing else.
LEAVE_SALT = "booking.waitlist.leave"
HOLD_SALT = "booking.waitlist.hold"
CONFIRM_SALT = "booking.waitlist.confirm"
LEAVE_MAX_AGE_DAYS = 400  # longer than anyone stays on the list
HOLD_MAX_AGE_DAYS = 14  # longer than any hold runs
CONFIRM_MAX_AGE_DAYS = 3  # longer than a request waits to be confirmed (services.waiting.CONFIRM_WITHIN)


def _key_token(key: str, salt: str) -> str:
    return signing.dumps(key, salt=salt)


def read_key_token(token: str, *, salt: str, max_age_days: int) -> str | None:
    """The key in a waiting-list link, or None for a link that was altered or is very old."""
    try:
        key = signing.loads(token, salt=salt, max_age=60 * 60 * 24 * max_age_days)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) else None


def leave_url(entry) -> str:
    return settings.SITE_URL + reverse(
        "booking:waiting_leave", kwargs={"token": _key_token(entry.link_key, LEAVE_SALT)}
    )


def hold_url(hold) -> str:
    return settings.SITE_URL + reverse("booking:waiting_hold", kwargs={"token": _key_token(hold.link_key, HOLD_SALT)})


def confirm_url(waiting_request) -> str:
    return settings.SITE_URL + reverse(
        "booking:waiting_confirm", kwargs={"token": _key_token(waiting_request.link_key, CONFIRM_SALT)}
    )
