"""Every calendar output parses with two independent parsers and says what it should, and never the note."""

import io
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.calendars import ics as calendar
from booking.domain import links
from booking.models import AgendaFeed, Booking
from booking.services import bookings
from booking.services import schedule as schedule_service
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from tests.booking.helpers import (
    book,
    free_slots,
    make_booking_directly,
    manage_link_for,
    open_every_day,
    set_rules,
)
from tests.helpers import login_admin

NOTE = "Ik heb last van paniekaanvallen"


@pytest.fixture
def schedule(db):
    load_initial_content()
    open_every_day()
    load_demo_schedule()  # with the windows above in place, this only sets the video link and address


def parse_both(body: bytes) -> tuple[icalendar.Calendar, list]:
    text = body.decode()
    assert NOTE not in text
    assert "\r\n" in text, "RFC 5545 lines end in CRLF"
    parsed = icalendar.Calendar.from_ical(body)
    other = list(vobject.readComponents(io.StringIO(text)))
    assert len(other) == 1
    events = [c for c in parsed.walk("VEVENT")]
    assert len(events) == len(other[0].contents.get("vevent", []))
    for event, v_event in zip(events, other[0].vevent_list, strict=True):
        assert str(event["uid"]) == v_event.uid.value
        assert event.decoded("dtstart") == v_event.dtstart.value
    return parsed, events


def with_note(**kwargs) -> Booking:
    return book(note=NOTE, note_consent=True, **kwargs)


def test_client_file_has_every_required_property(schedule, client):
    booking = with_note(kind="in_person", slot=free_slots("in_person")[0])
    response = client.get(links.ics_path(booking))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    parsed, [event] = parse_both(response.content)
    assert str(parsed["version"]) == "2.0" and "Praktijkwebsite" in str(parsed["prodid"])
    assert str(event["uid"]) == f"booking-{booking.uuid}@127.0.0.1"
    assert event.decoded("dtstart") == booking.start.astimezone(UTC)
    assert event.decoded("dtend") == booking.end.astimezone(UTC)
    assert event.decoded("dtstart").tzinfo is not None  # never floating
    assert "dtstamp" in event
    assert int(event["sequence"]) == 0
    assert str(event["summary"]) == "Kennismakingsgesprek (in de praktijk)"
    assert "Voorbeeldstraat 12" in str(event["location"])
    assert "Voorbeeldstraat 12" in str(event["description"])
    assert manage_link_for(str(event["description"]), booking)
    assert str(event["status"]) == "CONFIRMED" and str(event["class"]) == "PRIVATE"
    assert "mailto:info@praktijk.example" in str(event["organizer"])


def test_online_event_carries_its_own_video_room(schedule):
    booking = book(kind="online")
    _, [event] = parse_both(calendar.client_calendar(booking, now=timezone.now()))
    assert str(event["summary"]) == "Kennismakingsgesprek (online)"
    assert str(event["location"]) == "Online"
    assert f"https://video.praktijk.example/kennismaking-{booking.video_room}" in str(event["description"])
    assert len(booking.video_room) == 32


def test_uid_is_stable_and_sequence_grows_with_a_change(schedule):
    booking = with_note()
    _, [first] = parse_both(calendar.client_calendar(booking, now=timezone.now()))
    bookings.cancel(booking_id=booking.pk, by_practice=True, now=timezone.now())
    booking.refresh_from_db()
    parsed, [cancelled] = parse_both(calendar.client_calendar(booking, now=timezone.now(), method="CANCEL"))
    assert str(parsed["method"]) == "CANCEL"
    assert cancelled["uid"] == first["uid"]
    assert int(cancelled["sequence"]) > int(first["sequence"])
    assert str(cancelled["status"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        (datetime(2026, 3, 29, 10, 0), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),  # after spring forward
        (datetime(2026, 10, 25, 10, 0), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),  # after fall back
        (datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # first of the repeated hour
    ],
)
def test_times_on_both_dst_sundays(db, local_start, utc_start):
    start = local_start.replace(tzinfo=schedule_service.practice_tz())
    booking = make_booking_directly(start)
    _, [event] = parse_both(calendar.client_calendar(booking, now=timezone.now()))
    assert event.decoded("dtstart") == utc_start
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=20)


def test_practice_feed_shows_name_and_kind_keeps_cancellations_and_never_the_note(schedule, client):
    kept = with_note(name="Anna Feed", email="anna@example.com")
    gone = with_note(name="Bram Weg", email="bram@example.com", slot=free_slots("online")[0])
    bookings.cancel(booking_id=gone.pk, by_practice=True, now=timezone.now())
    old = make_booking_directly(timezone.now() - timedelta(days=40), email="old@example.com")
    recent = make_booking_directly(timezone.now() - timedelta(days=20), email="recent@example.com")
    feed = AgendaFeed.objects.create()
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    _, events = parse_both(response.content)
    by_uid = {str(e["uid"]): e for e in events}
    assert str(by_uid[calendar.uid(kept)]["summary"]) == "Kennismaking Anna Feed (online)"
    assert str(by_uid[calendar.uid(kept)]["status"]) == "CONFIRMED"
    assert str(by_uid[calendar.uid(gone)]["status"]) == "CANCELLED"
    assert calendar.uid(recent) in by_uid and calendar.uid(old) not in by_uid
    assert "private" in response["Cache-Control"]


