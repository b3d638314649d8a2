from pathlib import Path

from django.core.management.base import BaseCommand

from practice import backup


class Command(BaseCommand):
    help = "Writes a consistent backup of the database (SQLite: online backup API; PostgreSQL: pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write; default: backups/praktijk-<time>.<ext>")

    def handle(self, *args, output=None, **options):
        target = backup.backup(output or backup.default_path(Path("backups")))
        self.stdout.write(str(target))
