from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.services import privacy
from practice import ratelimit
from practice.models import JobRun


class Command(BaseCommand):
    help = (
        "Deletes clients' notes once the intake has taken place, and anonymises bookings the configured "
        "number of days after it unless marked 'wordt cliënt'. Idempotent; run daily."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        report = privacy.purge(now=now)
        counters = ratelimit.forget_expired(now=now)
        summary = (
            f"notities verwijderd: {report.notes_removed}, onherkenbaar gemaakt: {report.anonymised}, "
            f"wachtlijst verwijderd: {report.waiting_removed}, "
            f"onbevestigde aanmeldingen verwijderd: {report.requests_removed}, "
            f"vragen verwijderd: {report.questions_removed}, "
            f"verlopen tellers opgeruimd: {counters}"
        )
        JobRun.record("purge", now=now, summary=summary)
        self.stdout.write(summary)
