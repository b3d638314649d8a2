"""When she works: the weekly moments, the exceptions, and the booking rules (one record)."""

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from booking.domain import slots, video, vocabulary

if TYPE_CHECKING:
    from .bookings import Booking
from practice.encryption import EncryptedTextField


class Kind(models.TextChoices):
    ONLINE = vocabulary.ONLINE, vocabulary.KIND_LABELS[vocabulary.ONLINE]
    IN_PERSON = vocabulary.IN_PERSON, vocabulary.KIND_LABELS[vocabulary.IN_PERSON]


WEEKDAYS = vocabulary.WEEKDAYS


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
