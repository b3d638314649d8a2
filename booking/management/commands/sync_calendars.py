from booking.calendars import sync as calendarsync
from practice.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Reads the therapist's own calendars (.ics addresses and CalDAV accounts) and keeps their busy "
        "periods for the booking horizon. Safe to run every few minutes; a failing calendar keeps its "
        "last good busy periods."
    )
    job = "calendars"

    def run(self, now):
        report = calendarsync.sync_all(now=now)
        # Counts only: no addresses (they are secrets) and no events in the output.
        return f"gelezen: {report.read}, ongewijzigd: {report.unchanged}, mislukt: {report.failed}"
