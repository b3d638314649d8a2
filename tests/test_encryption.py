"""Stored secrets (her CalDAV password, the Jitsi app secret) are encrypted at rest with keys from
the environment: not in the database's columns, not in a backup, not in the rules' history; the
keys rotate; production does not start without a key of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from booking.calendars import sync as calendarsync
from booking.models import BookingRules, CalendarSource
from practice import encryption
from practice.backup import _tool
from tests.booking.helpers import open_every_day, set_rules
from tests.booking.servers import PASSWORD, USER, Radicale
from tests.booking.test_privacy import every_text_in_the_database
from tests.helpers import admin_form_data, login_admin, text_of
from tests.test_security import run_manage

ROOT = Path(__file__).resolve().parent.parent
JITSI_SECRET = "jitsi-app-geheim-Zq81-lang-genoeg-voor-een-handtekening"
NEW_JITSI_SECRET = "nieuw-jitsi-geheim-Pw47-ook-lang-genoeg-voor-hs256"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_column(model, field: str) -> list[str]:
    """The column as the database holds it, past every model field."""
    quote = connection.ops.quote_name
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)}")  # noqa: S608 - our own names
        return [row[0] for row in cursor.fetchall()]


def caldav_source(url="https://caldav.example/dav/", password=PASSWORD) -> CalendarSource:
    return CalendarSource.objects.create(name="Nextcloud", kind="caldav", url=url, username=USER, password=password)


def with_jitsi() -> BookingRules:
    if not BookingRules.objects.exists():  # a transactional test starts without the migrations' rows
        BookingRules.objects.create()
    return set_rules(
        jitsi_server="https://jitsi.praktijk.example", jitsi_app_id="praktijk", jitsi_app_secret=JITSI_SECRET
    )


# --- At rest -----------------------------------------------------------------------------------


def test_the_password_column_holds_no_password_and_the_model_reads_it_back(transactional_db):
    caldav_source()
    with_jitsi()
    [stored] = raw_column(CalendarSource, "password")
    assert PASSWORD not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert JITSI_SECRET not in raw_column(BookingRules, "jitsi_app_secret")[0]
    assert CalendarSource.objects.get().password == PASSWORD
    assert BookingRules.load().jitsi_app_secret == JITSI_SECRET
    # Each encryption differs: the column cannot be compared with a guess.
    caldav_source(url="https://caldav.example/andere/")
    first, second = raw_column(CalendarSource, "password")
    assert first != second


def test_an_empty_secret_stays_empty_so_the_database_can_check_it(transactional_db):
    BookingRules.objects.create()
    caldav_source(url="https://agenda.example/basic.ics", password="")
    assert raw_column(CalendarSource, "password") == [""]
    assert raw_column(BookingRules, "jitsi_app_secret") == [""]


def readable_backup(path: Path) -> bytes:
    """What is in a backup, as it would be read by someone who has the file: SQLite's file itself,
    or the SQL inside PostgreSQL's compressed custom format."""
    if connection.vendor == "sqlite":
        return path.read_bytes()
    result = subprocess.run(  # noqa: S603 - fixed program, our own file
        [_tool("pg_restore"), "--file=-", str(path)], capture_output=True, check=True
    )
    return result.stdout


def test_a_backup_holds_no_password(transactional_db, tmp_path):
    caldav_source()
    with_jitsi()
    target = tmp_path / "backup.bin"
    call_command("backup", "--output", str(target))
    content = readable_backup(target)
    # The rows are in it (encrypted), the secrets are not.
    [token] = raw_column(CalendarSource, "password")
    assert token.encode() in content
    for secret in (PASSWORD, JITSI_SECRET):
        assert secret.encode() not in content, secret


def test_the_rules_history_never_holds_the_jitsi_secret(transactional_db, client):
    BookingRules.objects.create()
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    rules = BookingRules.load()
    url = reverse("admin:booking_bookingrules_change", args=[rules.pk])
    data = admin_form_data(client, url, "bookingrules_form")
    data.update(jitsi_server="https://jitsi.praktijk.example", jitsi_app_id="praktijk", jitsi_app_secret=JITSI_SECRET)
    assert client.post(url, data).status_code == 302
    # A new secret from whoever runs the server, and another change.
    data = admin_form_data(client, url, "bookingrules_form")
    data.update(slot_minutes="25", jitsi_app_secret=NEW_JITSI_SECRET)
    assert client.post(url, data).status_code == 302
    rules.refresh_from_db()
    assert rules.jitsi_app_secret == NEW_JITSI_SECRET and rules.history.count() >= 2
    stored = every_text_in_the_database()
    history_page = client.get(reverse("admin:booking_bookingrules_history", args=[rules.pk])).content.decode()
    for secret in (JITSI_SECRET, NEW_JITSI_SECRET):
        assert secret not in stored and secret not in history_page
    # Going back to the first version brings back its settings, never the old secret.
    first = rules.history.order_by("history_date").first()
    assert first.instance.slot_minutes == 20 and first.instance.jitsi_app_secret == NEW_JITSI_SECRET


