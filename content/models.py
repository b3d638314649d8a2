import math

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from . import imaging
from .markup import EDITOR_EXTENSIONS, plain_text, render_html

# Paths that belong to the site itself; a page may not take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "artikelen",
        "zoeken",
        "kennismaking",
        "agenda",
        "static",
        "media",
        "sitemap.xml",
        "robots.txt",
        "healthz",
        "home",
    }
)

BODY_HELP = _(
    "Schrijf zoals in een tekstverwerker. De knoppen boven de tekst maken een tussenkop, "
    "vet of schuin, een opsomming, een citaat, een link of een afbeelding. "
    "Typ [[adres]], [[telefoon]], [[email]], [[klachtenfunctionaris]] of een andere "
    "praktijkgegeven tussen dubbele haken: de website vult het vanzelf in."
)


class Image(models.Model):
    """A photo or picture for the website, uploaded in the admin without its metadata."""

    file = models.ImageField(
        _("bestand"),
        upload_to="afbeeldingen/",
        width_field="width",
        height_field="height",
        help_text=_(
            "Een foto (JPEG), PNG of WebP van hoogstens 10 MB. Plaats- en cameragegevens "
            "worden bij het opslaan verwijderd."
        ),
    )
    alt_text = models.CharField(
        _("beschrijving voor wie niet kan zien"),
        max_length=250,
        help_text=_(
            "Wat staat er op de afbeelding, in één zin? Een schermlezer leest dit voor aan wie "
            "blind of slechtziend is. Bijvoorbeeld: 'Marieke zit in een lichte praktijkruimte "
            "met twee stoelen bij het raam.' Begin niet met 'Afbeelding van'."
        ),
    )
    caption = models.CharField(
        _("bijschrift"),
        max_length=250,
        blank=True,
        help_text=_("Staat onder de afbeelding als het een toelichting nodig heeft. Mag leeg blijven."),
    )
    width = models.PositiveIntegerField(_("breedte"), editable=False, default=0)
    height = models.PositiveIntegerField(_("hoogte"), editable=False, default=0)
    uploaded_at = models.DateTimeField(_("geüpload op"), auto_now_add=True)

    class Meta:
        verbose_name = _("afbeelding")
        verbose_name_plural = _("afbeeldingen")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.alt_text

    def renditions(self, image_format: str) -> list[imaging.Size]:
        return imaging.renditions(self.file, self.width, image_format)

    @property
    def thumbnail_url(self) -> str:
        return imaging.rendition(self.file, imaging.rendition_widths(self.width)[0], "JPEG").url

    @property
    def display_width(self) -> int:
        return min(self.width, imaging.WIDTHS[-1])

    @property
    def display_height(self) -> int:
        return round(self.height * self.display_width / self.width) if self.width else 0


