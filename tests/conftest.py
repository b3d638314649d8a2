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


@pytest.fixture(autouse=True)
def clock():
    """The fixed clock of every test; `clock.move_to(moment)` travels. It ticks, so time passes as usual."""
    with time_machine.travel(DEFAULT_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    # The suite runs with DEBUG off, so pages link hashed, compressed static
    # files exactly as in production; those only exist after collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)


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
