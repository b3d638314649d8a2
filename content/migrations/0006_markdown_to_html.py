"""Texts were Markdown; the editor writes HTML. Every text, and every kept version of
it, is converted once, with the rules that applied when it was written."""

import re

import markdown
import nh3
from django.db import migrations

# As content.markup allowed them when texts were Markdown; frozen here so that this
# migration converts the same way whatever the module says later.
TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "a",
    "blockquote", "abbr", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
H1 = re.compile(r"<(/?)h1(\s|>)", re.IGNORECASE)


def to_html(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        H1.sub(r"<\1h2\2", html),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )


def convert(apps, schema_editor):
    for name in ("Page", "Article"):
        model = apps.get_model("content", name)
        for pk, body in model.objects.values_list("pk", "body"):
            html = to_html(body)
            model.objects.filter(pk=pk).update(body=html, body_html=html)
        history = apps.get_model("content", f"Historical{name}")
        for history_id, body in history.objects.values_list("history_id", "body"):
            history.objects.filter(history_id=history_id).update(body=to_html(body))


class Migration(migrations.Migration):
    dependencies = [("content", "0005_images_and_editor")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop, elidable=False)]
