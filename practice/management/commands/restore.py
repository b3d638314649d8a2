from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practice import backup


class Command(BaseCommand):
    help = "Replaces the database with a backup made by `manage.py backup`. Stop the site first."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, yes=False, **options):
        if not source.exists():
            raise CommandError(f"{source} bestaat niet.")
        if not yes and input(f"Alle huidige gegevens vervangen door {source}? Typ 'ja': ").strip() != "ja":
            raise CommandError("Niets gedaan.")
        backup.restore(source)
        self.stdout.write(f"Teruggezet: {source}")
