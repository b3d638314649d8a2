import secrets
import uuid
from datetime import timedelta
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from practice.encryption import EncryptedTextField

from . import slots, video


class Kind(models.TextChoices):
    ONLINE = slots.ONLINE, _("online (video)")
    IN_PERSON = slots.IN_PERSON, _("in de praktijk")


WEEKDAYS = [
    (0, _("maandag")),
    (1, _("dinsdag")),
    (2, _("woensdag")),
    (3, _("donderdag")),
    (4, _("vrijdag")),
    (5, _("zaterdag")),
    (6, _("zondag")),
]


class OffersMixin(models.Model):
    offers_online = models.BooleanField(_("online"), default=True, help_text=_("Kennismaking via video."))
    offers_in_person = models.BooleanField(
        _("in de praktijk"), default=True, help_text=_("Kennismaking in de praktijk.")
    )

    class Meta:
        abstract = True

    @property
    def kinds(self) -> frozenset[str]:
        return self.kinds_of(self.offers_online, self.offers_in_person)

    @staticmethod
    def kinds_of(online: bool, in_person: bool) -> frozenset[str]:
        return frozenset(kind for kind, offered in ((Kind.ONLINE, online), (Kind.IN_PERSON, in_person)) if offered)

    @staticmethod
    def offering(kinds) -> dict[str, bool]:
        """The two fields for a set of kinds."""
        return {"offers_online": Kind.ONLINE in kinds, "offers_in_person": Kind.IN_PERSON in kinds}

    @property
    def kinds_display(self) -> str:
        return " en ".join(str(label) for value, label in Kind.choices if value in self.kinds)


class WeeklyWindow(OffersMixin):
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=WEEKDAYS, help_text=_("Elke week op deze dag."))
    start_time = models.TimeField(_("van"), help_text=_("Vanaf hoe laat, bijvoorbeeld 09:00."))
    end_time = models.TimeField(_("tot"), help_text=_("Tot hoe laat. Het laatste gesprek eindigt uiterlijk dan."))
    valid_from = models.DateField(
        _("geldig vanaf"), null=True, blank=True, help_text=_("Leeg laten: geldt nu al. Handig voor een nieuw rooster.")
    )
    valid_until = models.DateField(
        _("geldig tot en met"), null=True, blank=True, help_text=_("Leeg laten: geldt voor altijd.")
    )

    class Meta:
        verbose_name = _("vast moment in de week")
        verbose_name_plural = _("vaste momenten in de week")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="booking_window_end_after_start",
                violation_error_message=_("De eindtijd moet na de begintijd liggen."),
            ),
            models.CheckConstraint(
                condition=Q(offers_online=True) | Q(offers_in_person=True),
                name="booking_window_offers_a_kind",
                violation_error_message=_("Kies online, in de praktijk, of allebei."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="booking_window_valid_range",
                violation_error_message=_("'Geldig tot en met' kan niet vóór 'geldig vanaf' liggen."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M} ({self.kinds_display})"

    def as_window(self) -> slots.Window:
        return slots.Window(self.weekday, self.start_time, self.end_time, self.kinds, self.valid_from, self.valid_until)


class ScheduleException(OffersMixin):
    class Type(models.TextChoices):
        CLOSED = "closed", _("gesloten (vakantie, ziekte, vrije dag)")
        EXTRA = "extra", _("extra moment")

    type = models.CharField(
        _("soort"),
        max_length=10,
        choices=Type.choices,
        default=Type.CLOSED,
        help_text=_("Gesloten haalt momenten weg; een extra moment voegt er een toe."),
    )
    first_day = models.DateField(_("vanaf datum"), help_text=_("De eerste dag."))
    last_day = models.DateField(
        _("tot en met datum"),
        null=True,
        blank=True,
        help_text=_("Leeg laten voor één dag. Bij een extra moment altijd één dag."),
    )
    start_time = models.TimeField(
        _("van"),
        null=True,
        blank=True,
        help_text=_("Alleen een deel van de dag? Vul dan van en tot in. Leeg: de hele dag."),
    )
    end_time = models.TimeField(_("tot"), null=True, blank=True, help_text=_("Hoort bij 'van'."))
    reason = models.CharField(
        _("reden (alleen voor uzelf)"),
        max_length=120,
        blank=True,
        help_text=_("Bijvoorbeeld 'zomervakantie'. Cliënten zien dit niet."),
    )

    class Meta:
        verbose_name = _("uitzondering")
        verbose_name_plural = _("uitzonderingen (vrij, extra momenten)")
        ordering = ["first_day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=models.F("first_day")),
                name="booking_exception_range",
                violation_error_message=_("'Tot en met' kan niet vóór 'vanaf' liggen."),
            ),
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (Q(start_time__isnull=False) & Q(end_time__isnull=False) & Q(end_time__gt=models.F("start_time"))),
                name="booking_exception_times",
                violation_error_message=_("Vul van én tot in, met de eindtijd na de begintijd, of laat beide leeg."),
            ),
            models.CheckConstraint(
                condition=Q(type="closed")
                | (Q(start_time__isnull=False) & (Q(last_day__isnull=True) | Q(last_day=models.F("first_day")))),
                name="booking_exception_extra_has_times",
                violation_error_message=_("Een extra moment is op één dag en heeft een begin- en eindtijd."),
            ),
        ]

    def __str__(self) -> str:
        days = f"{self.first_day:%d-%m-%Y}" + (
            f" t/m {self.last_day:%d-%m-%Y}" if self.last_day and self.last_day != self.first_day else ""
        )
        hours = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time and self.end_time else ""
        return f"{self.get_type_display()}: {days}{hours}"

    def clean(self):
        if self.type == self.Type.EXTRA and not self.offers_online and not self.offers_in_person:
            raise ValidationError(_("Kies bij een extra moment online, in de praktijk, of allebei."))

    @property
    def end_day(self):
        return self.last_day or self.first_day

    def as_closure(self) -> slots.Closure:
        return slots.Closure(self.first_day, self.end_day, self.start_time, self.end_time)

    def as_extra(self) -> slots.ExtraWindow:
        return slots.ExtraWindow(self.first_day, self.start_time, self.end_time, self.kinds)


