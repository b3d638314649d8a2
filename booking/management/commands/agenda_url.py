from django.core.management.base import BaseCommand

from booking.models import AgendaFeed


class Command(BaseCommand):
    help = "Prints the address of the therapist's private agenda subscription (creates one if there is none)."

    def handle(self, *args, **options):
        feed = AgendaFeed.current()
        if feed is None:
            feed = AgendaFeed.objects.create()
            self.stderr.write("Er was nog geen agenda-abonnement; er is er een aangemaakt.")
        self.stdout.write(feed.full_url)
