"""One calendar invite cannot take the site down: hostile calendars are refused within seconds,
in bounded memory, with a plain Dutch message for her, and the last good busy times keep counting.
Reading happens in the background worker only, never in a request of the admin."""

import io
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.calendars import busy_process
from booking.calendars import sync as calendarsync
from booking.domain import busy
from booking.models import BusyPeriod, CalendarSource
from tests.booking import test_own_calendars
from tests.booking.helpers import free_slots
from tests.booking.servers import Route
from tests.booking.test_own_calendars import caldav_source, ics_source, ics_with
from tests.helpers import login_admin, text_of

CALENDARS = Path(__file__).resolve().parent / "calendars"
WINDOW = {"start": datetime(2026, 11, 22, tzinfo=UTC), "end": datetime(2027, 1, 6, tzinfo=UTC)}

EVERY_MINUTE = "In deze agenda staat een afspraak die zich vaker dan één keer per uur herhaalt."
TOO_MANY = "In deze agenda staan zoveel afspraken dat we hem niet kunnen lezen."
TOO_HEAVY = "Het lezen van deze agenda kostte te veel tijd of geheugen"

# The same site and real .ics server as test_own_calendars.py.
site = test_own_calendars.site
ics_server = test_own_calendars.ics_server


def calendar_text(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//NL", *events, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def event(uid: str, start: str, minutes: int = 10, rrule: str = "") -> str:
    first = datetime.strptime(start, "%Y%m%dT%H%M%S")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{first:%Y%m%dT%H%M%S}Z",
        f"DTEND:{first + timedelta(minutes=minutes):%Y%m%dT%H%M%S}Z",
    ]
    return "\r\n".join([*lines, *([f"RRULE:{rrule}"] if rrule else []), "END:VEVENT"])


def sixty_thousand_events() -> bytes:
    """Small events every two minutes from tomorrow on: some 6 MB, under the 10 MB limit."""
    first = datetime(2026, 11, 24, 8, 0)
    return calendar_text(
        *(event(f"e{n}@x", f"{first + timedelta(minutes=2 * n):%Y%m%dT%H%M%S}", minutes=1) for n in range(60_000))
    )


HOSTILE = {
    "secondly": (lambda: (CALENDARS / "secondly.ics").read_bytes(), EVERY_MINUTE),
    "minutely": (lambda: (CALENDARS / "minutely.ics").read_bytes(), EVERY_MINUTE),
    "hourly-byminute": (lambda: (CALENDARS / "hourly_byminute.ics").read_bytes(), EVERY_MINUTE),
    "60000-events": (sixty_thousand_events, TOO_MANY),
}


@pytest.mark.parametrize(("make", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_calendar_is_refused_within_seconds_and_keeps_the_last_good_periods(
    site, ics_server, client, make, message
):
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    source = ics_source(ics_server.url + "/agenda.ics")
    assert calendarsync.sync_source(source, now=timezone.now()) == "read"
    good = list(BusyPeriod.objects.values_list("start", "end"))

    ics_server.routes["/agenda.ics"] = Route(body=make())
    source.refresh_from_db()
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    assert calendarsync.sync_source(source, now=timezone.now()) == "failed"
    seconds = time.monotonic() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory_before) / 1024

    assert seconds < 25, seconds  # generous: the work itself takes well under a second
    assert grown_mb < 100, grown_mb
    source.refresh_from_db()
    assert source.last_error.startswith(message)
    assert "uitnodiging van iemand anders" in source.last_error
    assert list(BusyPeriod.objects.values_list("start", "end")) == good
    assert first.start not in {s.start for s in free_slots("online")}
    assert client.get("/kennismaking/online/").status_code == 200


NONSENSE = {
    "not-xml": Route(status=207, body=b"Dit is geen XML", headers={"Content-Type": "text/xml"}),
    "empty": Route(status=207, body=b"", headers={"Content-Type": "text/xml"}),
    "deep": Route(status=207, body=b"<a>" * 100_000, headers={"Content-Type": "text/xml"}),
}


@pytest.mark.parametrize("route", NONSENSE.values(), ids=NONSENSE.keys())
def test_a_caldav_server_answering_nonsense_fails_only_that_calendar(site, ics_server, route):
    ics_server.routes["/dav/"] = route
    broken = caldav_source(ics_server.url + "/dav/", name="Agenda op een kapotte server")
    first = free_slots("online")[0]
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)))
    fine = ics_source(ics_server.url + "/agenda.ics")  # read after the broken one (by name)

    assert calendarsync.sync_all(now=timezone.now()) == calendarsync.SyncReport(read=1, unchanged=0, failed=1)
    broken.refresh_from_db()
    assert broken.last_error == "De agenda-server gaf geen bruikbaar antwoord. We proberen het later opnieuw."
    assert BusyPeriod.objects.filter(source=fine).count() == 1