# --- Rotation ----------------------------------------------------------------------------------


def test_keys_rotate_and_every_copy_is_rewritten(transactional_db, settings):
    settings.ENCRYPTION_KEYS = [KEY_A]
    caldav_source()
    with_jitsi()
    written_under_a = raw_column(CalendarSource, "password")

    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]  # a new key in front: the old data still reads
    assert CalendarSource.objects.get().password == PASSWORD
    assert BookingRules.load().jitsi_app_secret == JITSI_SECRET
    call_command("rotate_encryption_keys")
    assert raw_column(CalendarSource, "password") != written_under_a

    settings.ENCRYPTION_KEYS = [KEY_B]  # the old key dropped
    assert CalendarSource.objects.get().password == PASSWORD
    assert BookingRules.load().jitsi_app_secret == JITSI_SECRET
    only_b = Fernet(KEY_B)
    for model, field in encryption.encrypted_columns():
        for value in raw_column(model, field.name):
            assert value == "" or only_b.decrypt(value.encode())

    settings.ENCRYPTION_KEYS = [KEY_A]  # and the old key alone no longer opens anything
    with pytest.raises(encryption.CannotDecrypt) as problem:
        CalendarSource.objects.get()
    assert PASSWORD not in str(problem.value)


def test_the_rotate_command_reports_how_many_it_rewrote(transactional_db, settings, capsys):
    settings.ENCRYPTION_KEYS = [KEY_A]
    caldav_source()
    with_jitsi()
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_encryption_keys")
    assert capsys.readouterr().out.startswith("2 opgeslagen geheim(en)")


# --- The data migration -------------------------------------------------------------------------

BEFORE = [("booking", "0013_waiting_list_and_questions")]
AFTER = [("booking", "0015_encrypted_secrets_and_video_tokens")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    call_command("migrate", verbosity=0)


def test_passwords_stored_in_plain_text_are_encrypted_by_the_migration(old_schema):
    old_schema.get_model("booking", "CalendarSource").objects.create(
        name="Oud", kind="caldav", url="https://caldav.example/", username=USER, password="oud-wachtwoord-77"
    )
    assert raw_column(CalendarSource, "password") == ["oud-wachtwoord-77"]
    migrate(AFTER)
    [stored] = raw_column(CalendarSource, "password")
    assert "oud-wachtwoord-77" not in stored
    assert CalendarSource.objects.get().password == "oud-wachtwoord-77"
    # And back: the old schema gets its plain text again.
    migrate(BEFORE)
    assert raw_column(CalendarSource, "password") == ["oud-wachtwoord-77"]


# --- Using it ------------------------------------------------------------------------------------


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path / "radicale").start()
    yield server
    server.stop()


def test_the_sync_logs_in_to_radicale_with_the_decrypted_password(transactional_db, settings, radicale):
    settings.CALENDAR_ALLOW_LOOPBACK = True
    open_every_day()
    radicale.calendar("praktijk-sleutel")
    caldav_source(url=radicale.url)
    assert PASSWORD not in raw_column(CalendarSource, "password")[0]
    # The command loads the source from the database, as the timer does: only the decrypted
    # password gets it past Radicale's login.
    call_command("sync_calendars")
    source = CalendarSource.objects.get()
    assert source.last_error == "" and source.last_success_at is not None
    assert calendarsync.sync_source(source, now=timezone.now()) in ("read", "unchanged")


# --- Admin ----------------------------------------------------------------------------------------


@pytest.fixture
def rules_form(db, client):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    url = reverse("admin:booking_bookingrules_change", args=[BookingRules.load().pk])
    return client, url


