"""New recovery codes for a staff account whose phone is lost: `manage.py recovery_codes USERNAME`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practice.twofactor import new_recovery_codes


class Command(BaseCommand):
    help = "Maakt tien nieuwe herstelcodes voor een beheeraccount; de oude codes werken daarna niet meer."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"Geen beheeraccount met gebruikersnaam {username!r}.")
        self.stdout.write(f"Nieuwe herstelcodes voor {username} (elke code werkt één keer):")
        for code in new_recovery_codes(user):
            self.stdout.write(f"  {code}")
