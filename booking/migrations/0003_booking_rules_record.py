"""The one booking-rules record, with its defaults, so bookings always have a row to lock."""

from django.db import migrations


def create(apps, schema_editor):
    BookingRules = apps.get_model("booking", "BookingRules")
    if not BookingRules.objects.exists():
        BookingRules.objects.create()


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_no_overlapping_bookings")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
