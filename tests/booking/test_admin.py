"""The therapist's booking admin: availability, exceptions, rules, agenda, bookings and actions."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, BookingRules, ScheduleException, WeeklyWindow
from tests.booking.helpers import book, free_slots, make_booking_directly, open_every_day
from tests.helpers import login_admin, soup, text_of


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    login_admin(client, user)
    open_every_day()
    return client


@pytest.mark.parametrize("model", [WeeklyWindow, ScheduleException])
def test_availability_pages_load(admin_client, model):
    ScheduleException.objects.create(type="closed", first_day=timezone.now().date(), reason="vakantie")
    name = model._meta.model_name
    assert admin_client.get(reverse(f"admin:booking_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:booking_{name}_add")).status_code == 200
    first = model.objects.first()
    assert admin_client.get(reverse(f"admin:booking_{name}_change", args=[first.pk])).status_code == 200


def test_adding_a_weekly_window_with_times_backwards_gets_a_dutch_message(admin_client):
    before = WeeklyWindow.objects.count()
    response = admin_client.post(
        reverse("admin:booking_weeklywindow_add"),
        {
            "weekday": 2,
            "start_time": "12:00",
            "end_time": "09:00",
            "offers_online": "on",
        },
    )
    assert response.status_code == 200
    assert "De eindtijd moet na de begintijd liggen." in response.content.decode()
    assert WeeklyWindow.objects.count() == before


def test_adding_a_window_without_a_kind_gets_a_dutch_message(admin_client):
    response = admin_client.post(
        reverse("admin:booking_weeklywindow_add"),
        {
            "weekday": 2,
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )
    assert "Kies online, in de praktijk, of allebei." in response.content.decode()


def test_adding_a_closed_range_removes_its_days_for_clients(admin_client, client):
    day = free_slots("online")[0].start.date()
    response = admin_client.post(
        reverse("admin:booking_scheduleexception_add"),
        {
            "type": "closed",
            "first_day": day.strftime("%d-%m-%Y"),
            "last_day": (day + timedelta(days=2)).strftime("%d-%m-%Y"),
            "reason": "ziek",
            "offers_online": "on",
            "offers_in_person": "on",
        },
    )
    assert response.status_code == 302, soup(response).select(".errorlist")
    assert all(not (day <= s.start.date() <= day + timedelta(days=2)) for s in free_slots())


def test_an_extra_moment_needs_times(admin_client):
    response = admin_client.post(
        reverse("admin:booking_scheduleexception_add"),
        {
            "type": "extra",
            "first_day": "01-06-2030",
            "offers_online": "on",
        },
    )
    assert "Een extra moment is op één dag en heeft een begin- en eindtijd." in response.content.decode()


def test_rules_open_straight_in_their_form_and_save(admin_client):
    rules = BookingRules.objects.get()
    response = admin_client.get(reverse("admin:booking_bookingrules_changelist"))
    assert response["Location"] == reverse("admin:booking_bookingrules_change", args=[rules.pk])
    response = admin_client.post(
        response["Location"],
        {
            "slot_minutes": 30,
            "buffer_minutes": 15,
            "min_notice_hours": 48,
            "horizon_days": 28,
            "max_per_day": 3,
            "cancel_hours": 24,
            "retention_days": 90,
            "question_retention_days": 30,
            "hold_hours": 2,
            "waitlist_days": 60,
            "video_link_template": "https://video.example/kamer-{room}",
            "practice_address": "Straat 1",
        },
    )
    assert response.status_code == 302
    rules.refresh_from_db()
    assert (rules.slot_minutes, rules.max_per_day) == (30, 3)
    assert rules.video_link_template == "https://video.example/kamer-{room}"
    assert all(s.end - s.start == timedelta(minutes=30) for s in free_slots())


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("https://video.example/vaste-kamer", "Zet {room} in het adres"),
        ("http://video.example/{room}", "https://"),
    ],
)
def test_a_single_shared_video_room_is_refused(admin_client, template, message):
    rules = BookingRules.objects.get()
    response = admin_client.post(
        reverse("admin:booking_bookingrules_change", args=[rules.pk]),
        {
            "slot_minutes": 20,
            "buffer_minutes": 10,
            "min_notice_hours": 24,
            "horizon_days": 42,
            "cancel_hours": 24,
            "retention_days": 90,
            "question_retention_days": 30,
            "hold_hours": 2,
            "waitlist_days": 60,
            "video_link_template": template,
            "practice_address": "Straat 1",
        },
    )
    assert response.status_code == 200
    assert message in text_of(response)
    rules.refresh_from_db()
    assert rules.video_link_template != template


def test_agenda_shows_free_and_booked_slots_closed_days_and_links(admin_client):
    booking = book(name="Anna Agenda", email="anna@example.com")
    closed_day = booking.start.date() + timedelta(days=2)
    ScheduleException.objects.create(type="closed", first_day=closed_day, reason="studiedag")
    assert admin_client.get(reverse("admin:booking_agenda_changelist")).status_code == 302
    response = admin_client.get(reverse("admin:booking_agenda"))
    assert response.status_code == 200
    page = soup(response)
    assert page.find(
        "a", href=reverse("admin:booking_booking_change", args=[booking.pk]), string=lambda s: "Anna Agenda" in s
    )
    # The booked time shows as the booking, the next free time as "vrij", and nothing else
    # on the booked day is marked free at the booked time.
    booked_row = page.find("a", href=reverse("admin:booking_booking_change", args=[booking.pk])).find_parent("tr")
    free_items = [li.get_text(" ", strip=True) for li in booked_row.select("li.free")]
    booked_time = timezone.localtime(booking.start).strftime("%H:%M")
    assert not any(item.startswith(booked_time) for item in free_items)
    next_free = next(
        s for s in free_slots() if timezone.localtime(s.start).date() == timezone.localtime(booking.start).date()
    )
    assert f"{timezone.localtime(next_free.start):%H:%M} vrij (online, praktijk)" in free_items
    closed_row = page.find(
        "th", string=lambda t: t and closed_day.strftime("%-d") in t and "studiedag" in t.find_parent("tr").get_text()
    )
    assert closed_row is not None and not closed_row.find_parent("tr").select("li.free")


def test_bookings_list_upcoming_first_with_filters_and_search(admin_client):
    later = book(free_slots("online")[5], email="later@example.com", name="Later")
    sooner = book(free_slots("online")[0], email="eerder@example.com", name="Eerder")
    past = make_booking_directly(timezone.now() - timedelta(days=3), email="oud@example.com")
    page = soup(admin_client.get(reverse("admin:booking_booking_changelist")))
    names = [cell.get_text(strip=True) for cell in page.select("td.field-name")]
    assert names == ["Eerder", "Later"]
    assert past.name not in names
    everything = text_of(admin_client.get(reverse("admin:booking_booking_changelist") + "?wanneer=alle"))
    assert "Direct" in everything
    found = soup(admin_client.get(reverse("admin:booking_booking_changelist") + "?wanneer=alle&q=later@example"))
    assert [c.get_text(strip=True) for c in found.select("td.field-name")] == ["Later"]
    for query in ("status__exact=confirmed", "kind__exact=online", f"start__year={sooner.start.year}"):
        assert admin_client.get(reverse("admin:booking_booking_changelist") + "?" + query).status_code == 200
    assert admin_client.get(reverse("admin:booking_booking_change", args=[later.pk])).status_code == 200


@pytest.mark.parametrize(
    ("action", "when", "expected"),
    [
        ("cancel_by_practice", "future", "cancelled_practice"),
        ("mark_completed", "past", "completed"),
        ("mark_no_show", "past", "no_show"),
        ("mark_completed", "future", "confirmed"),
    ],
)
def test_each_action(admin_client, action, when, expected):
    if when == "future":
        booking = book(email="a@example.com")
    else:
        booking = make_booking_directly(timezone.now() - timedelta(days=1))
    response = admin_client.post(
        reverse("admin:booking_booking_changelist") + "?wanneer=alle",
        {"action": action, "_selected_action": [booking.pk], "apply": "1"},
        follow=True,
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == expected


def test_cancelling_frees_the_slot_for_clients(admin_client):
    slot = free_slots("online")[0]
    booking = book(slot, email="a@example.com")
    admin_client.post(
        reverse("admin:booking_booking_changelist"),
        {"action": "cancel_by_practice", "_selected_action": [booking.pk], "apply": "1"},
    )
    assert slot.start in {s.start for s in free_slots("online")}


def test_every_booking_admin_field_has_a_dutch_label_and_help(db):
    for model in (WeeklyWindow, ScheduleException, BookingRules):
        for field in model._meta.get_fields():
            if not getattr(field, "editable", False) or field.auto_created or field.name == "id":
                continue
            assert field.verbose_name != field.name.replace("_", " "), (model, field.name)
            assert field.help_text, (model, field.name)
    assert Booking._meta.verbose_name == "kennismakingsgesprek"


def test_cancelling_from_the_admin_asks_first_and_sends_her_message(admin_client, django_capture_on_commit_callbacks):
    from django.core import mail

    booking = book(email="a@example.com")
    url = reverse("admin:booking_booking_changelist")
    page = admin_client.post(url, {"action": "cancel_by_practice", "_selected_action": [booking.pk]})
    assert page.status_code == 200 and "Persoonlijk bericht aan de cliënt" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url,
            {
                "action": "cancel_by_practice",
                "_selected_action": [booking.pk],
                "apply": "1",
                "message": "Ik ben ziek, sorry.",
            },
        )
    booking.refresh_from_db()
    assert booking.status == "cancelled_practice"
    [client_mail] = [m for m in mail.outbox if m.to == ["a@example.com"]]
    assert "Ik ben ziek, sorry." in client_mail.body


def test_two_upcoming_intakes_on_one_address_are_flagged_for_the_therapist(admin_client):
    book(email="anna@example.com", name="Anna Eerste")
    book(free_slots("online")[2], email="ANNA@example.com", name="Anna Tweede")
    book(free_slots("online")[4], email="bram@example.com", name="Bram Alleen")
    listing = reverse("admin:booking_booking_changelist")
    rows = {
        row.find("th").get_text(strip=True) + row.get_text(" ", strip=True): row
        for row in soup(admin_client.get(listing)).select("#result_list tbody tr")
    }
    flagged = {
        key
        for key, row in rows.items()
        if "ook een ander gesprek op dit e-mailadres" in row.select_one("td.field-attention").get_text()
    }
    assert len(rows) == 3 and len(flagged) == 2 and not any("Bram" in key for key in flagged)
    only = text_of(admin_client.get(listing + "?adres=meer"))
    assert "Anna Eerste" in only and "Anna Tweede" in only and "Bram Alleen" not in only
