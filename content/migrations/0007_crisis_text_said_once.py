"""The footer's heading already says "Bij acute nood"; the default text no longer repeats it.
Only a text still exactly the old default changes; one the therapist wrote stays hers."""

from django.db import migrations

OLD = (
    "Bij acute nood: bel 112. Heb je snel een arts nodig? Bel je huisarts, of 's avonds "
    "en in het weekend de huisartsenpost. Denk je aan zelfdoding? Bel 113 Zelfmoordpreventie "
    "via 0800-0113 (gratis, dag en nacht) of chat via 113.nl."
)
NEW = (
    "Bel 112. Heb je snel een arts nodig? Bel je huisarts, of 's avonds "
    "en in het weekend de huisartsenpost. Denk je aan zelfdoding? Bel 113 Zelfmoordpreventie "
    "via 0800-0113 (gratis, dag en nacht) of chat via 113.nl."
)


def forwards(apps, schema_editor):
    apps.get_model("content", "PracticeDetails").objects.filter(crisis_text=OLD).update(crisis_text=NEW)


def backwards(apps, schema_editor):
    apps.get_model("content", "PracticeDetails").objects.filter(crisis_text=NEW).update(crisis_text=OLD)


class Migration(migrations.Migration):
    dependencies = [("content", "0006_markdown_to_html")]

    operations = [migrations.RunPython(forwards, backwards)]
