"""Builds the emails the practice sends about an introduction call.

Multipart (plain text and HTML), in Dutch, from templates in templates/booking/email/.
Never the client's note: only times, kinds, places and links.
"""

from __future__ import annotations

from datetime import datetime
from email.mime.text import MIMEText
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from content.models import PracticeDetails

from . import calendar, links
from .models import Booking, BookingRules, OutgoingEmail

Kind = OutgoingEmail.Kind

CLIENT_KINDS = {Kind.CONFIRMATION, Kind.REMINDER, Kind.CANCELLATION, Kind.RESCHEDULE}
# Which calendar method goes with which client email.
ICS_METHOD = {
    Kind.CONFIRMATION: "REQUEST",
    Kind.RESCHEDULE: "REQUEST",
    Kind.REMINDER: "REQUEST",
    Kind.CANCELLATION: "CANCEL",
}


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'D j F')} om {dateformat.format(local, 'H:i')}"


def subject(outgoing: OutgoingEmail) -> str:
    booking = outgoing.booking
    when = _when(booking.start)
    return {
        Kind.CONFIRMATION: f"Je kennismakingsgesprek op {when}",
        Kind.REMINDER: f"Herinnering: je kennismakingsgesprek op {when}",
        Kind.CANCELLATION: f"Afgezegd: je kennismakingsgesprek op {when}",
        Kind.RESCHEDULE: f"Verzet: je kennismakingsgesprek is nu op {when}",
        Kind.PRACTICE_NEW: f"Nieuwe kennismaking: {booking.name}, {when}",
        Kind.PRACTICE_CANCELLATION: f"Afgezegd: kennismaking {booking.name}, {when}",
        Kind.PRACTICE_RESCHEDULE: f"Verzet: kennismaking {booking.name}, nu {when}",
    }[outgoing.kind]


def other_intakes(booking: Booking, *, now: datetime) -> list[dict]:
    """The address's other upcoming intakes: a second booking is made like any other, and the
    person behind the address sees them all, each with its own link."""
    others = Booking.objects.of_address(booking.email).upcoming(now).exclude(pk=booking.pk).order_by("start")
    return [{"booking": other, "when": _when(other.start), "manage_url": links.manage_url(other)} for other in others]


def sender(practice: PracticeDetails | None) -> str:
    # formataddr quotes a name with a comma, colon or @ and encodes one with ö or ’.
    return (
        formataddr((practice.practice_name, settings.DEFAULT_FROM_EMAIL)) if practice else settings.DEFAULT_FROM_EMAIL
    )


def calendar_part(booking: Booking, method: str, *, now: datetime) -> MIMEText:
    """The .ics as an attachment that any mail server carries: UTF-8, base64-encoded."""
    text = calendar.client_calendar(booking, now=now, method=method).decode()
    part = MIMEText(text, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="kennismaking.ics")
    return part


def build(outgoing: OutgoingEmail, *, now: datetime) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        booking = outgoing.booking
        practice = PracticeDetails.load()
        rules = BookingRules.load()
        to_client = outgoing.kind in CLIENT_KINDS
        context = {
            "video_url": rules.video_url(booking),
            "others": other_intakes(booking, now=now) if booking.email else [],
            "booking": booking,
            "email": outgoing,
            "practice": practice,
            "rules": rules,
            "when": _when(booking.start),
            "previous_when": _when(outgoing.previous_start) if outgoing.previous_start else "",
            "manage_url": links.manage_url(booking) if to_client else "",
            "admin_url": settings.SITE_URL + reverse("admin:booking_booking_change", args=[booking.pk]),
            "site_url": settings.SITE_URL,
        }
        template = f"booking/email/{outgoing.kind}"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(
            "booking/email/base.html", {**context, "body": render_to_string(f"{template}.html", context)}
        )
        recipient = booking.email if to_client else (practice.email if practice else settings.DEFAULT_FROM_EMAIL)
        message = EmailMultiAlternatives(
            subject=subject(outgoing),
            body=text,
            from_email=sender(practice),
            to=[recipient],
            reply_to=[practice.email] if practice and to_client else None,
        )
        message.attach_alternative(html, "text/html")
        if to_client:
            message.attach(calendar_part(booking, ICS_METHOD[outgoing.kind], now=now))
        return message