# --- What busy.py refuses before it expands anything ------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=SECONDLY;INTERVAL=1800",
        "FREQ=MINUTELY",
        "FREQ=MINUTELY;INTERVAL=59",
        "FREQ=HOURLY;BYMINUTE=0,30",
        "FREQ=HOURLY;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29",
        "FREQ=HOURLY;BYSECOND=0,1",
        "FREQ=DAILY;BYHOUR=9,10;BYMINUTE=0,15",
        "FREQ=DAILY;BYMINUTE=0,30",
        "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0,10,20",
        "freq=minutely",
    ],
)
def test_a_repetition_more_often_than_hourly_is_refused_before_it_is_expanded(rule):
    calendar = busy.parse(calendar_text(event("often@x", "20261124T090000", rrule=rule)))
    with pytest.raises(busy.RepeatsTooOften):
        busy.busy_periods(calendar, **WINDOW, tz=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize(
    ("rule", "count"),
    [
        ("FREQ=HOURLY;COUNT=5", 5),
        ("FREQ=MINUTELY;INTERVAL=60;COUNT=5", 5),
        ("FREQ=SECONDLY;INTERVAL=7200;COUNT=5", 5),
        ("FREQ=DAILY;BYHOUR=9,14;BYMINUTE=30;COUNT=6", 6),
        ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4", 4),
    ],
)
def test_an_hourly_or_slower_repetition_is_read(rule, count):
    calendar = busy.parse(calendar_text(event("fine@x", "20261123T093000", rrule=rule)))
    found = busy.busy_periods(calendar, **WINDOW, tz=ZoneInfo("Europe/Amsterdam"))
    assert len(found) == count


def test_more_occurrences_in_the_window_than_a_real_calendar_has_are_refused():
    tz = ZoneInfo("Europe/Amsterdam")
    start, end = datetime(2026, 11, 22, tzinfo=UTC), datetime(2027, 11, 25, tzinfo=UTC)
    # Every hour for a year fits (8,800 occurrences)...
    one = busy.parse(calendar_text(event("hourly-1@x", "20261122T003000", rrule="FREQ=HOURLY")))
    assert len(busy.busy_periods(one, start=start, end=end, tz=tz)) > 8_000
    # ...two of them do not.
    two = busy.parse(
        calendar_text(
            event("hourly-1@x", "20261122T003000", rrule="FREQ=HOURLY"),
            event("hourly-2@x", "20261122T004500", rrule="FREQ=HOURLY"),
        )
    )
    with pytest.raises(busy.TooManyEvents):
        busy.busy_periods(two, start=start, end=end, tz=tz)


def test_more_events_than_a_real_calendar_has_are_refused_before_parsing():
    many = calendar_text(*(event(f"e{n}@x", "19990101T090000") for n in range(busy.MAX_EVENTS + 1)))
    with pytest.raises(busy.TooManyEvents):
        busy.parse(many)
    # Counted in the text, before parsing: events that cannot even be parsed are counted too.
    broken = b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\nDTSTART:kapot\r\n" * (busy.MAX_EVENTS + 1)
    with pytest.raises(busy.TooManyEvents):
        busy.parse(broken)
    ten = busy.parse(calendar_text(*(event(f"e{n}@x", "19990101T090000") for n in range(10))))
    assert len(ten.walk("VEVENT")) == 10


# --- The child process's own limits -------------------------------------------------------------


def hourly_since_the_year_1000() -> bytes:
    """An ordinary-looking rule that takes half a minute of CPU: every hour since the year 1000."""
    return calendar_text(event("old@x", "10000101T090000", rrule="FREQ=HOURLY"))


def read(texts, limits: busy_process.Limits) -> list[busy.Period]:
    return busy_process.read_periods(
        texts,
        **WINDOW,
        tz="Europe/Amsterdam",
        all_busy=False,
        is_own=calendarsync.own_intakes(),
        limits=limits,
    )


def test_the_child_stops_at_its_cpu_limit():
    started = time.monotonic()
    with pytest.raises(busy_process.TooHeavy):
        read([hourly_since_the_year_1000()], busy_process.Limits(cpu_seconds=2, wall_seconds=120))
    assert time.monotonic() - started < 20


def test_the_child_is_stopped_at_the_wall_clock_limit():
    started = time.monotonic()
    with pytest.raises(busy_process.TooHeavy):
        read([hourly_since_the_year_1000()], busy_process.Limits(cpu_seconds=120, wall_seconds=3))
    assert time.monotonic() - started < 20


def test_the_child_stops_at_its_memory_limit():
    # 5,000 ordinary events need some 80 MB to read; Python and the libraries some 25.
    texts = [calendar_text(*(event(f"e{n}@x", "20261124T090000") for n in range(5_000)))]
    with pytest.raises(busy_process.TooHeavy):
        read(texts, busy_process.Limits(memory_bytes=48 * 1024 * 1024))
    assert len(read(texts, busy_process.Limits())) == 1  # the same, within the ordinary limits


def test_the_child_gives_exactly_the_periods_busy_py_gives():
    texts = [(CALENDARS / "every_case.ics").read_bytes()]
    window = {"start": datetime(2026, 10, 1, tzinfo=UTC), "end": datetime(2026, 12, 31, tzinfo=UTC)}
    for all_busy in (False, True):
        expected = busy.busy_periods(
            busy.parse(texts),
            **window,
            tz=ZoneInfo("Europe/Amsterdam"),
            all_busy=all_busy,
            is_own=calendarsync.is_own_intake,
        )
        found = busy_process.read_periods(
            texts, **window, tz="Europe/Amsterdam", all_busy=all_busy, is_own=calendarsync.own_intakes()
        )
        assert found == expected and len(found) >= 11


# --- "Nu lezen" in the admin only asks the worker ---------------------------------------------


def test_read_now_in_the_admin_queues_the_read_for_the_worker(site, ics_server, client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = free_slots("online")[0]
    # A server that takes its time: the request must not wait for it.
    ics_server.routes["/agenda.ics"] = Route(body=ics_with((first.start, first.end)), delay=1)
    source = ics_source(ics_server.url + "/agenda.ics")
    switched_off = CalendarSource.objects.create(name="Oud", url=ics_server.url + "/uit.ics", is_active=False)
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))

    response = client.post(
        reverse("admin:booking_calendarsource_changelist"),
        {"action": "read_now", "_selected_action": [source.pk, switched_off.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 agenda wordt nu gelezen; ververs deze pagina over een minuut." in text_of(response)
    assert ics_server.requests == []  # nothing was read in the request
    queued = DBTaskResult.objects.filter(task_path="booking.services.tasks.sync_calendar_source", status="READY")
    assert [task.args_kwargs["args"] for task in queued] == [[source.pk]]

    call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())
    source.refresh_from_db()
    assert source.last_success_at is not None and source.busy_count == 1
    assert CalendarSource.objects.get(pk=switched_off.pk).last_attempt_at is None
