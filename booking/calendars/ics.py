"""Every iCalendar object the site hands out is built here (RFC 5545, via `icalendar`).

Times are written in UTC, which every calendar program accepts and which can
never float. The client's note never goes into a calendar: events carry only
what is needed to be at the right place at the right time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from booking.domain import links, video
from booking.domain.vocabulary import KIND_WORDS
from booking.domain.wallclock import practice_tz
from booking.models import Booking, BookingRules, Kind

PRODID = "-//Praktijkwebsite//Kennismaking//NL"
CLIENT_SUMMARY = {kind: f"Kennismakingsgesprek ({word})" for kind, word in KIND_WORDS.items()}


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def uid(booking: Booking) -> str:
    return f"booking-{booking.uuid}@{site_domain()}"


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _location(booking: Booking, rules: BookingRules) -> str:
    if booking.kind == Kind.ONLINE:
        return "Online"
    return " ".join(rules.practice_address.split()) if rules.practice_address else ""


def _event(
    booking: Booking,
    *,
    summary: str,
    description: str,
    location: str,
    now: datetime,
    organizer_email: str,
    organizer_name: str,
    cancelled: bool,
    attendee: bool = False,
) -> Event:
    event = Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", booking.sequence)
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("created", booking.created_at.astimezone(UTC))
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(organizer_name)
    event.add("organizer", organizer)
    if attendee:
        # RFC 5546: a REQUEST or CANCEL names who it is for.
        guest = vCalAddress(f"mailto:{booking.email}")
        guest.params["cn"] = vText(booking.name)
        guest.params["role"] = "REQ-PARTICIPANT"
        guest.params["partstat"] = "ACCEPTED"
        guest.params["rsvp"] = "FALSE"
        event.add("attendee", guest)
    return event


def _practice_contact() -> tuple[str, str]:
    from content.models import PracticeDetails

    practice = PracticeDetails.load()
    if practice is None:
        return settings.DEFAULT_FROM_EMAIL, "Praktijk"
    return practice.email, practice.practice_name


def client_description(booking: Booking, rules: BookingRules, *, manage_url: str | None = None) -> str:
    lines = []
    if booking.kind == Kind.ONLINE:
        # A cancelled online intake has neither a room nor an address to go to.
        if booking.is_active:
            video_url = rules.video_url(booking, role=video.CLIENT)
            lines.append(f"Videolink: {video_url}" if video_url else "De praktijk stuurt je de videolink.")
    elif rules.practice_address:
        lines.append(f"Adres: {' '.join(rules.practice_address.split())}")
    lines.append(f"Gratis kennismakingsgesprek van {rules.slot_minutes} minuten, zonder verplichtingen.")
    if booking.is_active:
        lines.append(f"Verzetten of afzeggen: {manage_url or links.manage_url(booking)}")
    return "\n".join(lines)


def practice_description(booking: Booking, rules: BookingRules, admin_link: str) -> str:
    lines = [f"{booking.get_status_display().capitalize()}."]
    video_url = rules.video_url(booking, role=video.THERAPIST)
    if video_url:
        lines.append(f"Videoruimte: {video_url}")
    lines.append(f"In het beheer: {admin_link}")
    return "\n".join(lines)


def client_calendar(
    booking: Booking, *, now: datetime, method: str | None = "PUBLISH", manage_url: str | None = None
) -> bytes:
    """The client's own copy: a download, or (method REQUEST/CANCEL) an email attachment.
    A download passes the link it came through as `manage_url`; an email gets a fresh one."""
    rules = BookingRules.load()
    email, name = _practice_contact()
    calendar = _calendar(method)
    calendar.add_component(
        _event(
            booking,
            summary=CLIENT_SUMMARY[booking.kind],
            description=client_description(booking, rules, manage_url=manage_url),
            location=_location(booking, rules),
            now=now,
            organizer_email=email,
            organizer_name=name,
            cancelled=not booking.is_active or method == "CANCEL",
            attendee=method in ("REQUEST", "CANCEL") and bool(booking.email),
        )
    )
    return calendar.to_ical()


def practice_calendar(bookings: Iterable[Booking], *, now: datetime, name: str = "Kennismakingen") -> bytes:
    """The therapist's view: client's name and kind, a link to the booking in the admin, never the note."""
    rules = BookingRules.load()
    email, practice_name = _practice_contact()
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", practice_tz().key)
    for booking in bookings:
        admin_link = settings.SITE_URL + reverse("admin:booking_booking_change", args=[booking.pk])
        calendar.add_component(
            _event(
                booking,
                summary=f"Kennismaking {booking.name} ({KIND_WORDS[booking.kind]})",
                description=practice_description(booking, rules, admin_link),
                location=_location(booking, rules),
                now=now,
                organizer_email=email,
                organizer_name=practice_name,
                cancelled=not booking.is_active,
            )
        )
    return calendar.to_ical()
