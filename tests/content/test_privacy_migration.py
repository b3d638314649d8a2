"""A site that ran before the waiting list and the question form gets both in its privacy statement."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.helpers import text_of

BEFORE = [("content", "0011_body_text")]
AFTER = [("content", "0012_privacy_waiting_list_and_questions")]
OLD = (
    "<h2>Als je een kennismaking plant</h2>\n<p>Ik bewaar je naam.</p>\n"
    "<p>De website en de e-mail draaien bij een hostingbedrijf in de Europese Unie.</p>\n"
    "<h2>Je rechten</h2>\n<p>Je mag je gegevens inzien.</p>\n"
)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    call_command("migrate", verbosity=0)


def page(apps, slug, body):
    return apps.get_model("content", "Page").objects.create(
        title=slug.title(), slug=slug, kind="info", meta_description="x", body=body, body_html=body
    )


def test_the_privacy_statement_gains_both_sections_before_the_hosting_paragraph(old_schema, client):
    page(old_schema, "privacyverklaring", OLD)
    own = "<p>Mijn eigen tekst over de wachtlijst.</p>"
    page(old_schema, "andere-pagina", OLD)
    migrate(AFTER)
    from content.models import Page

    statement = Page.objects.get(slug="privacyverklaring")
    body = statement.body
    assert body.index("Als je op de wachtlijst staat") < body.index("Als je een vraag stelt")
    assert body.index("Als je een vraag stelt") < body.index("De website en de e-mail draaien")
    assert "Als je op de wachtlijst staat" in statement.body_html and "wachtlijst" in statement.body_text
    assert "Als je op de wachtlijst" not in Page.objects.get(slug="andere-pagina").body
    text = text_of(client.get("/privacyverklaring/"))
    assert "Je staat 60 dagen op de lijst" in text and "30 dagen nadat ik je vraag heb afgehandeld" in text
    # Run again (a re-run, or a statement she already updated herself): nothing doubled.
    migrate(BEFORE)
    Page.objects.filter(slug="privacyverklaring").update(body=own, body_html=own)
    migrate(AFTER)
    assert Page.objects.get(slug="privacyverklaring").body == own
