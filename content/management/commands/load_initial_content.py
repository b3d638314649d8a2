from django.core.management.base import BaseCommand

from booking.services.initial import load_demo_schedule
from content.initial_content import load_initial_content


class Command(BaseCommand):
    help = "Adds the first version of the pages, articles, practice details and a demo schedule; never changes what exists."

    def handle(self, *args, **options):
        report = load_initial_content()
        schedule = load_demo_schedule()
        self.stdout.write(
            f"Startinhoud: {len(report.created)} toegevoegd, {len(report.kept)} al aanwezig (niet aangeraakt)."
        )
        self.stdout.write(
            "Demorooster: " + (", ".join(schedule) + " toegevoegd." if schedule else "al ingesteld (niet aangeraakt).")
        )
