"""The intakes themselves, and her private agenda subscription."""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.domain import links, slots
from booking.domain.wallclock import practice_time

from .calendars import BusyPeriod
from .schedule import Kind


def new_video_room() -> str:
    # 128 bits: nobody guesses the room of someone else's intake.
    return links.new_secret(16, hex=True)


def new_link_key() -> str:
    return links.new_secret(16)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("bevestigd")
    CANCELLED_CLIENT = "cancelled_client", _("afgezegd door cliënt")
    CANCELLED_PRACTICE = "cancelled_practice", _("afgezegd door praktijk")
    COMPLETED = "completed", _("gehouden")
    NO_SHOW = "no_show", _("niet verschenen")


# The one list of what no longer holds its time. "Active" is every other status: the
# queries below, the unique constraint on start, and the database's own overlap guard
# (db_guards.py, whose SQL is built from this) all read it here.
CANCELLED = (BookingStatus.CANCELLED_CLIENT, BookingStatus.CANCELLED_PRACTICE)
# What the client or the practice can still change (cancel, move, remind, mark as held).
CHANGEABLE = BookingStatus.CONFIRMED


class OfAddressQuerySet(models.QuerySet):
    def of_address(self, email: str):
        """Everything stored with one email address, whatever its capitals."""
        return self.filter(email__iexact=email.strip()) if email.strip() else self.none()


class BookingQuerySet(OfAddressQuerySet):
    def active(self):
        """Bookings that hold their time: everything but cancellations."""
        return self.exclude(status__in=Booking.CANCELLED)

    def changeable(self):
        """Bookings that can still be changed: cancelled, moved, reminded of, marked as held."""
        return self.filter(status=CHANGEABLE)

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
    Status = BookingStatus
    CANCELLED = CANCELLED

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
                condition=~Q(status__in=list(CANCELLED)),
                name="booking_one_active_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {practice_time(self.start):%d-%m-%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status not in self.CANCELLED

    @property
    def is_changeable(self) -> bool:
        return self.status == CHANGEABLE

    def as_busy(self) -> slots.Busy:
        return slots.Busy(self.start, self.occupied_until)


def new_feed_token() -> str:
    return links.new_secret(32)


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
