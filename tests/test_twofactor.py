"""Every staff account needs a second factor (TOTP) before any admin page opens."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import soup


@pytest.fixture
def therapist(db):
    return get_user_model().objects.create_superuser("therapeut", "t@example.com", "het-juiste-wachtwoord")


def password_login(client):
    response = client.post(reverse("admin:login"), {"username": "therapeut", "password": "het-juiste-wachtwoord"})
    assert response.status_code == 302
    return response


def code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.mark.parametrize(
    "page", ["admin:index", "admin:booking_booking_changelist", "admin:booking_agenda", "admin:booking_person"]
)
def test_a_password_alone_opens_no_admin_page(client, therapist, page):
    password_login(client)
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor"))


def test_first_login_sets_up_the_app_with_a_qr_code_and_one_code(client, therapist):
    password_login(client)
    page = soup(client.get(reverse("twofactor")))
    assert page.find("img", src=lambda s: s and s.startswith("data:image/svg+xml"))
    assert page.find("code")  # the key, for typing in by hand
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    response = client.post(reverse("twofactor"), {"code": code(device)})
    assert response.status_code == 200 and "Bewaar uw herstelcodes" in response.content.decode()
    assert TOTPDevice.objects.get(user=therapist).confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_later_logins_ask_for_the_code_only(client, therapist):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    page = soup(client.get(reverse("twofactor")))
    assert page.find("h2").get_text() == "Nog één stap" and not page.find("img")
    assert client.post(reverse("twofactor"), {"code": code(device)}).status_code == 302
    assert client.get(reverse("admin:booking_booking_changelist")).status_code == 200


def test_a_new_session_asks_again(client, therapist):
    TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    client.post(reverse("twofactor"), {"code": "123456"})
    client.logout()
    password_login(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_code_page_is_for_signed_in_staff_only(client, db):
    assert client.get(reverse("twofactor"))["Location"] == reverse("admin:login")


def test_a_wrong_code_is_refused_with_a_dutch_message(client, therapist):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    wrong = "000000" if code(device) != "000000" else "111111"
    response = client.post(reverse("twofactor"), {"code": wrong})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_session_ends_after_inactivity(client, therapist, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from tests.helpers import login_admin

    login_admin(client, therapist)
    assert client.get(reverse("admin:index")).status_code == 200
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "target",
    [
        "https://phishing.example/",
        "//phishing.example/",
        "/\\phishing.example",
        "https:/phishing.example",
        "javascript:alert(1)",
    ],
)
def test_after_the_code_only_a_path_on_this_site_is_followed(client, therapist, target):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    response = client.post(reverse("twofactor") + "?next=" + target, {"code": code(device), "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    # Already verified: the same address is refused too.
    again = client.get(reverse("twofactor"), {"next": target})
    assert again["Location"] == reverse("admin:index")


def test_after_the_code_the_page_asked_for_opens(client, therapist):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    asked = reverse("admin:booking_booking_changelist") + "?wanneer=alle&status=confirmed"
    redirect_to_code = client.get(asked)
    page = client.get(redirect_to_code["Location"])
    next_value = soup(page).find("input", attrs={"name": "next"})["value"]
    assert next_value == asked
    response = client.post(redirect_to_code["Location"], {"code": code(device), "next": next_value})
    assert response["Location"] == asked


def test_signing_out_is_a_post(client, therapist):
    password_login(client)
    assert client.get(reverse("twofactor_sign_out")).status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post(reverse("twofactor_sign_out")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_setting_up_shows_ten_recovery_codes_once_and_each_works_once(client, therapist):
    password_login(client)
    client.get(reverse("twofactor"))
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    shown = client.post(reverse("twofactor"), {"code": code(device)})
    codes = [c.get_text() for c in soup(shown).select("ul.recovery-codes code")]
    assert shown.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    client.logout()

    # The phone is lost: a recovery code opens the admin, once.
    password_login(client)
    page = soup(client.get(reverse("twofactor")))
    assert page.find("summary", string="Telefoon kwijt? Gebruik een herstelcode")
    response = client.post(reverse("twofactor"), {"recovery_code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    password_login(client)
    reused = client.post(reverse("twofactor"), {"recovery_code": codes[0]})
    assert reused.status_code == 200 and "al gebruikt" in reused.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_recovery_codes_command_replaces_the_old_codes(client, therapist, capsys, clock):
    from datetime import timedelta

    from django.core.management import call_command

    TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    call_command("recovery_codes", "therapeut")
    first = capsys.readouterr().out.split()[-10:]
    call_command("recovery_codes", "therapeut")
    second = capsys.readouterr().out.split()[-10:]
    assert len(set(second)) == 10 and not set(first) & set(second)
    password_login(client)
    assert client.post(reverse("twofactor"), {"recovery_code": first[0]}).status_code == 200
    clock.shift(timedelta(seconds=5))  # django-otp slows down guessing after a wrong code
    assert client.post(reverse("twofactor"), {"recovery_code": second[0]}).status_code == 302


def wrong_code(device) -> str:
    """A code the device refuses now: none of the codes it accepts around this moment."""
    import time

    accepted = set()
    for steps in (-1, 0, 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time() + steps * device.step
        accepted.add(f"{totp.token():06d}")
    return next(guess for guess in ("000000", "111111", "222222", "333333") if guess not in accepted)


def error_next_to(page, name: str) -> str:
    """The error the field points at (aria-describedby), as a screen reader reads it out."""
    field = page.find("input", attrs={"name": name})
    return page.find(id=field["aria-describedby"]).get_text(" ", strip=True)


def test_a_right_code_just_after_wrong_ones_asks_her_to_wait_and_works_after_the_wait(client, therapist, clock):
    from datetime import timedelta

    from django.utils import timezone

    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    clock.move_to(timezone.now(), tick=False)  # a still clock: the seconds to wait are exact
    # Four wrong codes, each typed once the previous wait was over: django-otp then waits 8 seconds.
    for waited in (0, 1.5, 2.5, 4.5):
        clock.shift(waited)
        refused = client.post(reverse("twofactor"), {"code": wrong_code(device)})
        assert "Deze code klopt niet" in error_next_to(soup(refused), "code")
    right = code(device)
    response = client.post(reverse("twofactor"), {"code": right})
    page = soup(response)
    assert response.status_code == 200
    assert error_next_to(page, "code") == (
        "Even wachten: u hebt net een verkeerde code ingevuld. Probeer het over 8 seconden opnieuw."
    )
    assert "klopt niet" not in page.get_text()
    assert page.find("input", attrs={"name": "code"})["value"] == right  # what she typed stays
    assert client.get(reverse("admin:index")).status_code == 302

    device.refresh_from_db()
    _allowed, details = device.verify_is_allowed()
    clock.move_to(details["locked_until"] + timedelta(seconds=1), tick=False)
    assert client.post(reverse("twofactor"), {"code": code(device)}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_one_second_to_wait_is_said_in_the_singular(client, therapist, clock):
    from django.utils import timezone

    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    password_login(client)
    clock.move_to(timezone.now(), tick=False)
    client.post(reverse("twofactor"), {"code": wrong_code(device)})
    response = client.post(reverse("twofactor"), {"code": code(device)})
    assert error_next_to(soup(response), "code").endswith("Probeer het over 1 seconde opnieuw.")


def test_a_right_recovery_code_just_after_a_wrong_one_asks_her_to_wait_and_works_after(client, therapist, clock):
    from datetime import timedelta

    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice

    from practice.twofactor import new_recovery_codes

    TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    codes = new_recovery_codes(therapist)
    password_login(client)
    clock.move_to(timezone.now(), tick=False)
    for waited in (0, 1.5):
        clock.shift(waited)
        refused = client.post(reverse("twofactor"), {"recovery_code": "verkeerd123"})
        assert "klopt niet" in error_next_to(soup(refused), "recovery_code")
    response = client.post(reverse("twofactor"), {"recovery_code": codes[0]})
    page = soup(response)
    assert error_next_to(page, "recovery_code") == (
        "Even wachten: u hebt net een verkeerde code ingevuld. Probeer het over 2 seconden opnieuw."
    )
    assert page.find("input", attrs={"name": "recovery_code"})["value"] == codes[0]
    assert page.find("details", open=True)  # the recovery part stays open with its message

    _allowed, details = StaticDevice.objects.get(user=therapist).verify_is_allowed()
    clock.move_to(details["locked_until"] + timedelta(seconds=1), tick=False)
    assert client.post(reverse("twofactor"), {"recovery_code": codes[0]}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def login_with_next(client, target):
    from urllib.parse import urlencode

    return client.post(
        reverse("admin:login") + "?" + urlencode({"next": target}),
        {"username": "therapeut", "password": "het-juiste-wachtwoord", "next": target},
    )


def both_steps(client, device, response):
    """Follows the password's answer through the code page, as a browser would."""
    while response.status_code == 302 and not response["Location"].startswith(reverse("twofactor")):
        response = client.get(response["Location"])
        assert response.status_code in (200, 302), response.status_code
    assert response.status_code == 302, "the code page should come after the password"
    code_page = response["Location"]
    next_value = soup(client.get(code_page)).find("input", attrs={"name": "next"})["value"]
    return client.post(code_page, {"code": code(device), "next": next_value})


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/admin/",
        "/\\evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/admin/",
    ],
)
def test_an_unsafe_next_at_the_password_ends_on_the_admin_start_page(client, therapist, target):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    response = login_with_next(client, target)
    assert response.status_code == 302 and "evil" not in response["Location"]
    done = both_steps(client, device, response)
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")
    assert client.get(done["Location"]).status_code == 200


def test_a_safe_admin_path_at_the_password_is_followed_after_the_code(client, therapist):
    device = TOTPDevice.objects.create(user=therapist, name="app", confirmed=True)
    asked = reverse("admin:booking_booking_changelist") + "?wanneer=alle&status=confirmed"
    done = both_steps(client, device, login_with_next(client, asked))
    assert done["Location"] == asked
    assert client.get(asked).status_code == 200
