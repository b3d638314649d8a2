from django.core.management.base import BaseCommand

from practice import encryption


class Command(BaseCommand):
    help = (
        "Encrypts every stored secret again with the first key of DJANGO_ENCRYPTION_KEYS, so that the "
        "other keys can be dropped afterwards."
    )

    def handle(self, *args, **options):
        count = encryption.rotate_all()
        self.stdout.write(f"{count} opgeslagen geheim(en) opnieuw versleuteld met de eerste sleutel.")