def test_the_jitsi_secret_is_never_shown_again_and_an_empty_field_keeps_it(rules_form):
    client, url = rules_form
    data = admin_form_data(client, url, "bookingrules_form")
    data.update(jitsi_server="https://jitsi.praktijk.example", jitsi_app_id="praktijk", jitsi_app_secret=JITSI_SECRET)
    assert client.post(url, data).status_code == 302
    assert JITSI_SECRET not in client.get(url).content.decode()
    data = admin_form_data(client, url, "bookingrules_form")
    assert data["jitsi_app_secret"] == ""
    assert client.post(url, data).status_code == 302
    assert BookingRules.load().jitsi_app_secret == JITSI_SECRET
    # Emptying the address and the app id switches the tokens off, secret and all.
    data.update(jitsi_server="", jitsi_app_id="")
    assert client.post(url, data).status_code == 302
    rules = BookingRules.load()
    assert (rules.jitsi_server, rules.jitsi_app_id, rules.jitsi_app_secret) == ("", "", "")


def test_half_a_jitsi_configuration_is_refused_in_dutch_and_keeps_what_was_typed(rules_form):
    client, url = rules_form
    data = admin_form_data(client, url, "bookingrules_form")
    data.update(jitsi_server="https://jitsi.praktijk.example", jitsi_app_id="", jitsi_app_secret="")
    response = client.post(url, data)
    assert response.status_code == 200
    text = text_of(response)
    assert "Vul ook de app-id van de Jitsi-server in." in text
    assert "Vul ook het app-geheim van de Jitsi-server in." in text
    assert 'value="https://jitsi.praktijk.example"' in response.content.decode()
    assert BookingRules.load().jitsi_server == ""
    data.update(jitsi_server="https://jitsi.praktijk.example/kamer", jitsi_app_id="praktijk", jitsi_app_secret="x")
    assert "Alleen het adres van de server zelf" in text_of(client.post(url, data))
    assert BookingRules.load().jitsi_server == ""


def test_a_short_jitsi_secret_is_refused_because_a_token_would_give_it_away(rules_form):
    client, url = rules_form
    data = admin_form_data(client, url, "bookingrules_form")
    data.update(
        jitsi_server="https://jitsi.praktijk.example", jitsi_app_id="praktijk", jitsi_app_secret="kort-geheim-123"
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Dit app-geheim is te kort: het moet minstens 32 tekens hebben." in text_of(response)
    assert 'value="praktijk"' in response.content.decode()
    assert BookingRules.load().jitsi_app_secret == ""


def test_the_database_refuses_half_a_jitsi_configuration(transactional_db):
    from django.db import IntegrityError, transaction

    BookingRules.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingRules.objects.update(jitsi_server="https://jitsi.praktijk.example")


# --- Production start ----------------------------------------------------------------------------


def start_web(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "SITE_URL"}
    production = {
        "SITE_URL": "https://praktijk.example",
        "DJANGO_ALLOWED_HOSTS": "praktijk.example",
        "DJANGO_SECRET_KEY": "een-eigen-geheime-sleutel-van-ruim-tweeendertig-tekens",
    }
    return subprocess.run(
        [sys.executable, "-c", "import practice.wsgi"],
        cwd=ROOT,
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def env_example_key() -> str:
    return next(
        line.split("=", 1)[1].strip()
        for line in (ROOT / "deploy" / "env.example").read_text().splitlines()
        if line.startswith("DJANGO_ENCRYPTION_KEYS=")
    )


@pytest.mark.parametrize("keys", [None, "", "development", "geen-sleutel", "env.example"])
def test_production_refuses_to_start_without_an_encryption_key_of_its_own(keys, settings):
    keys = {"development": settings.DEV_ENCRYPTION_KEY, "env.example": env_example_key()}.get(keys, keys)
    server = start_web(**({} if keys is None else {"DJANGO_ENCRYPTION_KEYS": keys}))
    assert server.returncode != 0
    assert "DJANGO_ENCRYPTION_KEYS" in server.stderr and "Fernet.generate_key()" in server.stderr


def test_production_starts_with_its_own_key_and_check_deploy_says_why_not_without():
    assert start_web(DJANGO_ENCRYPTION_KEYS=f"{KEY_B},{KEY_A}").returncode == 0
    secret = {"DJANGO_SECRET_KEY": "een-eigen-geheime-sleutel-van-ruim-tweeendertig-tekens"}
    env = {"SITE_URL": "https://praktijk.example", "DJANGO_ALLOWED_HOSTS": "praktijk.example", **secret}
    deploy_check = run_manage("check", "--deploy", **env)
    assert deploy_check.returncode != 0 and "practice.E002" in deploy_check.stderr
    assert "practice.E002" not in run_manage("check", "--deploy", DJANGO_ENCRYPTION_KEYS=KEY_A, **env).stderr
