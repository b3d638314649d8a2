"""Her own calendars decide, read from real servers on loopback: an HTTP server for .ics addresses
and Radicale for CalDAV. Nothing of the calendar side is mocked."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.calendars import ics as calendar
from booking.calendars import sync as calendarsync
from booking.models import BusyPeriod, CalendarSource, OutgoingEmail
from booking.public import choice
from booking.services import bookings, outbox
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, open_every_day
from tests.booking.servers import PASSWORD, USER, IcsServer, Radicale, Route
from tests.booking.test_busy import EVERY_CASE
from tests.helpers import admin_form_data, login_admin, soup, text_of

TZ = ZoneInfo("Europe/Amsterdam")
CALENDARS = Path(__file__).resolve().parent / "calendars"


def ics_with(*events: tuple[datetime, datetime], uid_prefix="e") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Test//NL")
    cal.add("version", "2.0")
    for number, (start, end) in enumerate(events):
        event = icalendar.Event()
        event.add("uid", f"{uid_prefix}{number}@test")
        event.add("summary", "Cliënt Jansen, paniekklachten")
        event.add("dtstart", start)
        event.add("dtend", end)
        cal.add_component(event)
    return cal.to_ical()


def split_by_uid(ics: bytes) -> list[str]:
    """A file's events as CalDAV objects: one per UID, with its overrides and the timezones."""
    source = icalendar.Calendar.from_ical(ics)
    timezones = [c for c in source.subcomponents if c.name == "VTIMEZONE"]
    by_uid = {}
    for component in source.walk("VEVENT"):
        by_uid.setdefault(str(component["uid"]), []).append(component)
    objects = []
    for components in by_uid.values():
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Test//NL")
        cal.add("version", "2.0")
        for component in [*timezones, *components]:
            cal.add_component(component)
        objects.append(cal.to_ical().decode())
    return objects


@pytest.fixture
def ics_server():
    server = IcsServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()


@pytest.fixture
def site(transactional_db, settings):
    settings.CALENDAR_ALLOW_LOOPBACK = True
    settings.CALENDAR_READ_TIMEOUT = 2
    load_initial_content()
    open_every_day()


def ics_source(url: str, **fields) -> CalendarSource:
    return CalendarSource.objects.create(name="Google-agenda", kind="ics", url=url, **fields)


def caldav_source(url: str, **fields) -> CalendarSource:
    values = {"name": "Nextcloud", "kind": "caldav", "url": url, "username": USER, "password": PASSWORD}
    return CalendarSource.objects.create(**{**values, **fields})


# --- .ics addresses ----------------------------------------------------------------------------


def test_a_busy_event_hides_the_times_it_touches_and_the_agenda_says_why(site, ics_server, client):
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    call_command("sync_calendars")

    source.refresh_from_db()
    assert source.busy_count == 1 and source.last_success_at is not None and source.last_error == ""
    offered = {s.start for s in free_slots("online")}
    assert first.start not in offered
    # The pause after her own appointment counts too: 10 minutes after it, nothing starts.
    assert all(
        not (first.start - timedelta(minutes=30) < s.start < first.end + timedelta(minutes=10)) for s in free_slots()
    )
    week = client.get(f"/kennismaking/online/?week={first.start.date().isoformat()}")
    assert choice.slot_url(first.start, "online") not in week.content.decode()

    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    agenda = soup(client.get(reverse("admin:booking_agenda")))
    hidden = [li.get_text(" ", strip=True) for li in agenda.select("li.own-busy")]
    assert f"{timezone.localtime(first.start):%H:%M} bezet in je eigen agenda" in hidden
    # Only when and how long: nothing of what the event was about is stored anywhere.
    assert "Jansen" not in str(list(BusyPeriod.objects.values())) and "Jansen" not in agenda.get_text()


def test_an_unchanged_address_answers_304_and_keeps_its_periods(site, ics_server):
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    assert calendarsync.sync_source(source, now=timezone.now()) == "read"
    source.refresh_from_db()
    assert calendarsync.sync_source(source, now=timezone.now()) == "unchanged"
    assert ics_server.requests[-1]["If-None-Match"] == source.etag
    assert BusyPeriod.objects.count() == 1


