"""The admin login is throttled after repeated failures, by account and by address."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from practice.admin_login import MAX_FAILURES


@pytest.fixture(autouse=True)
def therapist(db):
    cache.clear()
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
