"""Private self-service links and video rooms per intake; overlap triggers bounded on both sides.

- The self-service link carries a random key of its own instead of the booking's UUID.
- Each online intake gets its own video room; the rules keep an address with {room}.
- SQLite's overlap triggers look only at bookings that start within a day of the new one,
  so an insert reads a few rows through the start index instead of the whole history.
"""

import secrets

from django.db import migrations, models

import booking.models

_OVERLAP = (
    "SELECT RAISE(ABORT, 'booking_no_overlap') WHERE EXISTS ("
    " SELECT 1 FROM booking_booking AS other"
    ' WHERE other."start" > datetime(NEW."start", \'-1 day\')'
    ' AND other."start" < NEW.occupied_until'
    " AND other.id IS NOT NEW.id"
    " AND other.status NOT IN ('cancelled_client', 'cancelled_practice')"
    ' AND NEW."start" < other.occupied_until);'
)
_ACTIVE = "NEW.status NOT IN ('cancelled_client', 'cancelled_practice')"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking_booking WHEN {_ACTIVE} BEGIN {_OVERLAP} END",
    'CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF "start", occupied_until, status '
    f"ON booking_booking WHEN {_ACTIVE} BEGIN {_OVERLAP} END",
]


def bounded_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS booking_no_overlap_insert")
    schema_editor.execute("DROP TRIGGER IF EXISTS booking_no_overlap_update")
    for statement in SQLITE_TRIGGERS:
        schema_editor.execute(statement)


def keys_and_rooms(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    BookingRules = apps.get_model("booking", "BookingRules")
    for booking_id, kind, status in Booking.objects.values_list("pk", "kind", "status"):
        room = secrets.token_hex(16) if kind == "online" and not status.startswith("cancelled") else ""
        Booking.objects.filter(pk=booking_id).update(link_key=secrets.token_urlsafe(16), video_room=room)
    # A single shared link becomes the base of a room per intake.
    for rules in BookingRules.objects.exclude(video_link_template="").exclude(video_link_template__contains="{room}"):
        rules.video_link_template = rules.video_link_template.rstrip("/") + "-{room}"
        if rules.video_link_template.startswith("http://"):
            rules.video_link_template = "https://" + rules.video_link_template.removeprefix("http://")
        rules.save(update_fields=["video_link_template"])


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_privacy")]

    operations = [
        migrations.RenameField(model_name="bookingrules", old_name="video_link", new_name="video_link_template"),
        migrations.AddField(
            model_name="booking",
            name="link_key",
            field=models.CharField(
                db_index=True,
                default=booking.models.new_link_key,
                editable=False,
                help_text="Staat in de link waarmee de cliënt het gesprek verzet of afzegt.",
                max_length=32,
                verbose_name="sleutel voor de persoonlijke link",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="video_room",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="De eigen, onraadbare naam van de videoruimte van dit gesprek.",
                max_length=64,
                verbose_name="videoruimte",
            ),
        ),
        migrations.AlterField(
            model_name="bookingrules",
            name="video_link_template",
            field=models.URLField(
                blank=True,
                help_text="Elk online gesprek krijgt een eigen videoruimte met een onraadbare naam. Geef hier het adres met {room} op de plek van de naam, bijvoorbeeld https://meet.jit.si/praktijk-{room}. Cliënten zien alleen de link van hun eigen gesprek, en alleen zolang het gesprek doorgaat.",
                max_length=300,
                validators=[booking.models.validate_room_template],
                verbose_name="adres van de videoruimtes",
            ),
        ),
        migrations.RunPython(keys_and_rooms, migrations.RunPython.noop),
        migrations.RunPython(bounded_triggers, migrations.RunPython.noop),
    ]