def free_and_busy(free: tuple[datetime, datetime], taken: tuple[datetime, datetime]) -> bytes:
    """One appointment marked free (TRANSP:TRANSPARENT) and one that makes her busy."""
    cal = icalendar.Calendar.from_ical(ics_with(free, taken))
    cal.walk("VEVENT")[0].add("transp", "TRANSPARENT")
    return cal.to_ical()


def test_counting_every_appointment_as_busy_in_the_admin_reads_the_calendar_whole_again(
    site, ics_server, client, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    free, taken = free_slots("online")[0], free_slots("online")[6]
    ics_server.routes["/agenda.ics"] = Route(body=free_and_busy((free.start, free.end), (taken.start, taken.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    call_command("sync_calendars")
    call_command("sync_calendars")
    assert ics_server.requests[-1]["If-None-Match"]  # the server answered 304: nothing changed there
    assert list(BusyPeriod.objects.values_list("start", flat=True)) == [taken.start]

    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    url = reverse("admin:booking_calendarsource_change", args=[source.pk])
    form = admin_form_data(client, url, "calendarsource_form")
    assert "all_busy" not in form
    assert client.post(url, {**form, "all_busy": "on"}).status_code == 302

    call_command("sync_calendars")
    assert "If-None-Match" not in ics_server.requests[-1]  # read whole, not "has it changed?"
    assert sorted(BusyPeriod.objects.values_list("start", flat=True)) == [free.start, taken.start]
    assert free.start not in {s.start for s in free_slots("online")}


@pytest.mark.parametrize(
    "change",
    [
        {"all_busy": True},
        {"url": "https://agenda.example/nieuw.ics"},
        {"kind": "caldav", "username": "praktijk"},
        {"username": "iemand-anders"},
    ],
    ids=["all_busy", "url", "kind", "username"],
)
def test_a_change_in_how_a_source_is_read_forgets_its_etag_however_it_is_saved(site, change):
    source = ics_source("https://agenda.example/a.ics", username="praktijk", etag='"v1"', last_modified="gisteren")
    for field, value in change.items():
        setattr(source, field, value)
    source.save(update_fields=list(change))
    source.refresh_from_db()
    assert (source.etag, source.last_modified) == ("", "")

    # A new name, or switching it off and on, says nothing about what the calendar holds.
    CalendarSource.objects.filter(pk=source.pk).update(etag='"v2"', last_modified="vandaag")
    source.refresh_from_db()
    source.name, source.is_active = "Andere naam", False
    source.save()
    source.refresh_from_db()
    assert (source.etag, source.last_modified) == ('"v2"', "vandaag")


def test_a_read_that_began_before_her_change_stores_nothing(site, ics_server):
    free, taken = free_slots("online")[0], free_slots("online")[6]
    ics_server.routes["/agenda.ics"] = Route(body=free_and_busy((free.start, free.end), (taken.start, taken.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    being_read = CalendarSource.objects.get(pk=source.pk)  # the worker's copy, from before her change
    source.all_busy = True
    source.save()

    assert calendarsync.sync_source(being_read, now=timezone.now()) == "unchanged"
    source.refresh_from_db()
    assert source.etag == "" and not BusyPeriod.objects.exists()
    # The read her change queued stores the periods that follow the new setting.
    assert calendarsync.sync_source(source, now=timezone.now()) == "read"
    assert sorted(BusyPeriod.objects.values_list("start", flat=True)) == [free.start, taken.start]


def test_webcal_addresses_are_read_as_https_and_saved_that_way(site, client):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    response = client.post(
        reverse("admin:booking_calendarsource_add"),
        {"name": "iCloud", "kind": "ics", "url": "webcal://p12-caldav.icloud.com/published/2/abc", "is_active": "on"},
    )
    assert response.status_code == 302
    assert CalendarSource.objects.get().url == "https://p12-caldav.icloud.com/published/2/abc"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=500), "foutmelding (code 500)"),
        (Route(body=b"<html>Log in bij Google</html>"), "geen agenda die we kunnen lezen"),
        (Route(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261201T0900"), "geen agenda"),
        (Route(size=50 * 1024 * 1024), "te groot"),
        (Route(body=b"", delay=4), "niet op tijd"),
        (Route(status=302, headers={"Location": "http://10.20.30.40/agenda.ics"}), "intern netwerk"),
        (Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}), "intern netwerk"),
        (Route(status=404), "geen agenda (meer)"),
    ],
    ids=["500", "html", "broken", "50MB", "timeout", "redirect-private", "redirect-metadata", "404"],
)
def test_a_failing_address_keeps_its_last_good_periods_and_says_why(site, ics_server, route, message, client):
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    assert calendarsync.sync_source(source, now=timezone.now()) == "read"
    good = list(BusyPeriod.objects.values_list("start", "end"))

    ics_server.routes["/agenda.ics"] = route
    source.refresh_from_db()
    source.etag = ""
    assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    source.refresh_from_db()
    assert message in source.last_error
    assert list(BusyPeriod.objects.values_list("start", "end")) == good
    assert first.start not in {s.start for s in free_slots("online")}
    # A broken source never breaks a page.
    assert client.get("/kennismaking/online/").status_code == 200


def test_private_and_loopback_addresses_are_refused_in_production(site, ics_server, settings):
    settings.CALENDAR_ALLOW_LOOPBACK = False
    for url in [ics_server.url + "/agenda.ics", "http://10.0.0.8/a.ics", "http://[::1]/a.ics", "file:///etc/passwd"]:
        source = ics_source(url)
        assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
        source.refresh_from_db()
        assert "intern netwerk" in source.last_error or "https://" in source.last_error, url
    assert ics_server.requests == []


def test_a_day_of_failures_warns_on_the_agenda_page(site, ics_server, client, clock):
    ics_server.routes["/agenda.ics"] = Route(status=500)
    source = ics_source(ics_server.url + "/agenda.ics")
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    calendarsync.sync_source(source, now=timezone.now())
    assert "al een dag niet worden gelezen" not in text_of(client.get(reverse("admin:booking_agenda")))
    clock.shift(timedelta(hours=25))
    calendarsync.sync_source(source, now=timezone.now())
    login_admin(client, get_user_model().objects.get(username="t"))  # the old session has ended
    text = text_of(client.get(reverse("admin:booking_agenda")))
    assert "al een dag niet worden gelezen" in text and "Google-agenda" in text


def test_a_booking_that_now_clashes_is_flagged_for_her(site, ics_server, client):
    booking = book(email="anna@example.com", name="Anna Botsing")
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((booking.start - timedelta(minutes=5), booking.end)))
    ics_source(ics_server.url + "/agenda.ics")
    call_command("sync_calendars")
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    listing = soup(client.get(reverse("admin:booking_booking_changelist")))
    assert "botst met uw eigen agenda" in listing.select_one("td.field-attention").get_text()
    agenda = text_of(client.get(reverse("admin:booking_agenda")))
    assert "Anna Botsing" in agenda and "botst met je eigen agenda" in agenda


# --- CalDAV ------------------------------------------------------------------------------------


def test_caldav_every_case_is_read_from_radicale(site, radicale, clock):
    clock.move_to(datetime(2026, 10, 15, 14, 0, tzinfo=TZ))
    name = "alles-" + str(id(clock))
    radicale.calendar(name, split_by_uid((CALENDARS / "every_case.ics").read_bytes()))
    radicale.calendar(name + "-leeg")
    source = caldav_source(radicale.url)  # the account: every calendar in it
    assert calendarsync.sync_source(source, now=timezone.now()) == "read", source.last_error
    stored = list(BusyPeriod.objects.order_by("start").values_list("start", "end"))
    start, end = calendarsync.window(timezone.now())
    expected = [(max(s, start), min(e, end)) for s, e in EVERY_CASE if s < end and e > start]
    # Other tests' calendars in the same account may add periods; every case must be there.
    assert set(expected) <= set(stored)


def test_caldav_with_a_wrong_password_says_so(site, radicale):
    source = caldav_source(radicale.url, password="fout")
    assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    source.refresh_from_db()
    assert source.last_error == "De gebruikersnaam of het app-wachtwoord klopt niet."
    assert "fout" not in source.last_error


def test_the_password_is_never_shown_again(site, client):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    source = caldav_source("https://caldav.example/dav/", password="Zeer-Geheim-42")
    page = client.get(reverse("admin:booking_calendarsource_change", args=[source.pk])).content.decode()
    assert "Zeer-Geheim-42" not in page
    # Saving without typing it again keeps it.
    response = client.post(
        reverse("admin:booking_calendarsource_change", args=[source.pk]),
        {
            "name": "Nieuwe naam",
            "kind": "caldav",
            "url": source.url,
            "username": USER,
            "password": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.password == "Zeer-Geheim-42" and source.name == "Nieuwe naam"


def intake_events(radicale, calendar_url: str, booking) -> list:
    found = []
    for text in radicale.events(calendar_url):
        for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
            if str(event["uid"]) == calendar.uid(booking):
                found.append(event)
    return found


def test_intakes_are_written_into_her_caldav_calendar_and_never_block_themselves(site, radicale):
    target = radicale.calendar("praktijk-doel")
    caldav_source(target, write_intakes=True)
    booking = book(email="anna@example.com", name="Anna Agenda", note="privé", note_consent=True)
    [event] = intake_events(radicale, target, booking)
    assert int(event["sequence"]) == 0 and str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == booking.start.astimezone(UTC)
    assert "Anna Agenda" in str(event["summary"]) and "privé" not in event.to_ical().decode()

    # Read back as busy time, our own intake does not block its own slot or a reschedule.
    call_command("sync_calendars")
    assert not BusyPeriod.objects.exists()

    target_slot = free_slots("in_person")[5]
    moved = bookings.reschedule(booking_id=booking.pk, start=target_slot.start, kind="in_person", now=timezone.now())
    [event] = intake_events(radicale, target, moved)
    assert int(event["sequence"]) == 1 and event.decoded("dtstart") == target_slot.start.astimezone(UTC)

    cancelled = bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    [event] = intake_events(radicale, target, cancelled)
    assert int(event["sequence"]) == 2 and str(event["status"]) == "CANCELLED"
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_write_while_her_server_is_down_arrives_once_it_is_back(site, tmp_path, clock):
    server = Radicale(tmp_path / "radicale").start()
    try:
        target = server.calendar("praktijk")
        caldav_source(target, write_intakes=True)
        server.stop()
        booking = book(email="anna@example.com")
        write = OutgoingEmail.objects.get(kind="own_calendar")
        assert write.sent_at is None and write.attempts == 1 and write.last_error
        assert booking.pk  # the booking itself is made, whatever her server does

        server.start()
        clock.shift(timedelta(minutes=2))
        outbox.retry_due(now=timezone.now())
        write.refresh_from_db()
        assert write.sent_at is not None
        [event] = intake_events(server, target, booking)
        assert int(event["sequence"]) == 0
    finally:
        server.stop()


def test_erasure_and_anonymisation_reach_her_calendar_too(site, radicale, clock):
    from booking.services import privacy

    target = radicale.calendar("praktijk-wissen")
    caldav_source(target, write_intakes=True)
    erased = book(email="weg@example.com", name="Weg Ermee")
    kept = book(free_slots("online")[3], email="oud@example.com", name="Oud Gesprek")
    assert intake_events(radicale, target, erased) and intake_events(radicale, target, kept)

    privacy.erase("weg@example.com")
    assert intake_events(radicale, target, erased) == []

    clock.move_to(kept.end + timedelta(days=100))
    privacy.purge(now=timezone.now())
    [event] = intake_events(radicale, target, kept)
    assert "Oud Gesprek" not in event.to_ical().decode()


def test_marking_an_intake_held_updates_her_calendar(site, radicale, clock):
    target = radicale.calendar("praktijk-gehouden")
    caldav_source(target, write_intakes=True)
    booking = book(email="anna@example.com")
    clock.move_to(booking.end + timedelta(minutes=5))
    assert bookings.set_status(booking_ids=[booking.pk], status="completed", now=timezone.now()) == 1
    [event] = intake_events(radicale, target, booking)
    assert int(event["sequence"]) == 1 and str(event["description"]).startswith("Gehouden.")
