# Written by hand.
"""Images stored before every metadata block was removed are cleaned once.

Until now a JPEG's comment (and whatever else Pillow wrote back on its own) could stay in
a stored original and in every size made from it. This rewrites each stored original that
carries more than its pixels and colour profile, and removes every size made so far; the
sizes are made again, clean, the first time a page shows them.

A migration rather than a management command: `migrate` is already a step of every
deployment and update (README, "Putting it online"), so no site can skip it, and it runs
exactly once. It only reads and writes files; running it again changes nothing.
"""

from django.core.files.storage import default_storage
from django.db import migrations

UPLOAD_FOLDER = "afbeeldingen"  # Image.file's upload_to


def clean_stored_images(apps, schema_editor):
    from content import imaging

    Image = apps.get_model("content", "Image")
    names = {name for name in Image.objects.values_list("file", flat=True) if name}
    imaging.clean_stored_images(default_storage, names | set(imaging.stored_names(default_storage, UPLOAD_FOLDER)))


class Migration(migrations.Migration):
    dependencies = [("content", "0012_privacy_waiting_list_and_questions")]

    operations = [migrations.RunPython(clean_stored_images, migrations.RunPython.noop)]
