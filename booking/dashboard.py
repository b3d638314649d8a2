"""What the admin's start page shows the therapist: her coming intakes, what is new, what needs her."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings

from practice.models import JobRun, StaffLogin

from .models import Booking, CalendarSource, OutgoingEmail, Question, WaitingEntry
from .services import practice_tz

DAYS_AHEAD = 7
# Jobs the timers run every few minutes or nightly; quiet for longer than this means a problem.
JOBS = {
    "reminders": ("Herinneringen en e-mails opnieuw", timedelta(minutes=30)),
    "calendars": ("Eigen agenda's lezen", timedelta(minutes=30)),
    "purge": ("Persoonsgegevens opruimen", timedelta(hours=36)),
}


@dataclass
class Day:
    day: date
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class Job:
    title: str
    last_run_at: datetime | None
    summary: str
    late: bool


def overview(user, *, now: datetime) -> dict:
    tz = practice_tz()
    today = now.astimezone(tz).date()
    days = [Day(today + timedelta(days=offset)) for offset in range(DAYS_AHEAD + 1)]
    start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=DAYS_AHEAD + 1)
    for booking in Booking.objects.active().filter(start__gte=start, start__lt=end).with_clashes().order_by("start"):
        days[(booking.start.astimezone(tz).date() - today).days].bookings.append(booking)

    login = StaffLogin.objects.filter(user=user).first()
    since = login.previous_login if login else None
    # The first time, everything is new: the latest bookings.
    new = (Booking.objects.filter(created_at__gt=since) if since else Booking.objects.all()).order_by("-created_at")

    runs = {run.name: run for run in JobRun.objects.all()}
    jobs = []
    for name, (title, allowed) in JOBS.items():
        run = runs.get(name)
        late = run is None or now - run.last_run_at > allowed
        # Development has no timers; only a live site should call a quiet job a problem.
        jobs.append(
            Job(title, run.last_run_at if run else None, run.summary if run else "", late and not settings.DEBUG)
        )

    return {
        "today": today,
        "days": days,
        "since": since,
        "new_bookings": list(new[:20]),
        "unsent": list(
            OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__gt=0).select_related(
                "booking", "waiting", "question"
            )[:20]
        ),
        "open_questions": list(Question.objects.open().order_by("created_at")[:20]),
        "waiting_count": WaitingEntry.objects.waiting(now).count(),
        "jobs": jobs,
        "failing_calendars": list(CalendarSource.objects.active().exclude(last_error="")),
    }
