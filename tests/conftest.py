import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Chromium in a closed network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Every test runs on the same clock, whatever the day and hour it is really run:
# an ordinary Monday morning. Tests about other moments move it (see `clock`).
DEFAULT_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=AMSTERDAM)


# Which tests run where. `make test` runs every test on SQLite. CI's PostgreSQL pass runs
# `-m "database and not browser and not nginx"`: every test that uses the database, marked here
# from what it asks for (pytest-django refuses the database to any other test, so an unmarked
# test cannot depend on it), except the browser flows and nginx's own behaviour, whose
# database is scenery; .ci/serve_production drives a browser through nginx to PostgreSQL.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "live_site",
}
NGINX_MODULES = {"tests/test_nginx.py"}
# Tests that store or check a password through Django's real hasher (PBKDF2, as in production).
# Every other test creates its accounts with a fast one: those are about what an account may
# do, or how logins are counted and locked, never about how slowly a password is hashed.
REAL_PASSWORD_HASHER = (
    "tests/test_admin_login.py::test_right_password_logs_in",
    "tests/test_twofactor.py::test_first_login_sets_up_the_app_with_a_qr_code_and_one_code",
    "tests/test_first_login_browser.py",
    "tests/content/test_admin.py::test_dev_admin_is_created_once_and_only_in_development",
)


@pytest.hookimpl(tryfirst=True)  # before `-m` selects
def pytest_collection_modifyitems(config, items):
    for item in items:  # node ids are relative to the project folder
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
        if item.nodeid.split("::")[0] in NGINX_MODULES:
            item.add_marker(pytest.mark.nginx)
        if item.nodeid.startswith(REAL_PASSWORD_HASHER):
            item.add_marker(pytest.mark.real_password_hasher)


@pytest.fixture(autouse=True)
def password_hasher(request, settings):
    if not request.node.get_closest_marker("real_password_hasher"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clock():
    """The fixed clock of every test; `clock.move_to(moment)` travels. It ticks, so time passes as usual."""
    with time_machine.travel(DEFAULT_NOW, tick=True) as traveller:
        yield traveller


def static_sources() -> str:
    """Every source file collectstatic would read (name, size, modification time) and how it stores them."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    lines = [repr(settings.STORAGES["staticfiles"]), settings.STATIC_URL]
    for finder in finders.get_finders():
        for name, storage in finder.list([]):
            status = os.stat(storage.path(name))
            lines.append(f"{name} {status.st_size} {status.st_mtime_ns}")
    return "\n".join(sorted(lines))


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    # The suite runs with DEBUG off, so pages link hashed, compressed static
    # files exactly as in production; those only exist after collectstatic.
    # Collecting and compressing takes about 20 seconds, so a run whose sources are what the
    # last run collected uses its files; runs side by side wait for each other here.
    import fcntl

    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".collecting", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp, sources = root / ".collected-from", static_sources()
        if not (root / "staticfiles.json").exists() or not stamp.exists() or stamp.read_text() != sources:
            stamp.unlink(missing_ok=True)
            call_command("collectstatic", interactive=False, verbosity=0)
            stamp.write_text(sources)


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploads of the whole run go to a folder of its own, served as in development."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SERVE_MEDIA=True):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts without what an earlier one cached (the sitemap)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    # Emails are sent by background tasks; in tests they run at once, into Django's
    # test outbox. The production (database) backend has a test of its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def live_site(transactional_db):
    """The whole site in a thread, static files served by WhiteNoise as in production.

    pytest-django's live_server serves static files from the source folders,
    which cannot answer the hashed names the pages link to.
    """
    shared = {}
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            shared[conn.alias] = conn
    server = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler, connections_override=shared)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()
    # The shared in-memory connection stays shareable: the server's daemon request
    # threads may still be closing their (shared) connection after terminate().


@pytest.fixture(scope="session")
def chromium():
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if executable is None:
        message = f"Chromium ontbreekt ({CHROMIUM}): browsertests overgeslagen (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls in
    # the tests themselves stay synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, live_site):
    """A fresh browser context the size of a small phone.

    Depends on live_site so that the browser closes its connections before the server stops.
    """
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page, name: str) -> None:
    """Runs axe-core on the page; saves a screenshot either way, for people to look at."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
