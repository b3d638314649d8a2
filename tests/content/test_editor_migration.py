"""Texts written in Markdown before the editor came are converted once, nothing lost."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from content.initial_content import INITIAL_DIR, parse
from tests.helpers import soup, text_of

BEFORE = [("content", "0005_images_and_editor")]
AFTER = [("content", "0006_markdown_to_html")]


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


def test_markdown_pages_articles_and_their_history_become_html(old_schema, client):
    Page = old_schema.get_model("content", "Page")
    HistoricalPage = old_schema.get_model("content", "HistoricalPage")
    seed = parse(INITIAL_DIR / "pages" / "hechtingsproblematiek.md")
    page = Page.objects.create(
        title="Hechtingsproblematiek",
        slug="hechtingsproblematiek",
        kind="theme",
        lead=seed.fields["lead"],
        cta_text=seed.fields["cta_text"],
        meta_description="Over hechting.",
        body=seed.body,
        body_html="",
    )
    Page.objects.create(
        title="Contact",
        slug="contact",
        kind="info",
        meta_description="Contact.",
        body="## Bellen\n\nBel [[telefoon]] of mail [ons]([[email]]).\n\n- een\n- twee\n\n<script>x()</script>",
        body_html="",
    )
    HistoricalPage.objects.create(
        id=page.pk,
        title="Oud",
        slug="hechtingsproblematiek",
        kind="theme",
        meta_description="x",
        body="# Oude kop\n\n**vet**",
        history_date="2026-01-01T00:00:00Z",
        history_type="~",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        lead="",
        cta_text="",
        in_navigation=False,
        navigation_order=1,
        is_published=True,
    )

    apps = migrate(AFTER)
    contact = apps.get_model("content", "Page").objects.get(slug="contact")
    assert contact.body == contact.body_html
    assert contact.body.startswith("<h2>Bellen</h2>")
    assert '<a href="[[email]]">ons</a>' in contact.body and "[[telefoon]]" in contact.body
    assert "<li>een</li>" in contact.body and "<script" not in contact.body
    old = apps.get_model("content", "HistoricalPage").objects.get(title="Oud")
    assert old.body == "<h2>Oude kop</h2>\n<p><strong>vet</strong></p>"

    call_command("migrate", verbosity=0)
    call_command("load_initial_content", verbosity=0)
    # The converted page reads exactly as the practice's text: the seed test's own check.
    response = client.get("/hechtingsproblematiek/")
    assert soup(response).find("article").find("h2")
    from tests.content.test_initial_content import seed_lines

    text = text_of(response).lower()
    position = 0
    for line in seed_lines()[1:]:
        if line == "Mogelijke gevolgen:":
            continue
        position = text.index(line.lower(), position) + len(line)
    contact_page = soup(client.get("/contact/"))
    assert contact_page.find("a", href="tel:0123456789")
