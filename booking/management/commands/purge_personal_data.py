from booking.services import privacy
from practice import ratelimit
from practice.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Deletes clients' notes once the intake has taken place, and anonymises bookings the configured "
        "number of days after it unless marked 'wordt cliënt'. Idempotent; run daily."
    )
    job = "purge"

    def run(self, now):
        report = privacy.purge(now=now)
        counters = ratelimit.forget_expired(now=now)
        return (
            f"notities verwijderd: {report.notes_removed}, onherkenbaar gemaakt: {report.anonymised}, "
            f"wachtlijst verwijderd: {report.waiting_removed}, "
            f"onbevestigde aanmeldingen verwijderd: {report.requests_removed}, "
            f"vragen verwijderd: {report.questions_removed}, "
            f"verlopen tellers opgeruimd: {counters}"
        )