ROOM_PLACEHOLDER = "{room}"


def validate_room_template(value: str) -> None:
    if ROOM_PLACEHOLDER not in value:
        raise ValidationError(
            _("Zet {room} in het adres, op de plek waar de naam van de videoruimte hoort."), code="no_room"
        )
    if not value.startswith("https://"):
        raise ValidationError(_("Gebruik een beveiligd adres dat met https:// begint."), code="not_https")


def validate_jitsi_server(value: str) -> None:
    if not value.startswith("https://"):
        raise ValidationError(_("Gebruik een beveiligd adres dat met https:// begint."), code="not_https")
    parts = urlsplit(value)
    if ROOM_PLACEHOLDER in value or parts.query or parts.fragment or parts.path.strip("/"):
        raise ValidationError(
            _("Alleen het adres van de server zelf, zonder iets erachter, bijvoorbeeld https://video.praktijk.nl."),
            code="not_a_server",
        )


# Tokens are HS256 signatures: with a short app secret, anyone holding one client link could
# guess the secret offline and sign links of their own, as moderator, for every room.
JITSI_SECRET_MIN_LENGTH = 32


def new_video_room() -> str:
    # 128 bits: nobody guesses the room of someone else's intake.
    return secrets.token_hex(16)


def new_link_key() -> str:
    return secrets.token_urlsafe(16)


