from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.calendars import sync as calendarsync
from practice.models import JobRun


class Command(BaseCommand):
    help = (
        "Reads the therapist's own calendars (.ics addresses and CalDAV accounts) and keeps their busy "
        "periods for the booking horizon. Safe to run every few minutes; a failing calendar keeps its "
        "last good busy periods."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        report = calendarsync.sync_all(now=now)
        # Counts only: no addresses (they are secrets) and no events in the output.
        summary = f"gelezen: {report.read}, ongewijzigd: {report.unchanged}, mislukt: {report.failed}"
        JobRun.record("calendars", now=now, summary=summary)
        self.stdout.write(summary)
