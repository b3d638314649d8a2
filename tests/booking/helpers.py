"""Plain helpers to set up a schedule and make bookings in tests."""

import threading
import uuid
from datetime import time, timedelta

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from booking.models import Booking, BookingRules, WeeklyWindow
from booking.services import bookings, schedule, waiting


def open_every_day(*, start=time(9, 0), end=time(17, 0), online=True, in_person=True) -> None:
    for weekday in range(7):
        WeeklyWindow.objects.create(
            weekday=weekday, start_time=start, end_time=end, offers_online=online, offers_in_person=in_person
        )


def set_rules(**fields) -> BookingRules:
    rules = BookingRules.objects.order_by("pk").first()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def free_slots(kind=None, now=None):
    now = now or timezone.now()
    return schedule.load_schedule(now=now).slots(now=now, kind=kind)


def book(slot=None, *, kind="online", email="client@example.com", now=None, **fields) -> Booking:
    now = now or timezone.now()
    slot = slot or free_slots(kind, now)[0]
    values = {
        "name": "Client",
        "email": email,
        "phone": "",
        "note": "",
        "note_consent": False,
        "request_token": uuid.uuid4(),
    }
    values.update(fields)
    return bookings.book(start=slot.start, kind=kind, now=now, **values)


def manage_link_for(text: str, booking) -> bool:
    """Whether text holds a working self-service link for this booking (tokens carry a timestamp)."""
    import re

    from booking.domain import links

    for token in re.findall(r"/kennismaking/beheer/([^/\s]+)/", text):
        check = links.read_token(token)
        if check.problem is None and check.link_key == booking.link_key and check.sequence == booking.sequence:
            return True
    return False


def make_booking_directly(start, *, minutes=20, buffer=10, status="confirmed", email="x@example.com") -> Booking:
    """Writes a booking without the service, to test what the database itself refuses."""
    return Booking.objects.create(
        start=start,
        end=start + timedelta(minutes=minutes),
        occupied_until=start + timedelta(minutes=minutes + buffer),
        kind="online",
        status=status,
        name="Direct",
        email=email,
        privacy_accepted_at=timezone.now(),
        request_token=uuid.uuid4(),
    )


def refused(**kwargs) -> bool:
    """Whether the database itself refuses a booking written directly."""
    try:
        with transaction.atomic():
            make_booking_directly(**kwargs)
    except IntegrityError:
        return True
    return False


def join_waiting_list(*, email="wacht@example.com", name="Wachtende", now=None, **wishes):
    """Puts someone on the waiting list; by default every kind, day and part of the day suits her."""
    values = {
        "kinds": frozenset({"online", "in_person"}),
        "days": list(range(7)),
        "parts": ["morning", "afternoon", "evening"],
        "phone": "",
    }
    values.update(wishes)
    return waiting.join_waiting_list(
        name=name, email=email, request_token=uuid.uuid4(), now=now or timezone.now(), **values
    )


def race(targets) -> list:
    """Runs each target in its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except BaseException as error:  # collected, never escaping the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
