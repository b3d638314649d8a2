"""Her CalDAV password encrypted at rest (practice/encryption.py), and fields for a Jitsi server of
her own whose app secret is stored the same way (never in the rules' history)."""

import django.core.validators
from django.db import migrations, models

import booking.models
import practice.encryption


def _passwords(schema_editor, apps):
    table = apps.get_model("booking", "CalendarSource")._meta.db_table
    return schema_editor.connection, schema_editor.connection.ops.quote_name(table)


def encrypt_stored_passwords(apps, schema_editor):
    """Passwords stored before this migration were plain text: encrypt each one in place.
    Raw SQL, because the field would try to decrypt what is still plain."""
    from practice import encryption

    connection, table = _passwords(schema_editor, apps)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, password FROM {table} WHERE password <> ''")  # noqa: S608 - our own table
        for pk, value in cursor.fetchall():
            if not encryption.is_encrypted(value):
                cursor.execute(f"UPDATE {table} SET password = %s WHERE id = %s", [encryption.encrypt(value), pk])  # noqa: S608


def decrypt_stored_passwords(apps, schema_editor):
    from practice import encryption

    connection, table = _passwords(schema_editor, apps)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, password FROM {table} WHERE password <> ''")  # noqa: S608 - our own table
        for pk, value in cursor.fetchall():
            if encryption.is_encrypted(value):
                cursor.execute(f"UPDATE {table} SET password = %s WHERE id = %s", [encryption.decrypt(value), pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0014_waiting_confirmation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="calendarsource",
            name="password",
            field=practice.encryption.EncryptedTextField(
                blank=True,
                help_text="Alleen bij CalDAV. Wordt versleuteld bewaard en na opslaan nooit meer getoond. Leeg laten: het oude blijft.",
                max_length=500,
                verbose_name="app-wachtwoord",
            ),
        ),
        migrations.RunPython(encrypt_stored_passwords, decrypt_stored_passwords),
        migrations.AddField(
            model_name="bookingrules",
            name="jitsi_app_id",
            field=models.CharField(
                blank=True,
                help_text="Krijgt u van wie de Jitsi-server beheert. Hoort bij het adres hierboven.",
                max_length=100,
                verbose_name="app-id van de Jitsi-server",
            ),
        ),
        migrations.AddField(
            model_name="bookingrules",
            name="jitsi_app_secret",
            field=practice.encryption.EncryptedTextField(
                blank=True,
                help_text="Krijgt u van wie de Jitsi-server beheert; minstens 32 tekens. Wordt versleuteld bewaard en na opslaan nooit meer getoond. Leeg laten: het oude blijft.",
                max_length=500,
                validators=[
                    django.core.validators.MinLengthValidator(
                        32,
                        message="Dit app-geheim is te kort: het moet minstens %(limit_value)d tekens hebben. Vraag een langer geheim aan wie de Jitsi-server beheert.",
                    )
                ],
                verbose_name="app-geheim van de Jitsi-server",
            ),
        ),
        migrations.AddField(
            model_name="bookingrules",
            name="jitsi_server",
            field=models.URLField(
                blank=True,
                help_text="Alleen invullen als u een eigen Jitsi-server met tokens hebt; vraag dit aan wie uw website beheert. Bijvoorbeeld https://video.praktijk.nl. Dan werkt de link van een cliënt alleen voor de eigen videoruimte, en alleen van een kwartier voor tot een half uur na het gesprek. Het adres van de videoruimtes hierboven wordt dan niet meer gebruikt.",
                validators=[booking.models.validate_jitsi_server],
                verbose_name="adres van uw eigen Jitsi-server",
            ),
        ),
        migrations.AddField(
            model_name="historicalbookingrules",
            name="jitsi_app_id",
            field=models.CharField(
                blank=True,
                help_text="Krijgt u van wie de Jitsi-server beheert. Hoort bij het adres hierboven.",
                max_length=100,
                verbose_name="app-id van de Jitsi-server",
            ),
        ),
        migrations.AddField(
            model_name="historicalbookingrules",
            name="jitsi_server",
            field=models.URLField(
                blank=True,
                help_text="Alleen invullen als u een eigen Jitsi-server met tokens hebt; vraag dit aan wie uw website beheert. Bijvoorbeeld https://video.praktijk.nl. Dan werkt de link van een cliënt alleen voor de eigen videoruimte, en alleen van een kwartier voor tot een half uur na het gesprek. Het adres van de videoruimtes hierboven wordt dan niet meer gebruikt.",
                validators=[booking.models.validate_jitsi_server],
                verbose_name="adres van uw eigen Jitsi-server",
            ),
        ),
        migrations.AddConstraint(
            model_name="bookingrules",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("jitsi_server", ""), ("jitsi_app_id", ""), ("jitsi_app_secret", "")),
                    models.Q(
                        models.Q(("jitsi_server", ""), _negated=True),
                        models.Q(("jitsi_app_id", ""), _negated=True),
                        models.Q(("jitsi_app_secret", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="booking_rules_jitsi_complete",
                violation_error_message="Vul het adres, de app-id en het app-geheim van de Jitsi-server alle drie in, of laat ze alle drie leeg.",
            ),
        ),
    ]
