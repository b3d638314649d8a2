"""Builds the emails the practice sends about an introduction call.

Multipart (plain text and HTML), in Dutch, from templates in templates/booking/email/.
Never the client's note, never a question's text: only times, kinds, places and links.
Never what a stranger may have typed either: the waiting list's confirmation email
carries no word from the form.
"""

from __future__ import annotations

from datetime import datetime
from email.mime.text import MIMEText
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from booking.calendars import ics as calendar
from booking.domain import links, video
from booking.domain.wallclock import practice_time
from booking.models import Booking, BookingRules, OutgoingEmail, WaitingEntry
from content.models import PracticeDetails

Kind = OutgoingEmail.Kind

CLIENT_KINDS = {Kind.CONFIRMATION, Kind.REMINDER, Kind.CANCELLATION, Kind.RESCHEDULE}
WAITING_KINDS = {Kind.WAITLIST_JOINED, Kind.WAITLIST_OFFER}


class NoLongerTrue(Exception):
    """The email would offer something that has gone (a hold that ran out while the mail
    server was down): it is not sent."""


# Which calendar method goes with which client email.
ICS_METHOD = {
    Kind.CONFIRMATION: "REQUEST",
    Kind.RESCHEDULE: "REQUEST",
    Kind.REMINDER: "REQUEST",
    Kind.CANCELLATION: "CANCEL",
}


def _when(moment) -> str:
    local = practice_time(moment)
    return f"{dateformat.format(local, 'D j F')} om {dateformat.format(local, 'H:i')}"


def subject(outgoing: OutgoingEmail) -> str:
    if outgoing.kind == Kind.WAITLIST_JOINED:
        return "Je staat op de wachtlijst"
    if outgoing.kind == Kind.WAITLIST_OFFER:
        return f"Er is een tijd vrijgekomen: {_when(outgoing.hold.start)}"
    if outgoing.kind == Kind.WAITLIST_CONFIRM:
        return _("Bevestig je aanmelding voor de wachtlijst")
    if outgoing.kind == Kind.QUESTION_RECEIVED:
        return "Je vraag is goed aangekomen"
    if outgoing.kind == Kind.PRACTICE_QUESTION:
        return "Er staat een nieuwe vraag voor je klaar"
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


def _message(outgoing: OutgoingEmail, context: dict, *, to: str, to_client: bool, headers=None, subject_line: str = ""):
    practice = context["practice"]
    template = f"booking/email/{outgoing.kind}"
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(
        "booking/email/base.html", {**context, "body": render_to_string(f"{template}.html", context)}
    )
    message = EmailMultiAlternatives(
        subject=subject_line or subject(outgoing),
        body=text,
        from_email=sender(practice),
        to=[to],
        reply_to=[practice.email] if practice and to_client else None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _practice_address(practice: PracticeDetails | None) -> str:
    return practice.email if practice else settings.DEFAULT_FROM_EMAIL


def _build_waiting(outgoing: OutgoingEmail, *, now: datetime) -> EmailMultiAlternatives:
    entry, hold = outgoing.waiting, outgoing.hold
    if hold is not None and not hold.is_open(now):
        raise NoLongerTrue()
    leave_url = links.leave_url(entry)
    context = {
        "entry": entry,
        "hold": hold,
        "practice": PracticeDetails.load(),
        "rules": BookingRules.load(),
        "when": _when(hold.start) if hold else "",
        "held_until": _when(hold.expires_at) if hold else "",
        "hold_url": links.hold_url(hold) if hold else "",
        "leave_url": leave_url,
        "until": dateformat.format(practice_time(entry.expires_at), "j F Y"),
        "site_url": settings.SITE_URL,
    }
    # One-click leaving from the mail program itself (RFC 8058): a POST to the same address.
    headers = {"List-Unsubscribe": f"<{leave_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return _message(outgoing, context, to=entry.email, to_client=True, headers=headers)


def _build_confirm(outgoing: OutgoingEmail, *, now: datetime) -> EmailMultiAlternatives:
    """Asks the address's owner to confirm what someone filled in for it. Whoever filled it in
    may be a stranger: nothing typed in the form is in this email (no name, no phone, no
    wishes), so the site carries no stranger's words into anyone's inbox. The page behind
    the link shows them."""
    pending = outgoing.waiting_request
    if pending.expires_at <= now:
        raise NoLongerTrue()
    # Already waiting: the email (never the page after the form) says it is about a change.
    entry = WaitingEntry.objects.waiting(now).of_address(pending.email).first()
    context = {
        "entry": entry,
        "confirm_url": links.confirm_url(pending),
        "until": _when(pending.expires_at),
        "practice": PracticeDetails.load(),
        "site_url": settings.SITE_URL,
    }
    subject_line = (
        _("Bevestig je nieuwe wensen voor de wachtlijst") if entry else _("Bevestig je aanmelding voor de wachtlijst")
    )
    return _message(outgoing, context, to=pending.email, to_client=True, subject_line=subject_line)


def _build_question(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    question = outgoing.question
    practice = PracticeDetails.load()
    to_asker = outgoing.kind == Kind.QUESTION_RECEIVED
    context = {
        # The question's text is deliberately not here: no template can put it in an email.
        "name": question.name,
        "received": _when(question.created_at),
        "practice": practice,
        "admin_url": settings.SITE_URL + reverse("admin:booking_question_change", args=[question.pk]),
        "site_url": settings.SITE_URL,
    }
    return _message(
        outgoing, context, to=question.email if to_asker else _practice_address(practice), to_client=to_asker
    )


def build(outgoing: OutgoingEmail, *, now: datetime) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        if outgoing.kind in WAITING_KINDS:
            return _build_waiting(outgoing, now=now)
        if outgoing.kind == Kind.WAITLIST_CONFIRM:
            return _build_confirm(outgoing, now=now)
        if outgoing.question_id is not None:
            return _build_question(outgoing)
        return _build_booking(outgoing, now=now)


def _build_booking(outgoing: OutgoingEmail, *, now: datetime) -> EmailMultiAlternatives:
    booking = outgoing.booking
    practice = PracticeDetails.load()
    rules = BookingRules.load()
    to_client = outgoing.kind in CLIENT_KINDS
    context = {
        # The client's own way in, or hers (as the one who leads the conversation) in the practice's emails.
        "video_url": rules.video_url(booking, role=video.CLIENT if to_client else video.THERAPIST),
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
    recipient = booking.email if to_client else _practice_address(practice)
    message = _message(outgoing, context, to=recipient, to_client=to_client)
    if to_client:
        message.attach(calendar_part(booking, ICS_METHOD[outgoing.kind], now=now))
    return message
