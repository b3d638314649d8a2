"""The admin opens on her day, with her sections first and in her words."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.models import OutgoingEmail
from content.initial_content import load_initial_content
from practice.models import StaffLogin
from tests.booking.helpers import book, free_slots, make_booking_directly, open_every_day
from tests.helpers import login_admin, soup, text_of


@pytest.fixture
def therapist(db):
    load_initial_content()
    open_every_day()
    return get_user_model().objects.create_superuser("therapeut", "t@example.com", "een-lang-wachtwoord")


def sections(client) -> list[str]:
    page = soup(client.get(reverse("admin:index")))
    return [caption.get_text(" ", strip=True) for caption in page.select("#content-main .module caption")]


def test_her_sections_come_first_and_technical_ones_last_for_superusers_only(client, therapist):
    login_admin(client, therapist)
    names = sections(client)
    assert names[:3] == ["Kennismakingsgesprekken", "Beschikbaarheid", "Website"]
    assert names[-1] == "Technisch (alleen voor beheerders)"
    text = text_of(client.get(reverse("admin:index")))
    assert "Authenticator-apps" in text and "TOTP devices" not in text and "Task Results" not in text

    editor = get_user_model().objects.create_user("redactie", "r@example.com", "een-lang-wachtwoord", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="content"))
    client.logout()
    login_admin(client, editor)
    assert sections(client) == ["Website"]


def test_the_start_page_shows_her_coming_intakes_with_links(client, therapist):
    login_admin(client, therapist)
    soon = book(free_slots("online")[0], email="anna@example.com", name="Anna Binnenkort")
    later = make_booking_directly(timezone.now() + timedelta(days=12), email="later@example.com")
    page = soup(client.get(reverse("admin:index")))
    block = page.find("section", attrs={"aria-labelledby": "dash-intakes"})
    link = block.find("a", href=reverse("admin:booking_booking_change", args=[soon.pk]))
    assert (
        link
        and "Anna Binnenkort" in link.get_text()
        and timezone.localtime(soon.start).strftime("%H:%M") in link.get_text()
    )
    assert not block.find("a", href=reverse("admin:booking_booking_change", args=[later.pk]))
    assert len(block.select("tbody tr")) == 8  # today and seven days


def test_new_bookings_since_her_last_login_and_what_needs_attention(client, therapist, settings):
    # A first login, then a booking, then she logs in again.
    client.post(reverse("admin:login"), {"username": "therapeut", "password": "een-lang-wachtwoord"})
    client.logout()
    booking = book(email="nieuw@example.com", name="Nieuwe Cliënt")
    call_command("send_reminders")
    # The mail server refused it twice (the run above would otherwise have sent it).
    OutgoingEmail.objects.filter(booking=booking, kind="confirmation").update(sent_at=None, attempts=2)
    client.post(reverse("admin:login"), {"username": "therapeut", "password": "een-lang-wachtwoord"})
    assert StaffLogin.objects.get(user=therapist).previous_login is not None
    login_admin(client, therapist)  # the second step
    text = text_of(client.get(reverse("admin:index")))
    assert "Nieuw sinds u de vorige keer inlogde" in text and "Nieuwe Cliënt" in text
    assert "Niet verstuurd: bevestiging aan cliënt (Nieuwe Cliënt)" in text
    assert "Herinneringen en e-mails opnieuw: laatst om" in text


def test_a_quiet_background_job_is_called_a_problem_on_a_live_site(client, therapist, settings):
    settings.DEBUG = False
    login_admin(client, therapist)
    page = soup(client.get(reverse("admin:index")))
    problems = [
        li.get_text(" ", strip=True) for li in page.select("section[aria-labelledby=dash-attention] li.problem")
    ]
    assert any(item.startswith("Herinneringen en e-mails opnieuw: nog niet gedraaid") for item in problems)


def test_admin_messages_use_het_for_neuter_words(client, therapist):
    login_admin(client, therapist)
    response = client.post(
        reverse("admin:booking_weeklywindow_add"),
        {"weekday": 2, "start_time": "09:00", "end_time": "10:00", "offers_online": "on"},
        follow=True,
    )
    text = text_of(response)
    assert "Het vast moment in de week" in text and "De vast moment" not in text
