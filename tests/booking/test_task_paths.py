"""Background tasks are stored with their import path. Tasks queued before the deploy that
moved them (issue 19's layout) still run after it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string
from django_tasks.base import Task

from booking.services import outbox, tasks, waiting

BEFORE = [("booking", "0015_encrypted_secrets_and_video_tokens")]
AFTER = [("booking", "0016_task_paths_after_the_layout")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def worker_backend(transactional_db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield
    call_command("migrate", verbosity=0)


def stored_paths():
    from django_tasks_db.models import DBTaskResult

    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_tasks_queued_under_the_old_paths_run_after_the_migration(worker_backend):
    from django_tasks_db.models import DBTaskResult

    waiting.waiting_list_look.enqueue()
    tasks.sync_calendar_source.enqueue(12345)  # a calendar that is gone: nothing to read
    outbox.send_email.enqueue(12345)  # an email that is gone: nothing owed
    tasks.remove_from_her_calendar.enqueue("gone@example.com")  # no calendar to write to

    migrate(BEFORE)  # as the rows stood before the deploy
    assert stored_paths() == [
        "booking.tasks.offer_waiting_times",
        "booking.tasks.remove_from_her_calendar",
        "booking.tasks.send_email",
        "booking.tasks.sync_calendar_source",
    ]
    migrate(AFTER)
    assert stored_paths() == [
        "booking.services.outbox.send_email",
        "booking.services.tasks.remove_from_her_calendar",
        "booking.services.tasks.sync_calendar_source",
        "booking.services.waiting.waiting_list_look",
    ]
    call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_every_path_the_migration_writes_is_where_its_task_lives():
    from importlib import import_module

    moved = import_module("booking.migrations.0016_task_paths_after_the_layout").MOVED
    for new in moved.values():
        task = import_string(new)
        assert isinstance(task, Task) and task.module_path == new
