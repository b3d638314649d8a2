from django.core.management.base import BaseCommand

from content.initial_content import load_initial_content


class Command(BaseCommand):
    help = "Adds the first version of the pages, articles and practice details; never changes what exists."

    def handle(self, *args, **options):
        report = load_initial_content()
        self.stdout.write(
            f"Startinhoud: {len(report.created)} toegevoegd, {len(report.kept)} al aanwezig (niet aangeraakt)."
        )
