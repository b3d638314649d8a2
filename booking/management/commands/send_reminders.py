from django.core.management.base import BaseCommand
from django.utils import timezone

from booking import services, tasks
from practice.models import JobRun


class Command(BaseCommand):
    help = (
        "Queues a reminder for intakes in the next 24 hours (each exactly once) and retries emails "
        "that have not gone out yet. Safe to run every few minutes, also when runs overlap."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        reminders = services.send_reminders(now=now)
        retried = tasks.retry_due(now=now)
        # Counts only: no names, addresses or times in the log.
        summary = f"herinneringen: {reminders}, opnieuw geprobeerd: {retried}"
        JobRun.record("reminders", now=now, summary=summary)
        self.stdout.write(summary)
