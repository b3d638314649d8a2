"""A timer's job as a management command: run it, print its summary, and note the run for the
admin's start page (JobRun), so she can see that the timers run."""

from datetime import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from practice.models import JobRun


class JobCommand(BaseCommand):
    """Subclasses name the job (`job`, as the start page knows it) and do the work in `run`,
    which returns the summary: counts only, never names, addresses or times."""

    job: str

    def run(self, now: datetime) -> str:
        raise NotImplementedError

    def handle(self, *args, **options):
        now = timezone.now()
        summary = self.run(now)
        JobRun.record(self.job, now=now, summary=summary)
        self.stdout.write(summary)
