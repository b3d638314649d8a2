"""Background tasks are stored with their import path, and the layout of booking/ moved them
(issue 19). Rows queued before the deploy would no longer find their task: they get the new
path. Finished rows too, so that their results still open in the admin."""

from django.db import migrations

MOVED = {
    "booking.tasks.send_email": "booking.services.outbox.send_email",
    "booking.tasks.offer_waiting_times": "booking.services.waiting.waiting_list_look",
    "booking.tasks.sync_calendar_source": "booking.services.tasks.sync_calendar_source",
    "booking.tasks.remove_from_her_calendar": "booking.services.tasks.remove_from_her_calendar",
}


def rename(apps, mapping):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in mapping.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    rename(apps, MOVED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0015_encrypted_secrets_and_video_tokens"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