class WrittenText(models.Model):
    """What the therapist writes: HTML from the editor, kept with its sanitized copy so pages need not redo it."""

    # Sanitized on the way in as well, so the editor never even loads markup we would not show.
    body = ProseEditorField(_("tekst"), extensions=EDITOR_EXTENSIONS, sanitize=render_html, help_text=BODY_HELP)
    body_html = models.TextField(editable=False, blank=True)
    # PostgreSQL's full-text document of title, description and text, kept up to date on
    # save and searched through a GIN index (migration content/0010); empty on SQLite,
    # whose search matches words instead (content/search.py).
    search_vector = SearchVectorField(null=True, editable=False)
    # The words of the text without its markup, for SQLite's word search.
    body_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    # (field, weight) of the search document; the description field differs per model.
    SEARCH_FIELDS: tuple[tuple[str, str], ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_html(self.body)
        self.body_text = plain_text(self.body_html)
        self.text_rendered()
        super().save(*args, **kwargs)
        if connection.vendor == "postgresql":
            type(self).objects.filter(pk=self.pk).update(search_vector=self.search_document())

    def text_rendered(self) -> None:
        """Called on save once body_html and body_text are made, before the row is written."""

    @classmethod
    def search_document(cls):
        from django.contrib.postgres.search import SearchVector

        vectors = [SearchVector(field, weight=weight, config="dutch") for field, weight in cls.SEARCH_FIELDS]
        document = vectors[0]
        for vector in vectors[1:]:
            document = document + vector
        return document


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Page(WrittenText):
    class Kind(models.TextChoices):
        HOME = "home", _("Startpagina")
        THEME = "theme", _("Thema (waar mensen mee worstelen)")
        METHOD = "method", _("Therapievorm")
        INFO = "info", _("Informatie over de praktijk")

    title = models.CharField(_("titel"), max_length=120, help_text=_("De kop bovenaan de pagina."))
    slug = models.SlugField(
        _("webadres"),
        max_length=80,
        unique=True,
        help_text=_(
            "Het stukje na de / in het adres, bijvoorbeeld 'hechtingsproblematiek'. "
            "Alleen kleine letters, cijfers en streepjes."
        ),
    )
    kind = models.CharField(
        _("soort pagina"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.INFO,
        help_text=_("Bij een thema komen onderaan de artikelen die erbij horen."),
    )
    lead = models.CharField(
        _("ondertitel"),
        max_length=200,
        blank=True,
        help_text=_("Een korte zin onder de titel. Mag leeg blijven."),
    )
    meta_description = models.CharField(
        _("korte omschrijving"),
        max_length=200,
        help_text=_(
            "Eén of twee zinnen over deze pagina. Zoekmachines tonen deze tekst "
            "onder de titel, en hij verschijnt bij het delen van een link."
        ),
    )
    cta_text = models.TextField(
        _("tekst bij de uitnodiging"),
        blank=True,
        help_text=_(
            "Staat onderaan de pagina boven de knop 'Plan een gratis kennismaking'. Laat leeg voor de standaardtekst."
        ),
    )
    in_navigation = models.BooleanField(
        _("in het menu"),
        default=False,
        help_text=_("Toon deze pagina in het menu bovenaan elke pagina."),
    )
    navigation_order = models.PositiveSmallIntegerField(
        _("volgorde in het menu"),
        default=50,
        help_text=_("Lager getal staat eerder in het menu."),
    )
    is_published = models.BooleanField(
        _("zichtbaar op de website"),
        default=True,
        help_text=_("Zet uit om de pagina tijdelijk te verbergen."),
    )

    objects = PageQuerySet.as_manager()

    # Every save is kept: she can see what changed and go back to an earlier version.
    history = HistoricalRecords(excluded_fields=["body_html", "body_text", "search_vector"])

    SEARCH_FIELDS = (("title", "A"), ("meta_description", "B"), ("body_html", "C"))

    class Meta:
        verbose_name = _("pagina")
        verbose_name_plural = _("pagina's")
        ordering = ["kind", "navigation_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="home"),
                name="content_page_one_home",
                violation_error_message=_("Er is al een startpagina."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.HOME:
            return reverse("content:home")
        return reverse("content:page", kwargs={"slug": self.slug})

    def clean(self):
        # The home page lives at / and keeps 'home' as its slug; no other page may take
        # a path the site itself uses.
        reserved = RESERVED_SLUGS | {settings.ADMIN_URL.strip("/").split("/")[0]}
        if self.slug in reserved and not (self.kind == self.Kind.HOME and self.slug == "home"):
            raise ValidationError({"slug": _("Dit webadres is al in gebruik door de website zelf. Kies een ander.")})

    @property
    def is_theme(self) -> bool:
        return self.kind == self.Kind.THEME

    @property
    def schema_type(self) -> str:
        if self.kind in (self.Kind.THEME, self.Kind.METHOD):
            return "MedicalWebPage"
        return "WebPage"

    # The fees page also says how soon someone can start.
    FEES_SLUG = "werkwijze-en-tarieven"

    @property
    def shows_waiting_time(self) -> bool:
        return self.slug == self.FEES_SLUG

    # Clients want to see who they will meet: her photo is on the home page and here.
    ABOUT_SLUG = "over-mij"

    @property
    def shows_therapist_photo(self) -> bool:
        return self.slug == self.ABOUT_SLUG

    # The question form itself is one page on (/kennismaking/vraag/): a form here would set a
    # cookie on a page that is only read, and keep it out of the cache.
    CONTACT_SLUG = "contact"

    @property
    def shows_question_invite(self) -> bool:
        return self.slug == self.CONTACT_SLUG


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one rule for what visitors may see: switched on and its date has come."""
        return self.filter(is_published=True, published_at__lte=now or timezone.now())

    def for_cards(self):
        """What a list of article cards needs, in one query, without the (long) texts."""
        return self.select_related("image").only(
            "title", "slug", "summary", "published_at", "reading_minutes", "is_published", "image"
        )


class Article(WrittenText):
    title = models.CharField(_("titel"), max_length=160)
    slug = models.SlugField(
        _("webadres"),
        max_length=100,
        unique=True,
        help_text=_("Het artikel komt op /artikelen/webadres/. Alleen kleine letters, cijfers en streepjes."),
    )
    summary = models.CharField(
        _("samenvatting"),
        max_length=300,
        help_text=_(
            "Eén tot drie zinnen. Staat in het overzicht van artikelen, in zoekmachines en bij het delen van een link."
        ),
    )
    author = models.CharField(
        _("auteur"),
        max_length=120,
        blank=True,
        help_text=_("Laat leeg om de naam van de therapeut uit de praktijkgegevens te gebruiken."),
    )
    published_at = models.DateTimeField(
        _("publicatiedatum"),
        default=timezone.now,
        help_text=_("Een datum in de toekomst: het artikel verschijnt vanzelf op die dag en tijd."),
    )
    is_published = models.BooleanField(
        _("klaar om te publiceren"),
        default=False,
        help_text=_("Zolang dit uit staat, is het artikel een concept dat alleen u ziet."),
    )
    themes = models.ManyToManyField(
        Page,
        verbose_name=_("thema's"),
        related_name="articles",
        blank=True,
        limit_choices_to={"kind": Page.Kind.THEME},
        help_text=_("Het artikel verschijnt onderaan deze themapagina's."),
    )

    reading_minutes = models.PositiveSmallIntegerField(_("leestijd in minuten"), default=1, editable=False)
    text_changed_at = models.DateTimeField(
        _("tekst gewijzigd op"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Wanneer titel, samenvatting of tekst voor het laatst veranderde."),
    )
    image = models.ForeignKey(
        Image,
        verbose_name=_("afbeelding bij het artikel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Staat bovenaan het artikel en in het overzicht van artikelen. Mag leeg blijven."),
    )

    objects = ArticleQuerySet.as_manager()

    # Every save is kept: she can see what changed and go back to an earlier version.
    history = HistoricalRecords(
        excluded_fields=["body_html", "body_text", "search_vector", "reading_minutes", "text_changed_at"]
    )

    SEARCH_FIELDS = (("title", "A"), ("summary", "B"), ("body_html", "C"))

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artikelen")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["is_published", "-published_at"], name="content_article_public")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content:article", kwargs={"slug": self.slug})

    def text_rendered(self) -> None:
        # About 200 words a minute for Dutch prose read on a screen; kept, so a list of
        # cards does not read every text again.
        self.reading_minutes = max(1, math.ceil(len(self.body_text.split()) / 200))
        if self.pk is not None:
            before = Article.objects.filter(pk=self.pk).values("title", "summary", "body_html").first()
            now = {"title": self.title, "summary": self.summary, "body_html": self.body_html}
            if before is not None and before != now:
                self.text_changed_at = timezone.now()

    @property
    def was_updated(self) -> bool:
        """Only a real change of the text after it appeared counts, not a re-save or a load."""
        return self.text_changed_at is not None and self.text_changed_at.date() > self.published_at.date()

    @property
    def modified_at(self):
        return max(self.text_changed_at or self.published_at, self.published_at)


class PracticeDetails(models.Model):
    """The practice's own details: one record, shown on every page."""

    practice_name = models.CharField(_("naam van de praktijk"), max_length=120)
    therapist_name = models.CharField(_("naam van de therapeut"), max_length=120)
    therapist_title = models.CharField(
        _("beroep"),
        max_length=120,
        default="Psychosociaal therapeut",
        help_text=_("Zoals het onder uw naam staat, bijvoorbeeld 'Psychosociaal therapeut'."),
    )
    therapist_photo = models.ForeignKey(
        Image,
        verbose_name=_("foto van de therapeut"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Staat op de startpagina en bij 'Over mij'. Mensen willen graag zien bij wie ze komen: "
            "een rustige foto waarop uw gezicht goed te zien is."
        ),
    )
    street = models.CharField(_("straat en huisnummer"), max_length=120)
    postal_code = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("plaats"), max_length=80)
    phone = models.CharField(
        _("telefoonnummer"),
        max_length=30,
        validators=[
            RegexValidator(
                r"^\+?[0-9 ()\-]{6,30}$",
                _("Gebruik alleen cijfers, spaties, streepjes, haakjes of een + ervoor, bijvoorbeeld 012 345 67 89."),
            )
        ],
        help_text=_("Zoals bezoekers het zien; op een telefoon kunnen ze erop tikken om te bellen."),
    )
    email = models.EmailField(
        _("e-mailadres"),
        help_text=_(
            "Bezoekers zien dit adres. Meldingen over kennismakingen en vragen komen hier binnen, en cliënten "
            "antwoorden hierop. Alleen wie de boekingsregels mag wijzigen, kan het aanpassen."
        ),
    )
    kvk_number = models.CharField(_("KvK-nummer"), max_length=40, help_text=_("Kamer van Koophandel."))
    agb_code = models.CharField(
        _("AGB-code"),
        max_length=120,
        blank=True,
        help_text=_("De AGB-code(s) van praktijk en therapeut; zorgverzekeraars vragen ernaar."),
    )
    registrations = models.TextField(
        _("registraties en beroepsvereniging"),
        blank=True,
        help_text=_("Bijvoorbeeld uw beroepsvereniging en registratie. Eén per regel."),
    )
    complaints_officer = models.TextField(
        _("klachtenfunctionaris"),
        help_text=_("Naam en bereikbaarheid van de onafhankelijke klachtenfunctionaris (Wkkgz)."),
    )
    disputes_body = models.TextField(
        _("geschilleninstantie"),
        help_text=_("De erkende geschilleninstantie waarbij de praktijk is aangesloten (Wkkgz)."),
    )
    crisis_text = models.TextField(
        _("tekst bij acute nood"),
        default=(
            "Bel 112. Heb je snel een arts nodig? Bel je huisarts, of 's avonds "
            "en in het weekend de huisartsenpost. Denk je aan zelfdoding? Bel 113 Zelfmoordpreventie "
            "via 0800-0113 (gratis, dag en nacht) of chat via 113.nl."
        ),
        help_text=_("Staat onderaan elke pagina. Deze praktijk is geen crisisdienst."),
    )
    waiting_time = models.CharField(
        _("wachttijd"),
        max_length=200,
        blank=True,
        help_text=_(
            "Hoe snel iemand na de kennismaking kan beginnen, bijvoorbeeld 'Er is ruimte: je kunt binnen twee "
            "weken starten.' Staat op de startpagina, bij de tarieven en bij het plannen. Leeg: niet tonen."
        ),
    )
    waiting_time_updated = models.DateField(
        _("wachttijd bijgewerkt op"),
        null=True,
        blank=True,
        help_text=_("Wordt vanzelf ingevuld als u de wachttijd verandert; bezoekers zien deze datum."),
    )
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    # Every save is kept: she can see what changed and go back to an earlier version.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("praktijkgegevens")
        verbose_name_plural = _("praktijkgegevens")

    def __str__(self) -> str:
        return str(self.practice_name)

    @classmethod
    def load(cls) -> "PracticeDetails | None":
        return cls.objects.select_related("therapist_photo").order_by("pk").first()

    @property
    def registration_lines(self) -> list[str]:
        return [line.strip() for line in self.registrations.splitlines() if line.strip()]


@receiver(post_delete, sender=Image, dispatch_uid="content_image_files")
def remove_image_files(sender, instance: Image, **kwargs) -> None:
    """A deleted image leaves no copy behind: not the original, not one of its sizes."""
    if not instance.file:
        return
    storage = instance.file.storage
    names = [instance.file.name, *imaging.rendition_names(instance.file, instance.width)]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
