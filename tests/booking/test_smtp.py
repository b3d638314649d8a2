"""Every kind of email goes out through Django's real SMTP backend to a real SMTP server
(aiosmtpd on loopback), whatever characters the practice's name and address hold."""

import email
import email.policy
import re
import uuid
from datetime import timedelta

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from booking.models import OutgoingEmail
from booking.services import bookings, questions, waiting
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from content.models import PracticeDetails
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day
from tests.booking.servers import free_port

NAMES = [
    "Praktijk Grönd",
    "Praktijk ’s-Hertogenbosch, café: de Ruimte",
    "Zachte Grond @ Utrecht",
]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def site(transactional_db):
    load_initial_content()
    open_every_day()
    load_demo_schedule()


@pytest.mark.parametrize("practice_name", NAMES)
def test_every_email_reaches_a_real_mail_server_and_parses(site, smtp_server, clock, practice_name):
    PracticeDetails.objects.update(
        practice_name=practice_name, street="Café Straße 1", city="’s-Hertogenbosch", therapist_name="Jörgen Ødegård"
    )
    booking = book(name="Zoë van ’t Hoff, jr.", email="zoe@example.com")
    target = free_slots("in_person")[4]
    bookings.reschedule(booking_id=booking.pk, start=target.start, kind="in_person", now=timezone.now())
    clock.move_to(target.start - timedelta(hours=20))
    bookings.send_reminders(now=timezone.now())
    bookings.cancel(
        booking_id=booking.pk, by_practice=True, now=timezone.now(), message="Sorry, ik ben ziek. Groet, Jörgen"
    )
    # The waiting list and the question form: a later time comes free for someone waiting.
    later = book(free_slots()[-1], email="ander@example.com", name="Ander")
    OutgoingEmail.objects.filter(booking=later).delete()
    join_waiting_list(name="Ærøskøbing, Åse", email="wacht@example.com")
    bookings.cancel(booking_id=later.pk, by_practice=False, now=timezone.now())
    OutgoingEmail.objects.filter(booking=later).delete()
    questions.ask(
        name="Zoë", email="zoe@example.com", phone="", text="Mijn vraag", request_token=uuid.uuid4(), now=timezone.now()
    )
    # The waiting-list form asks the address to confirm: for someone already waiting, and for a new address.
    for address in ("wacht@example.com", "nieuw@example.com"):
        waiting.request_waiting_list(
            name="Vreemde Typist",
            email=address,
            phone="0612 999 888",
            kinds=frozenset({"online"}),
            days=[0],
            parts=["evening"],
            now=timezone.now(),
        )

    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    email_kinds = set(OutgoingEmail.Kind.values) - {OutgoingEmail.Kind.OWN_CALENDAR}
    assert set(OutgoingEmail.objects.values_list("kind", flat=True)) == email_kinds
    waiting_messages = [m for m in smtp_server.messages if m[0] == ["wacht@example.com"]]
    assert len(waiting_messages) == 3
    # And the other booking's four, and the new address's confirmation.
    assert len(smtp_server.messages) == len(email_kinds) + 4 + 1
    for recipients, raw in smtp_server.messages:
        if recipients == ["ander@example.com"]:
            continue  # the other booking's: only there to come free
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["From"].addresses[0].display_name == practice_name
        assert message["From"].addresses[0].addr_spec == "praktijk@localhost"
        assert b"Mijn vraag" not in raw
        to_client = recipients == ["zoe@example.com"] and "vraag" not in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for typed in ("Vreemde Typist", "0612 999 888"):
            assert typed not in text and typed not in html, "no word typed into the waiting-list form"
        assert "Jörgen Ødegård" in text or recipients != ["zoe@example.com"]
        if str(message["Subject"]).startswith("Bevestig"):
            assert re.search(r"http://\S+/kennismaking/wachtlijst/bevestigen/\S+/", text)
            assert message["List-Unsubscribe"] is None
            if recipients == ["wacht@example.com"]:
                assert message["Subject"] == "Bevestig je nieuwe wensen voor de wachtlijst"
                assert "Ærøskøbing, Åse" in text
            else:
                assert recipients == ["nieuw@example.com"]
                assert message["Subject"] == "Bevestig je aanmelding voor de wachtlijst"
        elif recipients == ["wacht@example.com"]:
            assert "Ærøskøbing, Åse" in text
            leave = str(message["List-Unsubscribe"]).strip().strip("<>")
            assert leave in text and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
        assert len(calendars) == (1 if to_client else 0)
        for part in calendars:
            parsed = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            [event] = parsed.walk("VEVENT")
            assert str(event["organizer"].params["cn"]) == practice_name
            assert str(event["attendee"]) == "mailto:zoe@example.com"
            assert str(event["attendee"].params["cn"]) == "Zoë van ’t Hoff, jr."
            assert str(parsed["method"]) == part.get_param("method")
