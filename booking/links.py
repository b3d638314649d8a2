"""Self-service links: signed, unguessable, no login.

The token names the booking and the version (sequence) it was made for, so a
link from an older email is recognised as used once the booking has changed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "booking.manage"
MAX_AGE_DAYS = 120


@dataclass(frozen=True)
class LinkCheck:
    booking_uuid: str | None
    sequence: int | None
    problem: str | None  # None, "tampered" or "expired"


def make_token(booking) -> str:
    return signing.dumps({"b": str(booking.uuid), "s": booking.sequence}, salt=SALT, compress=True)


def read_token(token: str) -> LinkCheck:
    try:
        data = signing.loads(token, salt=SALT, max_age=60 * 60 * 24 * MAX_AGE_DAYS)
    except signing.SignatureExpired:
        return LinkCheck(None, None, "expired")
    except signing.BadSignature:
        return LinkCheck(None, None, "tampered")
    if not isinstance(data, dict) or not isinstance(data.get("b"), str) or not isinstance(data.get("s"), int):
        return LinkCheck(None, None, "tampered")
    return LinkCheck(data["b"], data["s"], None)


def manage_path(booking) -> str:
    return reverse("booking:manage", kwargs={"token": make_token(booking)})


def manage_url(booking) -> str:
    return settings.SITE_URL + manage_path(booking)