class BookingRules(models.Model):
    """The practice's booking rules: one record."""

    slot_minutes = models.PositiveSmallIntegerField(
        _("lengte van een gesprek (minuten)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text=_("Hoe lang een kennismakingsgesprek duurt."),
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("pauze na een gesprek (minuten)"),
        default=10,
        validators=[MaxValueValidator(120)],
        help_text=_("Tijd tussen twee gesprekken in."),
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimaal vooraf boeken (uren)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_("Hoeveel uur van tevoren iemand uiterlijk kan boeken."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("maximaal vooruit boeken (dagen)"),
        default=42,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Hoe ver vooruit cliënten kunnen kiezen. 42 dagen is 6 weken."),
    )
    max_per_day = models.PositiveSmallIntegerField(
        _("maximaal aantal gesprekken per dag"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leeg laten: geen maximum."),
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("zelf afzeggen of verzetten tot (uren vooraf)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_(
            "Tot hoeveel uur van tevoren cliënten zelf online kunnen afzeggen of verzetten. Daarna bellen of mailen ze."
        ),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("gegevens bewaren na het gesprek (dagen)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Zo lang na het kennismakingsgesprek blijven naam en contactgegevens bewaard, tenzij u aangeeft "
            "dat iemand cliënt wordt. Daarna worden ze onherkenbaar gemaakt. De privacyverklaring noemt dit getal."
        ),
    )
    hold_hours = models.PositiveSmallIntegerField(
        _("wachtlijst: tijd vasthouden (uren)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text=_(
            "Komt er een tijd vrij, dan krijgt de eerste passende persoon op de wachtlijst een e-mail. "
            "Zo lang houdt de website die tijd voor haar of hem vast. Daarna gaat hij naar de volgende."
        ),
    )
    waitlist_days = models.PositiveSmallIntegerField(
        _("wachtlijst: aanmelding geldig (dagen)"),
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_(
            "Zo lang blijft iemand op de wachtlijst staan. Daarna worden de gegevens verwijderd. "
            "De privacyverklaring noemt dit getal."
        ),
    )
    question_retention_days = models.PositiveSmallIntegerField(
        _("vragen bewaren na afhandeling (dagen)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Zo lang blijft een vraag uit het vragenformulier bewaard nadat u hem als afgehandeld hebt "
            "gemarkeerd. Daarna wordt hij verwijderd. De privacyverklaring noemt dit getal."
        ),
    )
    video_link_template = models.URLField(
        _("adres van de videoruimtes"),
        blank=True,
        max_length=300,
        validators=[validate_room_template],
        help_text=_(
            "Elk online gesprek krijgt een eigen videoruimte met een onraadbare naam. Geef hier het adres met "
            "{room} op de plek van de naam, bijvoorbeeld https://meet.jit.si/praktijk-{room}. Cliënten zien "
            "alleen de link van hun eigen gesprek, en alleen zolang het gesprek doorgaat."
        ),
    )
    jitsi_server = models.URLField(
        _("adres van uw eigen Jitsi-server"),
        blank=True,
        max_length=200,
        validators=[validate_jitsi_server],
        help_text=_(
            "Alleen invullen als u een eigen Jitsi-server met tokens hebt; vraag dit aan wie uw website beheert. "
            "Bijvoorbeeld https://video.praktijk.nl. Dan werkt de link van een cliënt alleen voor de eigen "
            "videoruimte, en alleen van een kwartier voor tot een half uur na het gesprek. Het adres van de "
            "videoruimtes hierboven wordt dan niet meer gebruikt."
        ),
    )
    jitsi_app_id = models.CharField(
        _("app-id van de Jitsi-server"),
        max_length=100,
        blank=True,
        help_text=_("Krijgt u van wie de Jitsi-server beheert. Hoort bij het adres hierboven."),
    )
    jitsi_app_secret = EncryptedTextField(
        _("app-geheim van de Jitsi-server"),
        max_length=500,
        blank=True,
        validators=[
            MinLengthValidator(
                JITSI_SECRET_MIN_LENGTH,
                message=_(
                    "Dit app-geheim is te kort: het moet minstens %(limit_value)d tekens hebben. Vraag een "
                    "langer geheim aan wie de Jitsi-server beheert."
                ),
            )
        ],
        help_text=_(
            "Krijgt u van wie de Jitsi-server beheert; minstens 32 tekens. Wordt versleuteld bewaard en na "
            "opslaan nooit meer getoond. Leeg laten: het oude blijft."
        ),
    )
    practice_address = models.TextField(
        _("adres voor gesprekken in de praktijk"),
        blank=True,
        help_text=_("Zoals cliënten het zien, met eventueel een korte routebeschrijving."),
    )
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    # Every save is kept: she can see what changed and go back to an earlier version. Not the
    # Jitsi secret: the history would show it in the clear, and going back keeps the current one.
    history = HistoricalRecords(excluded_fields=["jitsi_app_secret"])

    class Meta:
        verbose_name = _("boekingsregels")
        verbose_name_plural = _("boekingsregels")
        constraints = [
            # A token signed without an app id or secret would lock everyone out of the room.
            models.CheckConstraint(
                condition=(Q(jitsi_server="") & Q(jitsi_app_id="") & Q(jitsi_app_secret=""))
                | (~Q(jitsi_server="") & ~Q(jitsi_app_id="") & ~Q(jitsi_app_secret="")),
                name="booking_rules_jitsi_complete",
                violation_error_message=_(
                    "Vul het adres, de app-id en het app-geheim van de Jitsi-server alle drie in, of laat ze "
                    "alle drie leeg."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Boekingsregels"))

    @classmethod
    def load(cls) -> "BookingRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls()

    @property
    def uses_jitsi_tokens(self) -> bool:
        return bool(self.jitsi_server and self.jitsi_app_id and self.jitsi_app_secret)

    @cached_property
    def therapist_name(self) -> str:
        """Her name in the video room; looked up once per loaded rules, however many links are built."""
        from content.models import PracticeDetails

        practice = PracticeDetails.load()
        return practice.therapist_name if practice else str(_("Praktijk"))

    def video_url(self, booking: "Booking", *, role: str = video.CLIENT) -> str:
        """The link into the video room of one online intake, for its client or for the therapist,
        while it is going ahead; empty otherwise. Every place that shows a video link asks here."""
        if role not in (video.CLIENT, video.THERAPIST):
            raise ValueError(f"unknown role {role!r}")
        if not (booking.video_room and booking.is_active and booking.kind == Kind.ONLINE):
            return ""
        if self.uses_jitsi_tokens:
            therapist = role == video.THERAPIST
            return video.jitsi_link(
                server=self.jitsi_server,
                app_id=self.jitsi_app_id,
                secret=self.jitsi_app_secret,
                room=booking.video_room,
                name=self.therapist_name if therapist else "",
                moderator=therapist,
                start=booking.start,
                end=booking.end,
            )
        if not self.video_link_template:
            return ""
        return self.video_link_template.replace(ROOM_PLACEHOLDER, booking.video_room)

    def as_rules(self) -> slots.Rules:
        return slots.Rules(
            slot_minutes=self.slot_minutes,
            buffer_minutes=self.buffer_minutes,
            min_notice=timedelta(hours=self.min_notice_hours),
            horizon=timedelta(days=self.horizon_days),
            max_per_day=self.max_per_day,
        )


class OfAddressQuerySet(models.QuerySet):
    def of_address(self, email: str):
        """Everything stored with one email address, whatever its capitals."""
        return self.filter(email__iexact=email.strip()) if email.strip() else self.none()


class BookingQuerySet(OfAddressQuerySet):
    def active(self):
        """Bookings that hold their time: everything but cancellations."""
        return self.exclude(status__in=Booking.CANCELLED)

    def upcoming(self, now):
        return self.active().filter(start__gte=now)

    def with_clashes(self):
        """Annotates `clashes`: an active booking that her own calendar, read later, says she is busy for."""
        busy = BusyPeriod.objects.counting().filter(start__lt=models.OuterRef("end"), end__gt=models.OuterRef("start"))
        return self.annotate(
            clashes=models.Case(
                models.When(status__in=Booking.CANCELLED, then=models.Value(False)),
                default=models.Exists(busy),
                output_field=models.BooleanField(),
            )
        )


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("bevestigd")
        CANCELLED_CLIENT = "cancelled_client", _("afgezegd door cliënt")
        CANCELLED_PRACTICE = "cancelled_practice", _("afgezegd door praktijk")
        COMPLETED = "completed", _("gehouden")
        NO_SHOW = "no_show", _("niet verschenen")

    CANCELLED = (Status.CANCELLED_CLIENT, Status.CANCELLED_PRACTICE)

    uuid = models.UUIDField(_("kenmerk"), default=uuid.uuid4, unique=True, editable=False)
    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))
    occupied_until = models.DateTimeField(
        _("bezet tot"),
        editable=False,
        help_text=_("Einde plus de pauze die gold bij het boeken."),
    )
    kind = models.CharField(_("vorm"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    name = models.CharField(_("naam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    note = models.TextField(
        _("wat de cliënt alvast kwijt wilde"),
        max_length=1000,
        blank=True,
        help_text=_("Alleen bewaard als de cliënt daar apart toestemming voor gaf."),
    )
    note_consent = models.BooleanField(_("toestemming om de notitie te bewaren"), default=False)
    privacy_accepted_at = models.DateTimeField(_("privacyverklaring geaccepteerd op"))
    sequence = models.PositiveIntegerField(
        _("versie"),
        default=0,
        editable=False,
        help_text=_("Telt op bij elke wijziging, zodat agenda's de nieuwste versie herkennen."),
    )
    becomes_client = models.BooleanField(
        _("wordt cliënt"),
        default=False,
        help_text=_(
            "Aan: de gegevens blijven bewaard (het dossier loopt verder). Uit: ze worden na de bewaartermijn onherkenbaar gemaakt."
        ),
    )
    anonymised_at = models.DateTimeField(_("onherkenbaar gemaakt op"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True, editable=False)
    video_room = models.CharField(
        _("videoruimte"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("De eigen, onraadbare naam van de videoruimte van dit gesprek."),
    )
    link_key = models.CharField(
        _("sleutel voor de persoonlijke link"),
        max_length=32,
        default=new_link_key,
        db_index=True,
        editable=False,
        help_text=_("Staat in de link waarmee de cliënt het gesprek verzet of afzegt."),
    )
    request_token = models.UUIDField(
        _("formulierkenmerk"),
        unique=True,
        editable=False,
        help_text=_("Voorkomt dubbele boekingen als een formulier twee keer wordt verstuurd."),
    )
    created_at = models.DateTimeField(_("geboekt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("laatst gewijzigd"), auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("kennismakingsgesprek")
        verbose_name_plural = _("kennismakingsgesprekken")
        ordering = ["start"]
        indexes = [models.Index(fields=["start", "status"], name="booking_start_status")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(occupied_until__gte=models.F("end")), name="booking_occupied_after_end"),
            models.CheckConstraint(condition=Q(note="") | Q(note_consent=True), name="booking_note_only_with_consent"),
            # Two active bookings never start at the same moment; overlaps in general are
            # guarded by the exclusion constraint (PostgreSQL) or trigger (SQLite) in migrations.
            models.UniqueConstraint(
                fields=["start"],
                condition=~Q(status__in=["cancelled_client", "cancelled_practice"]),
                name="booking_one_active_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {localtime(self.start):%d-%m-%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status not in self.CANCELLED

    def as_busy(self) -> slots.Busy:
        return slots.Busy(self.start, self.occupied_until)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class AgendaFeed(models.Model):
    """The therapist's private calendar subscription: whoever has the address sees the bookings."""

    token = models.CharField(_("geheime code"), max_length=64, unique=True, default=new_feed_token, editable=False)
    is_active = models.BooleanField(
        _("actief"), default=True, help_text=_("Uit: het adres werkt niet meer, voor niemand.")
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    bookings_changed_at = models.DateTimeField(
        _("gesprekken laatst verwijderd of onherkenbaar gemaakt"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Zo weet uw agendaprogramma dat het de agenda opnieuw moet ophalen."),
    )

    class Meta:
        verbose_name = _("agenda-abonnement")
        verbose_name_plural = _("agenda-abonnement")

    def __str__(self) -> str:
        return str(_("Agenda-abonnement"))

    def get_absolute_url(self) -> str:
        return reverse("booking_feed", kwargs={"token": self.token})

    @property
    def full_url(self) -> str:
        return f"{settings.SITE_URL}{self.get_absolute_url()}"

    @classmethod
    def renew(cls) -> "AgendaFeed":
        """A new secret address; every older one stops working."""
        with transaction.atomic():
            cls.objects.filter(is_active=True).update(is_active=False)
            return cls.objects.create()

    @classmethod
    def bookings_changed(cls, now) -> None:
        """Bookings left the feed without an updated_at of their own to show it (deleted,
        or changed in bulk): move the feed's version on, so calendars fetch it again."""
        cls.objects.update(bookings_changed_at=now)

    @classmethod
    def current(cls) -> "AgendaFeed | None":
        return cls.objects.filter(is_active=True).order_by("-created_at").first()


class Agenda(Booking):
    """Only gives the agenda its own place in the admin menu."""

    class Meta:
        proxy = True
        verbose_name = _("agenda")
        verbose_name_plural = _("agenda")


class WaitingEntryQuerySet(OfAddressQuerySet):
    def waiting(self, now):
        """People still waiting: not booked through the list, not expired. In the order they joined."""
        return self.filter(booked_at__isnull=True, expires_at__gt=now).order_by("created_at", "pk")


PART_CHOICES = [
    ("morning", _("ochtend (tot 12 uur)")),
    ("afternoon", _("middag (12 tot 17 uur)")),
    ("evening", _("avond (vanaf 17 uur)")),
]


class WishesMixin(OffersMixin):
    """Who is waiting, and when she can come: kinds, days of the week and parts of the day."""

    name = models.CharField(_("naam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    days = models.JSONField(_("dagen"), default=list, help_text=_("De dagen van de week die passen (0 is maandag)."))
    parts = models.JSONField(_("dagdelen"), default=list, help_text=_("De delen van de dag die passen."))

    class Meta:
        abstract = True

    @property
    def days_display(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(str(names[day]) for day in sorted(self.days) if day in names)

    @property
    def parts_display(self) -> str:
        names = dict(PART_CHOICES)
        return ", ".join(str(names[part]) for part in ("morning", "afternoon", "evening") if part in self.parts)


class WaitingEntry(WishesMixin):
    """Someone who found no time that fits and asked to hear when one comes free."""

    privacy_accepted_at = models.DateTimeField(_("privacyverklaring geaccepteerd op"))
    created_at = models.DateTimeField(_("aangemeld op"), help_text=_("De volgorde van de wachtlijst."))
    expires_at = models.DateTimeField(
        _("staat op de lijst tot"),
        help_text=_("Daarna krijgt deze persoon geen aanbod meer en verdwijnt van de lijst."),
    )
    booked_at = models.DateTimeField(_("geboekt via de wachtlijst op"), null=True, blank=True, editable=False)
    link_key = models.CharField(
        _("sleutel voor de persoonlijke link"),
        max_length=32,
        default=new_link_key,
        unique=True,
        editable=False,
        help_text=_("Staat in de link waarmee iemand zich afmeldt."),
    )
    request_token = models.UUIDField(
        _("formulierkenmerk"),
        unique=True,
        editable=False,
        help_text=_("Voorkomt een dubbele aanmelding als een formulier twee keer wordt verstuurd."),
    )

    objects = WaitingEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("wachtende")
        verbose_name_plural = _("wachtlijst")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offers_online=True) | Q(offers_in_person=True),
                name="booking_waiting_wants_a_kind",
                violation_error_message=_("Kies online, in de praktijk, of allebei."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="booking_waiting_expires_after_joining"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {_('aangemeld')} {localtime(self.created_at):%d-%m-%Y}"

    def clean(self):
        if self.created_at and self.expires_at and self.expires_at <= self.created_at:
            raise ValidationError({"expires_at": _("Deze datum moet na de aanmelding liggen.")})


class WaitingRequest(WishesMixin):
    """What someone filled in on the waiting-list form, kept until the person behind the email
    address confirms it through the link sent there. Until then nothing on the list changes:
    anyone can type anyone's address.

    One per address: a newer form for the same address replaces the data, and the link
    already sent shows the newest (`version` tells a confirmation what it was shown).
    """

    privacy_accepted_at = models.DateTimeField(_("privacyverklaring geaccepteerd op"))
    created_at = models.DateTimeField(_("ingevuld op"))
    expires_at = models.DateTimeField(_("te bevestigen tot"))
    emailed_at = models.DateTimeField(_("laatste e-mail om te bevestigen"))
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)
    link_key = models.CharField(max_length=32, default=new_link_key, unique=True, editable=False)
    request_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = OfAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("aanmelding voor de wachtlijst, nog niet bevestigd")
        verbose_name_plural = _("aanmeldingen voor de wachtlijst, nog niet bevestigd")
        ordering = ["created_at", "pk"]
        constraints = [
            # However the address is capitalised: one pending request, one link, one email at a time.
            models.UniqueConstraint(Lower("email"), name="booking_one_request_per_address"),
            models.CheckConstraint(
                condition=Q(offers_online=True) | Q(offers_in_person=True), name="booking_request_wants_a_kind"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="booking_request_expires_after_it_was_made"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({_('nog niet bevestigd')})"


class HoldQuerySet(models.QuerySet):
    def open(self, now):
        """Holds that still keep their time for one person."""
        return self.filter(status=Hold.Status.OPEN, expires_at__gt=now)


class Hold(OffersMixin):
    """A free moment kept for one waiting person for a while: nobody else is offered it meanwhile."""

    class Status(models.TextChoices):
        OPEN = "open", _("wordt vastgehouden")
        BOOKED = "booked", _("geboekt")
        EXPIRED = "expired", _("verlopen, doorgegeven")
        WITHDRAWN = "withdrawn", _("vervallen")

    entry = models.ForeignKey(WaitingEntry, verbose_name=_("wachtende"), on_delete=models.CASCADE, related_name="holds")
    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))
    occupied_until = models.DateTimeField(_("bezet tot"), help_text=_("Einde plus de pauze."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    offered_at = models.DateTimeField(_("aangeboden op"))
    expires_at = models.DateTimeField(_("vastgehouden tot"))
    by_practice = models.BooleanField(_("door u aangeboden"), default=False)
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("kennismakingsgesprek"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holds",
    )
    link_key = models.CharField(max_length=32, default=new_link_key, unique=True, editable=False)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("aangeboden tijd")
        verbose_name_plural = _("aangeboden tijden")
        ordering = ["-offered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_hold_end_after_start"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("offered_at")), name="booking_hold_expires_after_offer"
            ),
            # One person at a time per moment, and one moment at a time per person.
            models.UniqueConstraint(
                fields=["start"], condition=Q(status="open"), name="booking_one_open_hold_per_start"
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="open"), name="booking_one_open_hold_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{localtime(self.start):%d-%m-%Y %H:%M} ({self.get_status_display()})"

    def as_busy(self) -> slots.Busy:
        return slots.Busy(self.start, self.occupied_until)


class WaitlistState(models.Model):
    """What was free at the waiting list's last look: only what is free after it is news."""

    known = models.JSONField(default=list)
    known_until = models.DateTimeField(null=True)
    # Moments that came free while everyone they suit held another time.
    pending = models.JSONField(default=list)
    checked_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("stand van de wachtlijst")
        verbose_name_plural = _("stand van de wachtlijst")

    def __str__(self) -> str:
        return str(_("Stand van de wachtlijst"))

    @classmethod
    def locked(cls) -> "WaitlistState":
        """The one record, locked for this transaction (created on first use)."""
        state = cls.objects.select_for_update().order_by("pk").first()
        return state if state is not None else cls.objects.create()


class QuestionQuerySet(OfAddressQuerySet):
    def open(self):
        return self.filter(handled_at__isnull=True)


class Question(models.Model):
    """A question sent through the site: it stays here and never travels by email."""

    name = models.CharField(_("naam"), max_length=100)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    text = models.TextField(_("vraag"), max_length=2000)
    privacy_accepted_at = models.DateTimeField(_("privacyverklaring geaccepteerd op"))
    created_at = models.DateTimeField(_("ontvangen op"))
    handled_at = models.DateTimeField(
        _("afgehandeld op"),
        null=True,
        blank=True,
        help_text=_("Na het antwoord (per telefoon of e-mail). Na de bewaartermijn wordt de vraag verwijderd."),
    )
    request_token = models.UUIDField(_("formulierkenmerk"), unique=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}, {localtime(self.created_at):%d-%m-%Y %H:%M}"


def _exactly_one_of(*fields: str) -> Q:
    """A condition that holds when exactly one of these foreign keys is set."""
    first, *others = [Q(**{f"{field}__isnull": field != chosen for field in fields}) for chosen in fields]
    for branch in others:
        first |= branch
    return first


# What an outbox row can be about: exactly one of these (the check constraint below).
OUTGOING_ABOUT = ("booking", "waiting", "question", "waiting_request")


class OutgoingEmail(models.Model):
    """An email the site owes someone, or an intake it owes her own calendar: kept until it
    has really gone out.

    Written in the same transaction as the change it reports, sent after commit by a
    background task, and retried with growing pauses while the mail server fails.
    Holds no text: the message is built from the booking when it is sent.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("bevestiging aan cliënt")
        REMINDER = "reminder", _("herinnering aan cliënt")
        CANCELLATION = "cancellation", _("afzegging aan cliënt")
        RESCHEDULE = "reschedule", _("verzetting aan cliënt")
        PRACTICE_NEW = "practice_new", _("nieuwe boeking aan praktijk")
        PRACTICE_CANCELLATION = "practice_cancellation", _("afzegging aan praktijk")
        PRACTICE_RESCHEDULE = "practice_reschedule", _("verzetting aan praktijk")
        OWN_CALENDAR = "own_calendar", _("in uw eigen agenda gezet")
        WAITLIST_JOINED = "waitlist_joined", _("aanmelding wachtlijst")
        WAITLIST_OFFER = "waitlist_offer", _("vrijgekomen tijd aangeboden")
        WAITLIST_CONFIRM = "waitlist_confirm", _("aanmelding wachtlijst bevestigen")
        QUESTION_RECEIVED = "question_received", _("vraag ontvangen, aan de vrager")
        PRACTICE_QUESTION = "practice_question", _("nieuwe vraag aan praktijk")

    # What the email is about: exactly one of these (an offer names its hold too).
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("kennismakingsgesprek"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    waiting = models.ForeignKey(
        WaitingEntry,
        verbose_name=_("wachtende"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    hold = models.ForeignKey(
        Hold, verbose_name=_("aangeboden tijd"), null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("vraag"), null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    waiting_request = models.ForeignKey(
        WaitingRequest,
        verbose_name=_("aanmelding, nog niet bevestigd"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    practice_message = models.TextField(
        _("bericht van de praktijk"), blank=True, help_text=_("Uw eigen woorden bij een afzegging.")
    )
    previous_start = models.DateTimeField(_("vorige tijd"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="booking_email_pending")]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(*OUTGOING_ABOUT),
                name="booking_email_about_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(hold__isnull=True) | Q(waiting__isnull=False), name="booking_email_hold_has_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.about})"

    @property
    def about(self):
        return next(filter(None, (getattr(self, field) for field in OUTGOING_ABOUT)), None)


class CalendarSourceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CalendarSource(models.Model):
    """One of the therapist's own calendars: when it has something, she is not free for intakes."""

    class Kind(models.TextChoices):
        ICS = "ics", _("agenda-adres (.ics)")
        CALDAV = "caldav", _("CalDAV-account")

    name = models.CharField(_("naam"), max_length=80, help_text=_("Voor uzelf, bijvoorbeeld 'Google-agenda praktijk'."))
    kind = models.CharField(
        _("soort"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.ICS,
        help_text=_("Een agenda-adres dat eindigt op .ics, of een CalDAV-account (bijvoorbeeld iCloud of Nextcloud)."),
    )
    url = models.URLField(
        _("adres"),
        max_length=1000,
        help_text=_(
            "Het geheime agenda-adres (.ics), of bij CalDAV het adres van de server of van één agenda. "
            "Behandel het als een wachtwoord."
        ),
    )
    username = models.CharField(_("gebruikersnaam"), max_length=200, blank=True, help_text=_("Alleen bij CalDAV."))
    password = EncryptedTextField(
        _("app-wachtwoord"),
        max_length=500,
        blank=True,
        help_text=_(
            "Alleen bij CalDAV. Wordt versleuteld bewaard en na opslaan nooit meer getoond. Leeg laten: het oude blijft."
        ),
    )
    is_active = models.BooleanField(_("aan"), default=True, help_text=_("Uit: deze agenda telt niet mee."))
    all_busy = models.BooleanField(
        _("elke afspraak telt als bezet"),
        default=False,
        help_text=_(
            "Aan: ook afspraken die in uw agenda als 'vrij' of 'beschikbaar' staan houden een tijd bezet. "
            "Handig als uw agenda-app dat onderscheid niet kan maken."
        ),
    )
    write_intakes = models.BooleanField(
        _("kennismakingen hierin zetten"),
        default=False,
        help_text=_(
            "Alleen bij CalDAV, voor één agenda: elke kennismaking komt er meteen in te staan, en verhuist "
            "of vervalt mee. Zonder notitie van de cliënt."
        ),
    )
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("laatst gelukt"), null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("laatst geprobeerd"), null=True, blank=True, editable=False)
    failing_since = models.DateTimeField(_("lukt niet sinds"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("laatste foutmelding"), max_length=300, blank=True, editable=False)
    busy_count = models.PositiveIntegerField(_("bezette blokken"), default=0, editable=False)
    created_at = models.DateTimeField(_("toegevoegd op"), auto_now_add=True)

    objects = CalendarSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("eigen agenda")
        verbose_name_plural = _("mijn agenda's")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["write_intakes"], condition=Q(write_intakes=True), name="booking_one_calendar_target"
            ),
            models.CheckConstraint(
                condition=Q(write_intakes=False) | Q(kind="caldav"), name="booking_calendar_target_is_caldav"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # What decides which busy periods a read gives. The stored ETag and Last-Modified
    # belong to the last read: after a change here the server's "304, nothing changed"
    # says nothing about the new settings, so they are forgotten and the next read is whole.
    READ_SETTINGS = ("kind", "url", "username", "all_busy")

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        saved = [f for f in self.READ_SETTINGS if update_fields is None or f in update_fields]
        if self.pk is not None and saved:
            stored = type(self).objects.filter(pk=self.pk).values(*saved).first()
            if stored is not None and any(stored[field] != getattr(self, field) for field in saved):
                self.etag = self.last_modified = ""
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "etag", "last_modified"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.write_intakes and self.kind != self.Kind.CALDAV:
            raise ValidationError(
                {"write_intakes": _("Kennismakingen kunnen alleen in een CalDAV-agenda worden gezet.")}
            )
        if self.kind == self.Kind.CALDAV and not self.username:
            raise ValidationError({"username": _("Vul de gebruikersnaam van het CalDAV-account in.")})

    @classmethod
    def target(cls) -> "CalendarSource | None":
        """The calendar intakes are written into, if she chose one."""
        return cls.objects.filter(write_intakes=True, kind=cls.Kind.CALDAV, is_active=True).first()


class BusyPeriodQuerySet(models.QuerySet):
    def counting(self):
        """Busy time that counts: from sources that are switched on."""
        return self.filter(source__is_active=True)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)


class BusyPeriod(models.Model):
    """A stretch of time in which the therapist is busy in her own calendar: only start and end,
    never what or with whom."""

    source = models.ForeignKey(
        CalendarSource, verbose_name=_("agenda"), on_delete=models.CASCADE, related_name="busy_periods"
    )
    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))

    objects = BusyPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("bezette tijd")
        verbose_name_plural = _("bezette tijden")
        ordering = ["start"]
        indexes = [models.Index(fields=["start", "end"], name="booking_busy_start_end")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_busy_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{localtime(self.start):%d-%m-%Y %H:%M}–{localtime(self.end):%H:%M}"
