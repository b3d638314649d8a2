from booking.services import bookings, outbox, waiting
from practice.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Queues a reminder for intakes in the next 24 hours (each exactly once), retries emails "
        "that have not gone out yet, and offers times that came free to the waiting list (passing "
        "on holds that ran out). Safe to run every few minutes, also when runs overlap."
    )
    job = "reminders"

    def run(self, now):
        reminders = bookings.send_reminders(now=now)
        retried = outbox.retry_due(now=now)
        offered = waiting.offer_waiting_times(now=now)
        # Counts only: no names, addresses or times in the log.
        return f"herinneringen: {reminders}, opnieuw geprobeerd: {retried}, wachtlijst aangeboden: {offered}"
