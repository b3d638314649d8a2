"""Self-service links: signed, unguessable, no login.

The token carries the booking's own random link key (never its UUID, which is
in calendar files) and the version (sequence) it was made for, so a link from
an older email is recognised as used once the booking has changed. Only a
valid, current token opens a booking's pages; nothing else hands out a new one.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse


@dataclass(frozen=True)
class Signed:
    """One kind of signed link: its own salt (a token of one kind never opens another) and
    how long it is honoured."""

    salt: str
    max_age_days: int

    def sign(self, value, **options) -> str:
        return signing.dumps(value, salt=self.salt, **options)

    def read(self, token: str):
        """What the token carries; raises signing.SignatureExpired or signing.BadSignature."""
        return signing.loads(token, salt=self.salt, max_age=60 * 60 * 24 * self.max_age_days)


MANAGE = Signed("booking.manage", max_age_days=120)
# The waiting list's links carry the entry's or the hold's own random key, nothing else.
LEAVE = Signed("booking.waitlist.leave", max_age_days=400)  # longer than anyone stays on the list
HOLD = Signed("booking.waitlist.hold", max_age_days=14)  # longer than any hold runs
# Longer than a request waits to be confirmed (services.waiting.CONFIRM_WITHIN).
CONFIRM = Signed("booking.waitlist.confirm", max_age_days=3)
SALT, MAX_AGE_DAYS = MANAGE.salt, MANAGE.max_age_days


def new_secret(nbytes: int, *, hex: bool = False) -> str:
    """A random, unguessable key of `nbytes` bytes (as hex, or URL-safe text): the one maker
    of link keys, video room names and the agenda feed's secret address."""
    return secrets.token_hex(nbytes) if hex else secrets.token_urlsafe(nbytes)


@dataclass(frozen=True)
class LinkCheck:
    link_key: str | None
    sequence: int | None
    problem: str | None  # None, "tampered" or "expired"


def make_token(booking) -> str:
    return MANAGE.sign({"k": booking.link_key, "s": booking.sequence}, compress=True)


def read_token(token: str) -> LinkCheck:
    try:
        data = MANAGE.read(token)
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


def read_key_token(token: str, kind: Signed) -> str | None:
    """The key in a waiting-list link, or None for a link that was altered or is very old."""
    try:
        key = kind.read(token)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) else None


def leave_url(entry) -> str:
    return settings.SITE_URL + reverse("booking:waiting_leave", kwargs={"token": LEAVE.sign(entry.link_key)})


def hold_url(hold) -> str:
    return settings.SITE_URL + reverse("booking:waiting_hold", kwargs={"token": HOLD.sign(hold.link_key)})


def confirm_url(waiting_request) -> str:
    return settings.SITE_URL + reverse(
        "booking:waiting_confirm", kwargs={"token": CONFIRM.sign(waiting_request.link_key)}
    )
