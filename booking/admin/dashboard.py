"""What the admin's start page shows the therapist: her coming intakes, what is new, what needs her."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from booking.models import OUTGOING_ABOUT, Booking, CalendarSource, OutgoingEmail, Question, WaitingEntry
from booking.services.schedule import practice_tz
from practice.models import JobRun, StaffLogin

DAYS_AHEAD = 7
# Jobs the timers run every few minutes or nightly; quiet for longer than this means a problem.
# Each is shown to whoever may see what it works on.
JOBS = {
    "reminders": (_("Herinneringen en e-mails opnieuw"), timedelta(minutes=30), OutgoingEmail),
    "calendars": (_("Eigen agenda's lezen"), timedelta(minutes=30), CalendarSource),
    "purge": (_("Persoonsgegevens opruimen"), timedelta(hours=36), Booking),
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


def overview(user, *, now: datetime, visible: Collection[type[Model]]) -> dict:
    """What this account may see: `visible` are the models whose admin list it may open. A panel
    about any other model is None and is not even read, so the template leaves it out instead
    of showing it empty."""
    tz = practice_tz()
    today = now.astimezone(tz).date()
    board: dict = {
        "today": today,
        "days": None,
        "since": None,
        "new_bookings": None,
        "unsent": None,
        "open_questions": None,
        "waiting_count": None,
        "failing_calendars": None,
        "jobs": [],
    }
    if Booking in visible:
        days = [Day(today + timedelta(days=offset)) for offset in range(DAYS_AHEAD + 1)]
        start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
        end = start + timedelta(days=DAYS_AHEAD + 1)
        coming = Booking.objects.active().filter(start__gte=start, start__lt=end).with_clashes().order_by("start")
        for booking in coming:
            days[(booking.start.astimezone(tz).date() - today).days].bookings.append(booking)
        login = StaffLogin.objects.filter(user=user).first()
        since = login.previous_login if login else None
        # The first time, everything is new: the latest bookings.
        new = (Booking.objects.filter(created_at__gt=since) if since else Booking.objects.all()).order_by("-created_at")
        board.update(days=days, since=since, new_bookings=list(new[:20]))
    if OutgoingEmail in visible:
        board["unsent"] = list(
            OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__gt=0).select_related(*OUTGOING_ABOUT)[:20]
        )
    if Question in visible:
        board["open_questions"] = list(Question.objects.open().order_by("created_at")[:20])
    if WaitingEntry in visible:
        board["waiting_count"] = WaitingEntry.objects.waiting(now).count()
    if CalendarSource in visible:
        board["failing_calendars"] = list(CalendarSource.objects.active().exclude(last_error=""))

    runs = {run.name: run for run in JobRun.objects.all()}
    for name, (title, allowed, about) in JOBS.items():
        if about not in visible:
            continue
        run = runs.get(name)
        late = run is None or now - run.last_run_at > allowed
        # Development has no timers; only a live site should call a quiet job a problem.
        board["jobs"].append(
            Job(title, run.last_run_at if run else None, run.summary if run else "", late and not settings.DEBUG)
        )
    board["attention"] = bool(board["jobs"]) or any(board[key] is not None for key in ("unsent", "failing_calendars"))
    board["anything"] = board["attention"] or any(
        board[key] is not None for key in ("days", "new_bookings", "open_questions", "waiting_count")
    )
    return board
