import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = "Development only: creates an admin account when none exists and prints its password once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin werkt alleen met DJANGO_DEBUG aan (ontwikkeling).")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("Beheeraccount bestaat al; wachtwoord niet opnieuw getoond.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=USERNAME, email="", password=password)
        self.stdout.write(
            "Beheeraccount aangemaakt (alleen voor ontwikkeling). "
            "Bewaar dit, het wordt maar één keer getoond:\n"
            f"  gebruikersnaam: {USERNAME}\n  wachtwoord:     {password}"
        )
