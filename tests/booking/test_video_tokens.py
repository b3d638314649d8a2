"""With a Jitsi server of her own, a video link admits one person to one intake's room, and only
around its time: the client's as a guest, the therapist's as moderator. Every link is read from
where people really get it (emails through the real templates, calendar files, pages, her feed,
her CalDAV calendar) and its token decoded with the app secret."""

import email as email_lib
import logging
import re
from datetime import timedelta

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booking.calendars import ics as calendar
from booking.domain import links, video
from booking.models import AgendaFeed, Booking, BookingRules, CalendarSource
from booking.services import bookings
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from content.models import PracticeDetails
from tests.booking.helpers import book, free_slots, open_every_day, set_rules
from tests.booking.servers import PASSWORD, USER, Radicale
from tests.helpers import login_admin

SERVER = "https://jitsi.praktijk.example"
APP_ID = "praktijk-website"
SECRET = "een-lang-app-geheim-alleen-voor-deze-test-0123456789"
TOKEN = re.compile(r"jwt=([\w-]+\.[\w-]+\.[\w-]+)")


@pytest.fixture
def site(transactional_db, client):
    # Transactional: emails and calendar writes go out on commit.
    load_initial_content()
    open_every_day()
    load_demo_schedule()
    set_rules(jitsi_server=SERVER, jitsi_app_id=APP_ID, jitsi_app_secret=SECRET)
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))


@pytest.fixture
def her_caldav(tmp_path, settings):
    settings.CALENDAR_ALLOW_LOOPBACK = True
    server = Radicale(tmp_path / "radicale").start()
    url = server.calendar("praktijk-video")
    CalendarSource.objects.create(
        name="Nextcloud", kind="caldav", url=url, username=USER, password=PASSWORD, write_intakes=True
    )
    yield server, url
    server.stop()


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "").replace("\n ", "")


def everything_in(message) -> str:
    """All an email carries: text, HTML and the calendar attachment, decoded."""
    parsed = email_lib.message_from_bytes(message.message().as_bytes())
    parts = [part.get_payload(decode=True) for part in parsed.walk() if not part.is_multipart()]
    return unfolded("\n".join(part.decode() for part in parts))


def tokens_in(text: str) -> set[str]:
    return set(TOKEN.findall(unfolded(text)))


def the_token_in(text: str) -> str:
    [token] = tokens_in(text)
    return token


def practice_address() -> str:
    return PracticeDetails.load().email


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def claims(token: str) -> dict:
    """Checks the signature, audience and issuer; the time window is checked apart."""
    return jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        issuer=APP_ID,
        options={"verify_nbf": False, "verify_exp": False},
    )


def expected(booking: Booking, *, name: str, moderator: bool) -> dict:
    return {
        "aud": "jitsi",
        "iss": APP_ID,
        "sub": "jitsi.praktijk.example",
        "room": booking.video_room,
        "nbf": int((booking.start - timedelta(minutes=15)).timestamp()),
        "exp": int((booking.end + timedelta(minutes=30)).timestamp()),
        "moderator": moderator,
        "context": {"user": {"name": name, "moderator": moderator} if name else {"moderator": moderator}},
    }


def feed_text(client) -> str:
    feed = AgendaFeed.current() or AgendaFeed.objects.create()
    return client.get(feed.get_absolute_url()).content.decode()


def admin_page(client, booking) -> str:
    return client.get(reverse("admin:booking_booking_change", args=[booking.pk])).content.decode()


def test_the_clients_link_admits_only_her_to_her_own_room_around_its_time(site, client, clock):
    booking = book(email="anna@example.com", name="Anna Jansen")
    [confirmation] = to("anna@example.com")
    token = the_token_in(everything_in(confirmation))
    assert f"{SERVER}/{booking.video_room}?jwt={token}" in confirmation.body
    # The same link in the calendar file she downloads and on her own booking page.
    assert the_token_in(calendar.client_calendar(booking, now=timezone.now()).decode()) == token
    assert the_token_in(client.get(links.manage_path(booking)).content.decode()) == token
    # No name in a client's link: it travels in emails and calendar files.
    assert claims(token) == expected(booking, name="", moderator=False)

    def admitted() -> bool:
        try:
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", issuer=APP_ID)
        except (jwt.ImmatureSignatureError, jwt.ExpiredSignatureError):
            return False
        return True

    moments = {
        "een dag ervoor": booking.start - timedelta(days=1),
        "16 minuten ervoor": booking.start - timedelta(minutes=16),
        "14 minuten ervoor": booking.start - timedelta(minutes=14),
        "tijdens": booking.start + timedelta(minutes=5),
        "29 minuten na het einde": booking.end + timedelta(minutes=29),
        "31 minuten na het einde": booking.end + timedelta(minutes=31),
        "een week later": booking.end + timedelta(days=7),
    }
    seen = {}
    for label, moment in moments.items():
        clock.move_to(moment)
        seen[label] = admitted()
    assert seen == {
        "een dag ervoor": False,
        "16 minuten ervoor": False,
        "14 minuten ervoor": True,
        "tijdens": True,
        "29 minuten na het einde": True,
        "31 minuten na het einde": False,
        "een week later": False,
    }
    # Made with the app secret, so nobody makes one of their own.
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "een ander geheim, ook lang genoeg voor HS256", algorithms=["HS256"], audience="jitsi")


