"""The first version of the site's text, shipped in content/initial/ as Markdown and
stored as the editor's HTML.

Each file starts with 'key: value' lines, then a line '---', then the body.
Loading only ever adds what is missing: anything that already exists (by its
web address) is left exactly as the therapist has it.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import placeholder_image
from .markup import markdown_to_html
from .models import Article, Page, PracticeDetails

INITIAL_DIR = Path(__file__).resolve().parent / "initial"

DEMO_PRACTICE = {
    "practice_name": "Praktijk Zachte Grond",
    "waiting_time": "Er is ruimte: na de kennismaking kun je binnen twee weken starten.",
    "therapist_name": "Marieke de Voorbeeld",
    "therapist_title": "Psychosociaal therapeut",
    "street": "Voorbeeldstraat 12",
    "postal_code": "1234 AB",
    "city": "Voorbeeldstad",
    "phone": "012 345 67 89",
    "email": "info@praktijk.example",
    "kvk_number": "00000000 (voorbeeld)",
    "agb_code": "praktijk 90-000000, therapeut 90-000001 (voorbeeld)",
    "registrations": (
        "Lid van een beroepsvereniging voor psychosociaal therapeuten (voorbeeld)\n"
        "Geregistreerd in het RBCZ-register onder nummer 000000 (voorbeeld)"
    ),
    "complaints_officer": (
        "De klachtenfunctionaris van de beroepsvereniging (voorbeeld).\n"
        "Bereikbaar via klachten@beroepsvereniging.example."
    ),
    "disputes_body": (
        "De geschilleninstantie van de beroepsvereniging (voorbeeld).\n"
        "Meer informatie via geschillen@beroepsvereniging.example."
    ),
}


@dataclass
class Document:
    fields: dict[str, str]
    body: str


def parse(path: Path) -> Document:
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise ValueError(f"{path.name}: geen regel '---' tussen gegevens en tekst")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return Document(fields, body.strip() + "\n")


def _flag(value: str | None) -> bool:
    return (value or "").lower() in {"true", "ja", "yes", "1"}


@dataclass
class LoadReport:
    created: list[str]
    kept: list[str]


@transaction.atomic
def load_initial_content(directory: Path = INITIAL_DIR) -> LoadReport:
    report = LoadReport(created=[], kept=[])

    if PracticeDetails.objects.exists():
        report.kept.append("praktijkgegevens")
    else:
        PracticeDetails.objects.create(
            **DEMO_PRACTICE,
            waiting_time_updated=timezone.localdate(),
            therapist_photo=placeholder_image.create(),
        )
        report.created.append("praktijkgegevens")

    for path in sorted((directory / "pages").glob("*.md")):
        doc = parse(path)
        kind = doc.fields["kind"]
        exists = Page.objects.filter(slug=doc.fields["slug"]).exists() or (
            kind == Page.Kind.HOME and Page.objects.filter(kind=Page.Kind.HOME).exists()
        )
        if exists:
            report.kept.append(doc.fields["slug"])
            continue
        Page.objects.create(
            title=doc.fields["title"],
            slug=doc.fields["slug"],
            kind=kind,
            lead=doc.fields.get("lead", ""),
            meta_description=doc.fields["meta_description"],
            cta_text=doc.fields.get("cta_text", ""),
            in_navigation=_flag(doc.fields.get("in_navigation")),
            navigation_order=int(doc.fields.get("navigation_order", 50)),
            body=markdown_to_html(doc.body),
        )
        report.created.append(doc.fields["slug"])

    for path in sorted((directory / "articles").glob("*.md")):
        doc = parse(path)
        if Article.objects.filter(slug=doc.fields["slug"]).exists():
            report.kept.append(doc.fields["slug"])
            continue
        published = timezone.make_aware(datetime.strptime(doc.fields["published"], "%Y-%m-%d %H:%M"))
        article = Article.objects.create(
            title=doc.fields["title"],
            slug=doc.fields["slug"],
            summary=doc.fields["summary"],
            body=markdown_to_html(doc.body),
            published_at=published,
            is_published=True,
        )
        theme_slugs = [s.strip() for s in doc.fields.get("themes", "").split(",") if s.strip()]
        article.themes.set(Page.objects.filter(slug__in=theme_slugs, kind=Page.Kind.THEME))
        report.created.append(doc.fields["slug"])

    return report