def test_feed_token_rotation_and_revocation(schedule, client):
    first = AgendaFeed.objects.create()
    assert client.get(first.get_absolute_url()).status_code == 200
    assert client.get("/agenda/raden-lukt-niet.ics").status_code == 404
    user = get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord")
    login_admin(client, user)
    client.post(reverse("admin:booking_agendafeed_changelist"), {"action": "renew", "_selected_action": [first.pk]})
    client.logout()
    second = AgendaFeed.current()
    assert second.token != first.token and len(second.token) >= 40
    assert client.get(first.get_absolute_url()).status_code == 404
    assert client.get(second.get_absolute_url()).status_code == 200
    second.is_active = False
    second.save()
    assert client.get(second.get_absolute_url()).status_code == 404


def test_feed_answers_conditional_requests_with_304(schedule, client):
    feed = AgendaFeed.objects.create()
    book(email="a@example.com")
    response = client.get(feed.get_absolute_url())
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(feed.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(feed.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    book(free_slots("online")[0], email="b@example.com")
    changed = client.get(feed.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def _validators(client, feed) -> tuple[str, str]:
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    return response["ETag"], response["Last-Modified"]


def _still_fresh(client, feed, etag, modified) -> list[bool]:
    return [
        client.get(feed.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304,
        client.get(feed.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304,
    ]


def test_marking_an_intake_held_or_no_show_changes_both_validators(schedule, client, clock):
    feed = AgendaFeed.objects.create()
    held, absent = book(email="a@example.com"), book(free_slots("online")[0], email="b@example.com")
    clock.move_to(absent.start + timedelta(hours=1))
    etag, modified = _validators(client, feed)
    assert _still_fresh(client, feed, etag, modified) == [True, True]
    clock.shift(timedelta(seconds=2))
    bookings.set_status(booking_ids=[held.pk], status="completed", now=timezone.now())
    assert _still_fresh(client, feed, etag, modified) == [False, False]
    etag, modified = _validators(client, feed)
    clock.shift(timedelta(seconds=2))
    bookings.set_status(booking_ids=[absent.pk], status="no_show", now=timezone.now())
    assert _still_fresh(client, feed, etag, modified) == [False, False]


def test_erasing_a_booking_changes_both_validators(schedule, client, clock):
    from booking.services import privacy

    feed = AgendaFeed.objects.create()
    book(email="blijft@example.com")
    book(free_slots("online")[0], email="weg@example.com", name="Weg Ermee")
    etag, modified = _validators(client, feed)
    clock.shift(timedelta(seconds=2))
    privacy.erase("weg@example.com")
    assert _still_fresh(client, feed, etag, modified) == [False, False]
    assert b"Weg Ermee" not in client.get(feed.get_absolute_url()).content


def test_anonymising_changes_both_validators(schedule, client, clock):
    from booking.services import privacy

    feed = AgendaFeed.objects.create()
    booking = book(email="later@example.com", name="Later Weg")
    clock.move_to(booking.start + timedelta(days=10))
    etag, modified = _validators(client, feed)
    set_rules(retention_days=5)
    clock.shift(timedelta(seconds=2))
    privacy.purge(now=timezone.now())
    assert _still_fresh(client, feed, etag, modified) == [False, False]


def test_agenda_url_command_prints_the_current_address(db, capsys):
    call_command("agenda_url")
    url = capsys.readouterr().out.strip()
    feed = AgendaFeed.current()
    assert url == f"http://127.0.0.1:8000/agenda/{feed.token}.ics"
    call_command("agenda_url")
    assert capsys.readouterr().out.strip() == url


def test_admin_exports_selected_bookings_as_one_file(schedule, client):
    one = with_note(email="a@example.com")
    two = with_note(email="b@example.com", slot=free_slots("online")[0])
    user = get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord")
    login_admin(client, user)
    response = client.post(
        reverse("admin:booking_booking_changelist"), {"action": "export_ics", "_selected_action": [one.pk, two.pk]}
    )
    assert response["Content-Type"].startswith("text/calendar")
    _, events = parse_both(response.content)
    assert {str(e["uid"]) for e in events} == {calendar.uid(one), calendar.uid(two)}


def test_adding_a_subscription_in_the_admin_replaces_the_old_address(db, client):
    old = AgendaFeed.objects.create()
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    assert client.get(reverse("admin:booking_agendafeed_changelist")).status_code == 200
    response = client.post(reverse("admin:booking_agendafeed_add"), {"is_active": "on"})
    assert response.status_code == 302
    new = AgendaFeed.current()
    assert new.pk != old.pk
    old.refresh_from_db()
    assert not old.is_active
    assert client.get(reverse("admin:booking_agendafeed_change", args=[new.pk])).status_code == 200
