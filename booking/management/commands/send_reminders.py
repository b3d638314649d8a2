from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.services import bookings, outbox, waiting
from practice.models import JobRun


class Command(BaseCommand):
    help = (
        "Queues a reminder for intakes in the next 24 hours (each exactly once), retries emails "
        "that have not gone out yet, and offers times that came free to the waiting list (passing "
        "on holds that ran out). Safe to run every few minutes, also when runs overlap."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        reminders = bookings.send_reminders(now=now)
        retried = outbox.retry_due(now=now)
        offered = waiting.offer_waiting_times(now=now)
        # Counts only: no names, addresses or times in the log.
        summary = f"herinneringen: {reminders}, opnieuw geprobeerd: {retried}, wachtlijst aangeboden: {offered}"
        JobRun.record("reminders", now=now, summary=summary)
        self.stdout.write(summary)
