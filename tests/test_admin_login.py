"""The admin login is throttled after repeated failures: per account and address together,
per address, and slower per address while an account is being guessed; a stranger's
guessing never keeps her out."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from practice.admin_login import (
    ACCOUNT_UNDER_ATTACK,
    ADDRESS_MAX_FAILURES,
    FAILURES_UNDER_ATTACK,
    MAX_FAILURES,
)
from practice.models import AttemptCounter


@pytest.fixture(autouse=True)
def therapist(db):
    return get_user_model().objects.create_superuser("therapeut", "t@example.com", "het-juiste-wachtwoord")


def login(client, password, username="therapeut", address="192.0.2.1"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_right_password_logs_in(client):
    assert login(client, "het-juiste-wachtwoord").status_code == 302


def refused(response) -> bool:
    return response.status_code == 200 and "Te veel mislukte pogingen" in response.content.decode()


def test_a_strangers_guessing_from_one_address_never_keeps_her_out(client, clock):
    """Over and over, for hours: the stranger's address stays locked for her account, she logs in from hers."""
    for _round in range(6):
        for _ in range(MAX_FAILURES + 3):
            login(client, "fout", address="203.0.113.66")
        assert refused(login(client, "het-juiste-wachtwoord", address="203.0.113.66"))
        assert login(Client(), "het-juiste-wachtwoord", address="198.51.100.7").status_code == 302
        clock.shift(timedelta(minutes=16))
    # Counted in the database, hashed: no username or address in the clear.
    keys = " ".join(AttemptCounter.objects.values_list("key", flat=True))
    assert keys and "therapeut" not in keys and "203.0.113" not in keys


def test_the_pair_lock_holds_for_the_stranger_and_says_how_many_minutes(client, clock):
    for _ in range(MAX_FAILURES):
        login(client, "fout", address="203.0.113.66")
    response = login(client, "het-juiste-wachtwoord", address="203.0.113.66")
    assert refused(response)
    assert "Probeer het over 15 minuten opnieuw." in response.content.decode()
    clock.shift(timedelta(minutes=14, seconds=10))
    response = login(client, "het-juiste-wachtwoord", address="203.0.113.66")
    assert refused(response) and "Probeer het over 1 minuut opnieuw." in response.content.decode()


def test_the_username_written_differently_counts_as_the_same_account(client):
    """Django reads a username Unicode-normalised and we count it lower case: no fresh tries by
    writing it in capitals or in full-width letters."""
    for username in ["Therapeut", "ｔｈｅｒａｐｅｕｔ", "THERAPEUT", "ｔｈｅｒａｐｅｕＴ", "therapeut "]:
        login(client, "fout", username=username, address="203.0.113.66")
    assert refused(login(client, "het-juiste-wachtwoord", address="203.0.113.66"))
    assert refused(login(client, "fout", username="ＴＨＥＲＡＰＥＵＴ", address="203.0.113.66"))


def test_an_address_trying_many_usernames_is_locked_at_a_higher_threshold(client):
    address = "203.0.113.9"
    for attempt in range(ADDRESS_MAX_FAILURES - 1):  # each username fewer times than a pair lock
        login(client, "fout", username=f"gok{attempt // 2}", address=address)
    # A shared address (an office) with a few typos on several accounts is not locked yet...
    assert login(Client(), "het-juiste-wachtwoord", address=address).status_code == 302
    login(client, "fout", username="nog-een-gok", address=address)
    # ...one more, and it is: for every username, also the right password.
    assert refused(login(client, "het-juiste-wachtwoord", address=address))
    assert refused(login(client, "fout", username="weer-een-andere", address=address))
    # The therapist from her own address is not locked out by someone else's guessing.
    assert login(client, "het-juiste-wachtwoord", address="192.0.2.50").status_code == 302


def test_many_addresses_guessing_her_account_get_fewer_tries_each_and_she_still_gets_in(client):
    for number in range(ACCOUNT_UNDER_ATTACK):
        login(client, "fout", address=f"203.0.113.{number}")
    # Now that the account is being guessed, a new address gets fewer tries...
    for _ in range(FAILURES_UNDER_ATTACK):
        assert not refused(login(client, "fout", address="198.51.100.20"))
    assert refused(login(client, "het-juiste-wachtwoord", address="198.51.100.20"))
    # ...but an address that has not failed is never refused, nor is her one typo.
    assert login(Client(), "het-juiste-wachtwoord", address="198.51.100.7").status_code == 302
    assert not refused(login(client, "fout", address="192.0.2.77"))
    assert login(Client(), "het-juiste-wachtwoord", address="192.0.2.77").status_code == 302


def test_an_ipv6_guesser_counts_per_64_and_cannot_hop_addresses(client):
    for number in range(MAX_FAILURES):
        login(client, "fout", address=f"2001:db8:1:2::{number + 1:x}")
    assert refused(login(client, "het-juiste-wachtwoord", address="2001:db8:1:2:abcd::99"))
    assert login(Client(), "het-juiste-wachtwoord", address="2001:db8:1:3::1").status_code == 302


def test_she_is_told_by_email_at_most_once_an_hour_when_her_account_is_guessed(
    client, clock, django_capture_on_commit_callbacks
):
    def guess(times, *, username="therapeut", start=0):
        with django_capture_on_commit_callbacks(execute=True):
            for number in range(start, start + times):
                login(client, "Geheim-Gok-123", username=username, address=f"203.0.113.{number}")

    guess(ACCOUNT_UNDER_ATTACK - 1)
    assert mail.outbox == []
    guess(1, start=ACCOUNT_UNDER_ATTACK)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["t@example.com"]
    assert message.subject == "Mislukte pogingen om in te loggen op uw account"
    text = " ".join(message.body.split())
    assert (
        f"In het afgelopen uur heeft iemand {ACCOUNT_UNDER_ATTACK} keer geprobeerd in te loggen op uw account" in text
    )
    assert "nog beschermd" in text and "code uit de app op uw telefoon" in text
    assert "Was u het niet?" in text and "nieuw wachtwoord" in text
    assert "Geheim-Gok-123" not in message.body + message.subject and "203.0.113" not in message.body
    assert not message.alternatives and not message.attachments

    guess(2, start=20)
    clock.shift(timedelta(minutes=50))
    guess(2, start=30)
    assert len(mail.outbox) == 1  # still within the hour
    clock.shift(timedelta(minutes=11))
    guess(ACCOUNT_UNDER_ATTACK, start=40)
    assert len(mail.outbox) == 2
    assert f"heeft iemand {ACCOUNT_UNDER_ATTACK} keer geprobeerd" in mail.outbox[1].body
    # An account that does not exist has no one to tell, and answers the same.
    guess(ACCOUNT_UNDER_ATTACK, username="bestaat-niet", start=60)
    assert len(mail.outbox) == 2


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
    from booking.services.initial import load_demo_schedule
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