def test_her_own_link_makes_her_moderator_wherever_she_finds_it(site, client, her_caldav):
    radicale, calendar_url = her_caldav
    booking = book(email="anna@example.com", name="Anna Jansen")
    therapist = PracticeDetails.load().therapist_name
    [client_mail] = to("anna@example.com")
    client_token = the_token_in(everything_in(client_mail))
    [practice_mail] = to(practice_address())
    found = {
        "e-mail aan de praktijk": everything_in(practice_mail),
        "agenda-abonnement": feed_text(client),
        "beheer": admin_page(client, booking),
        "export uit het beheer": calendar.practice_calendar([booking], now=timezone.now()).decode(),
        "eigen CalDAV-agenda": "\n".join(radicale.events(calendar_url)),
    }
    tokens = {place: tokens_in(text) for place, text in found.items()}
    assert all(len(found_tokens) == 1 for found_tokens in tokens.values()), tokens
    [her_token] = set.union(*tokens.values())
    assert claims(her_token) == expected(booking, name=therapist, moderator=True)
    assert her_token != client_token
    # The client never gets the moderator's link.
    assert her_token not in everything_in(client_mail) + client.get(links.manage_path(booking)).content.decode()


def test_a_reschedule_moves_the_room_and_the_old_link_leads_nowhere(site, client):
    booking = book(email="anna@example.com")
    old = claims(the_token_in(everything_in(to("anna@example.com")[0])))
    mail.outbox.clear()
    target = free_slots("online")[3]
    moved = bookings.reschedule(booking_id=booking.pk, start=target.start, kind="online", now=timezone.now())
    [reschedule_mail] = to("anna@example.com")
    new = claims(the_token_in(everything_in(reschedule_mail)))
    assert new == expected(moved, name="", moderator=False)
    assert new["room"] != old["room"]
    # Nothing that still goes ahead uses the old room: a forwarded old link opens an empty room.
    assert not Booking.objects.active().filter(video_room=old["room"]).exists()
    for text in (feed_text(client), admin_page(client, moved), everything_in(reschedule_mail)):
        assert old["room"] not in text


@pytest.mark.parametrize("kept_room", [False, True], ids=["room removed", "room left behind"])
def test_a_cancelled_intake_has_no_link_anywhere(site, client, kept_room):
    booking = book(email="anna@example.com")
    room = booking.video_room
    mail.outbox.clear()
    cancelled = bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    assert cancelled.video_room == ""
    if kept_room:
        # A row that still names its room (written before rooms were removed, or by hand):
        # being cancelled is enough for no link to be built.
        Booking.objects.filter(pk=booking.pk).update(video_room=room)
        cancelled.refresh_from_db()
    places = [
        client.get(links.manage_path(cancelled)).content.decode(),
        calendar.client_calendar(cancelled, now=timezone.now(), method="CANCEL").decode(),
        feed_text(client),
        admin_page(client, cancelled),
        *(everything_in(message) for message in mail.outbox),
    ]
    assert len(mail.outbox) == 2  # to her and to the practice
    for text in places:
        assert "jwt=" not in text and room not in text and SERVER not in text
    for role in (video.CLIENT, video.THERAPIST):
        assert BookingRules.load().video_url(cancelled, role=role) == ""


def test_no_link_or_token_reaches_a_log_line(site, client, her_caldav, caplog):
    caplog.set_level(logging.DEBUG)
    booking = book(email="anna@example.com")
    target = free_slots("online")[3]
    moved = bookings.reschedule(booking_id=booking.pk, start=target.start, kind="online", now=timezone.now())
    feed_text(client)
    admin_page(client, moved)
    tokens = set().union(*(tokens_in(everything_in(message)) for message in mail.outbox))
    assert len(tokens) == 4  # her and the client's, before and after the move
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # the sending and the calendar writes were logged
    assert "jwt=" not in logged and SERVER not in logged
    for secret in (*tokens, booking.video_room, moved.video_room, SECRET):
        assert secret not in logged


def test_switching_her_server_on_renews_her_feed(transactional_db, client, clock):
    load_initial_content()
    open_every_day()
    load_demo_schedule()
    book(email="anna@example.com")
    feed = AgendaFeed.objects.create()
    first = client.get(feed.get_absolute_url())
    assert "jwt=" not in first.content.decode()
    clock.shift(timedelta(seconds=2))
    set_rules(jitsi_server=SERVER, jitsi_app_id=APP_ID, jitsi_app_secret=SECRET)
    again = client.get(feed.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "jwt=" in again.content.decode()


def test_without_a_server_of_her_own_everyone_gets_the_plain_room_address(transactional_db):
    load_initial_content()
    open_every_day()
    load_demo_schedule()
    booking = book(email="anna@example.com")
    rules = BookingRules.load()
    plain = f"https://video.praktijk.example/kennismaking-{booking.video_room}"
    assert rules.video_url(booking) == rules.video_url(booking, role=video.THERAPIST) == plain
    assert all("jwt=" not in everything_in(message) for message in mail.outbox)
