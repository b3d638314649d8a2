"""Production settings, security headers, health check, cookies and body limits."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import OperationalError, connection
from django.urls import reverse

from content.initial_content import load_initial_content

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PATHS = [
    "/",
    "/hechtingsproblematiek/",
    "/artikelen/",
    "/zoeken/?q=hechting",
    "/kennismaking/",
    "/kennismaking/online/",
]


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "SITE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SITE_URL="https://praktijk.example",
        DJANGO_ALLOWED_HOSTS="praktijk.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    env = {"SITE_URL": "https://praktijk.example", "DJANGO_ALLOWED_HOSTS": "praktijk.example"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "SITE_URL"}
    server = subprocess.run(
        [sys.executable, "-c", "import practice.wsgi"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    assert server.returncode != 0 and "DJANGO_SECRET_KEY is not set to a secret value" in server.stderr
    deploy_check = run_manage("check", "--deploy", **env)
    assert deploy_check.returncode != 0 and "practice.E001" in deploy_check.stderr
    # Development commands (migrations, checks) keep working without a key.
    assert run_manage("makemigrations", "--check", "--dry-run").returncode == 0


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_security_headers_on_every_page(client, db, path):
    load_initial_content()
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/hechtingsproblematiek/", "/artikelen/", "/zoeken/?q=rust", "/kennismaking/"])
def test_content_pages_set_no_cookies(client, db, path):
    load_initial_content()
    response = client.get(path)
    assert response.cookies == {} and "Set-Cookie" not in response


def test_the_booking_form_sets_only_the_csrf_cookie(client, db):
    from booking.public.views import slot_url
    from tests.booking.helpers import free_slots, open_every_day

    open_every_day()
    response = client.get(slot_url(free_slots("online")[0].start, "online"))
    assert set(response.cookies) == {"csrftoken"}
    cookie = response.cookies["csrftoken"]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


def test_healthz_answers_200_with_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_healthz_answers_503_without_the_database(client, db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 503


HEALTH_PROBE = (
    "import django; django.setup(); from django.test import Client; "
    "print(Client(HTTP_HOST='127.0.0.1').get('/healthz').status_code)"
)


def test_healthz_answers_503_until_the_schema_is_there(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.sqlite3'}", "DJANGO_DEBUG": "1"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))}
    env = {**clean, **env, "DJANGO_SETTINGS_MODULE": "practice.settings"}

    def probe() -> str:
        result = subprocess.run(
            [sys.executable, "-c", HEALTH_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        return result.stdout.strip().splitlines()[-1]

    assert probe() == "503"
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr
    assert probe() == "200"


def test_production_refuses_the_placeholder_key_from_env_example():
    placeholder = next(
        line.split("=", 1)[1].strip()
        for line in (ROOT / "deploy" / "env.example").read_text().splitlines()
        if line.startswith("DJANGO_SECRET_KEY=")
    )
    env = {"SITE_URL": "https://praktijk.example", "DJANGO_ALLOWED_HOSTS": "praktijk.example"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "SITE_URL"}
    server = subprocess.run(
        [sys.executable, "-c", "import practice.wsgi"],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SECRET_KEY": placeholder},
        capture_output=True,
        text=True,
    )
    assert server.returncode != 0 and "DJANGO_SECRET_KEY is not set to a secret value" in server.stderr
    assert run_manage("check", "--deploy", DJANGO_SECRET_KEY=placeholder, **env).returncode != 0


HEAD_PATHS = [
    "/",
    "/hechtingsproblematiek/",
    "/artikelen/",
    "/zoeken/?q=hechting",
    "/kennismaking/",
    "/kennismaking/online/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/bestaat-niet/",
]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_answers_like_get_without_a_body(client, db, path):
    load_initial_content()
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize(
    "path", ["/kennismaking/online/20301201T0900Z/", "/bestaat-niet/", "/zoeken/", "/admin/login/", "/"]
)
@pytest.mark.parametrize("charset", ["latin-1", "iso-8859-15", "bogus"])
@pytest.mark.parametrize("cookie", ["", "abcdefghijklmnopqrstuvwxyzABCDEF", "kort"])
def test_a_form_in_another_charset_with_a_bad_csrf_cookie_gets_a_400_not_a_500(db, path, charset, cookie):
    from django.test import Client

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if cookie:
        client.cookies["csrftoken"] = cookie
    response = client.generic(
        "POST",
        path,
        b"name=Ren%E9&csrfmiddlewaretoken=abc",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code in (400, 403, 405), response.status_code


def test_oversized_bodies_are_refused_with_a_clear_page(client, db):
    response = client.post("/kennismaking/online/20301201T0900Z/", {"note": "x" * 200_000})
    assert response.status_code == 400
    assert "Dit verzoek begrijpen we niet" in response.content.decode()


@pytest.mark.parametrize(
    "path,status",
    [
        ("/artikelen/?thema=%00", 200),
        ("/artikelen/?thema=a%00b&page=2", 404),
        ("/zoeken/?q=%00", 200),
        ("/kennismaking/online/?week=%00", 200),
        ("/hechtings%00problematiek/", 400),
    ],
)
def test_a_nul_character_never_reaches_the_database(client, db, path, status):
    """PostgreSQL refuses NUL in text: ?thema=%00 reached a query and gave a 500. Taken out of
    the query string (the page answers for what was really asked); a path with one is a 400."""
    load_initial_content()
    assert client.get(path).status_code == status


def test_a_nul_character_in_a_public_form_is_left_out_of_what_is_stored(client, db):
    from booking.models import Question

    load_initial_content()
    data = {"name": "Iem\x00and", "email": "iemand@example.com", "phone": "", "text": "Mag ik\x00 bellen?"}
    data.update({"privacy": "on", "request_token": "6f1c1e5e-8a52-4c36-9d5e-0c2b8f1d7a10"})
    response = client.post(reverse("booking:question"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get()
    assert (question.name, question.text) == ("Iemand", "Mag ik bellen?")


def test_the_admin_lives_at_the_configured_path_and_is_not_indexed(client, db, settings):
    assert reverse("admin:index") == settings.ADMIN_URL
    assert client.get(settings.ADMIN_URL + "login/")["X-Robots-Tag"] == "noindex, nofollow"


def test_admin_path_comes_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        DJANGO_DEBUG="1",
        DJANGO_ADMIN_PATH="beheer-7f3a",
    )
    assert result.stdout.strip().splitlines()[-1] == "/beheer-7f3a/", result.stderr


def test_rate_limits_count_the_address_nginx_saw(settings):
    from django.test import RequestFactory

    from practice.clients import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.BEHIND_PROXY = True
    # The last entry is what nginx appended; the first is whatever the client claimed.
    assert client_address(request) == "203.0.113.5"
    settings.BEHIND_PROXY = False
    assert client_address(request) == "127.0.0.1"


@pytest.mark.parametrize(
    "path",
    [
        "/Kennismaking/beheer/.eJyrVkpU:1xaiNS:GEHEIM/",
        "/kennismaking//beheer/.eJyrVkpU:1xaiNS:GEHEIM/afzeggen/",
        "/kennismaking/wachtlijst//tijd/InNsZ2VsIg:1xaiNS:GEHEIM/",
        "/KENNISMAKING/WACHTLIJST/BEVESTIGEN/GEHEIM/",
        "/AGENDA/GEHEIM.ics",
        "/iets/anders/.eJyrVkpU:1xaiNS:GEHEIM-aX3kP0qZ9vT2mB7nR4sW8yL1cD6fH5jK0gQ/",
        "/kennismaking/beheer/.eJyrVkpU%3A1xaiNS%3AGEHEIM/",
    ],
)
def test_mistyped_links_keep_their_tokens_out_of_the_log(path):
    """Django logs "Not Found: <path>" for each of these; the token still works once the typo is removed."""
    from practice.logging import mask

    assert "GEHEIM" not in mask(f"Not Found: {path}")
    assert "GEHEIM" not in mask(f'"GET {path} HTTP/1.1" 404 179')


def test_secret_link_tokens_never_reach_the_log():
    import logging

    from practice.logging import MaskSecretsFilter

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Gone", "/kennismaking/beheer/eyJiIjo.abc:1x:sig/afzeggen/"),
        None,
    )
    MaskSecretsFilter().filter(record)
    assert record.getMessage() == "Gone: /kennismaking/beheer/[verborgen]/afzeggen/"
    feed = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET /agenda/s3cr3t.ics HTTP/1.1" 200', None, None
    )
    MaskSecretsFilter().filter(feed)
    assert "s3cr3t" not in feed.getMessage()
    # And the site's log handler applies it.
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, MaskSecretsFilter) for h in handlers for f in h.filters)


def test_the_calendar_library_never_logs_her_calendars_address():
    import logging

    import booking.calendars.sync  # noqa: F401 - where caldav is imported and quietened

    # caldav warns "assuming <her secret address> is the principal URL"; our sync records
    # its failures in Dutch, without the address.
    assert not logging.getLogger("caldav").isEnabledFor(logging.WARNING)
    assert not logging.getLogger("caldav.collection").isEnabledFor(logging.WARNING)


@pytest.mark.parametrize("object_id", ["1", "abc", "00000000-0000-0000-0000-000000000000"])
def test_view_on_site_with_a_key_of_the_wrong_shape_is_not_found(client, db, object_id):
    """Django's shortcut handed a non-UUID to a model with UUID keys (a task result): a 500."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    from tests.helpers import login_admin

    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    content_type = ContentType.objects.get_for_model(DBTaskResult)
    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, object_id]))
    assert response.status_code == 404
