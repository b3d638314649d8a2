"""The admin login is throttled after repeated failures, by account and by address."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from practice.admin_login import MAX_FAILURES


@pytest.fixture(autouse=True)
def therapist(db):
    return get_user_model().objects.create_superuser("therapeut", "t@example.com", "het-juiste-wachtwoord")


def login(client, password, username="therapeut", address="192.0.2.1"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_right_password_logs_in(client):
    assert login(client, "het-juiste-wachtwoord").status_code == 302


def test_account_is_locked_after_repeated_failures_even_from_other_addresses(client):
    for attempt in range(MAX_FAILURES):
        login(client, "fout", address=f"192.0.2.{attempt + 10}")
    response = login(client, "het-juiste-wachtwoord", address="198.51.100.7")
    assert response.status_code == 200
    assert "Te veel mislukte pogingen" in response.content.decode()


def test_address_is_locked_after_failures_on_any_accounts(client):
    for attempt in range(MAX_FAILURES):
        login(client, "fout", username=f"gok{attempt}", address="203.0.113.9")
    assert "Te veel mislukte pogingen" in login(client, "het-juiste-wachtwoord", address="203.0.113.9").content.decode()
    # The therapist from her own address is not locked out by someone else's guessing.
    assert login(client, "het-juiste-wachtwoord", address="192.0.2.50").status_code == 302


def test_a_few_typos_are_fine(client):
    for _ in range(MAX_FAILURES - 1):
        login(client, "fout")
    assert login(client, "het-juiste-wachtwoord").status_code == 302


def test_the_lock_lasts_the_promised_quarter_of_an_hour(client, clock):
    from datetime import timedelta

    for _ in range(MAX_FAILURES):
        login(client, "fout")
    clock.shift(timedelta(minutes=14, seconds=50))
    assert "Te veel mislukte pogingen" in login(client, "het-juiste-wachtwoord").content.decode()
    clock.shift(timedelta(seconds=15))
    assert login(client, "het-juiste-wachtwoord").status_code == 302


def test_a_flood_of_booking_posts_does_not_lift_a_lock(client, clock):
    """Hundreds of other addresses each leave a count; the locked account stays locked."""
    from booking.initial import load_demo_schedule
    from content.initial_content import load_initial_content

    load_initial_content()
    load_demo_schedule()
    for _ in range(MAX_FAILURES):
        login(client, "fout")
    for number in range(400):
        client.post(
            "/kennismaking/online/20261124T1800Z/", {"name": "x"}, REMOTE_ADDR=f"10.1.{number // 250}.{number % 250}"
        )
    assert "Te veel mislukte pogingen" in login(client, "het-juiste-wachtwoord").content.decode()
