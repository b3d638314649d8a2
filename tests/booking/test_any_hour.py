"""The whole booking flow works whatever the day and hour: the weekend, a weekday evening
after the last time of the week, and both DST Sundays, with the demo schedule a new site has."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from booking.models import Booking
from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content
from tests.helpers import soup, text_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MOMENTS = {
    "saturday-evening": datetime(2026, 11, 28, 18, 0, tzinfo=AMSTERDAM),
    "sunday-morning": datetime(2026, 11, 29, 9, 0, tzinfo=AMSTERDAM),
    "wednesday-night": datetime(2026, 11, 25, 21, 0, tzinfo=AMSTERDAM),
    "spring-forward-sunday": datetime(2026, 3, 29, 3, 30, tzinfo=AMSTERDAM),
    "fall-back-sunday": datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM),
}


@pytest.fixture
def demo_site(db):
    load_initial_content()
    load_demo_schedule()


@pytest.mark.parametrize("kind_link", ["Online", "In de praktijk"])
@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_start_week_details_confirmation_at_any_hour(demo_site, client, clock, moment, kind_link):
    clock.move_to(moment)
    start = soup(client.get("/kennismaking/"))
    kind_url = start.find("a", string=lambda text: text and text.strip() == kind_link)
    kind_url = (
        kind_url["href"]
        if kind_url
        else start.find(lambda tag: tag.name == "a" and kind_link in tag.get_text())["href"]
    )

    week = client.get(kind_url)
    assert week.status_code == 200
    times = soup(week).select("section.day a.time")
    assert times, f"the week page shows no time at {moment}"

    details = client.get(times[0]["href"])
    assert details.status_code == 200 and "Dit tijdstip kun je niet" not in text_of(details)
    response = client.post(
        times[0]["href"],
        {
            "name": "Zoë d'Óliveira, jr.",
            "email": "zoe@example.com",
            "phone": "",
            "note": "",
            "privacy": "on",
            "website": "",
            "request_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302, text_of(response)
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert "Je kennismaking is geboekt" in text_of(confirmation)
    assert Booking.objects.get().start > moment


def test_times_in_the_repeated_october_hour_can_be_booked(db, client, clock):
    from datetime import time

    from booking.models import WeeklyWindow

    load_initial_content()
    WeeklyWindow.objects.create(weekday=6, start_time=time(1, 0), end_time=time(4, 0), offers_in_person=False)
    clock.move_to(datetime(2026, 10, 22, 12, 0, tzinfo=AMSTERDAM))
    page = soup(client.get("/kennismaking/online/?week=2026-10-19"))
    links = {a.get_text(strip=True): a["href"] for a in page.select("section.day a.time")}
    assert {"01:00", "01:30", "02:00", "02:30", "03:00", "03:30"} <= set(links)
    for number, label in enumerate(["02:00", "02:30", "03:00"]):
        response = client.post(
            links[label],
            {
                "name": "Nacht",
                "email": f"nacht{number}@example.com",
                "privacy": "on",
                "request_token": str(uuid.uuid4()),
            },
        )
        assert response.status_code == 302, (label, text_of(response)[:400])
    booked = sorted(b.start.astimezone(AMSTERDAM).strftime("%H:%M %Z") for b in Booking.objects.all())
    assert booked == ["02:00 CEST", "02:30 CEST", "03:00 CET"]
