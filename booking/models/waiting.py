"""The waiting list (entries, requests not yet confirmed, held times, its state) and the questions."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from booking.domain import slots, vocabulary
from booking.domain.wallclock import practice_time

from .bookings import Booking, OfAddressQuerySet, new_link_key
from .schedule import OffersMixin


class WaitingEntryQuerySet(OfAddressQuerySet):
    def waiting(self, now):
        """People still waiting: not booked through the list, not expired. In the order they joined."""
        return self.filter(booked_at__isnull=True, expires_at__gt=now).order_by("created_at", "pk")


PART_CHOICES = vocabulary.PART_CHOICES


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
        names = dict(vocabulary.WEEKDAYS)
        return ", ".join(str(names[day]) for day in sorted(self.days) if day in names)

    @property
    def parts_display(self) -> str:
        names = dict(vocabulary.PART_CHOICES)
        return ", ".join(str(names[part]) for part in vocabulary.PARTS if part in self.parts)


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
        return f"{self.name}, {_('aangemeld')} {practice_time(self.created_at):%d-%m-%Y}"

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


def _hold_is_open(now) -> Q:
    return Q(status=Hold.Status.OPEN, expires_at__gt=now)


class HoldQuerySet(models.QuerySet):
    def open(self, now):
        """Holds that still keep their time for one person (the rule of Hold.is_open, in SQL)."""
        return self.filter(_hold_is_open(now))

    def ran_out(self, now):
        """Holds still marked open whose time has passed: no longer open, not yet passed on."""
        return self.filter(status=Hold.Status.OPEN).exclude(_hold_is_open(now))


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
        return f"{practice_time(self.start):%d-%m-%Y %H:%M} ({self.get_status_display()})"

    def as_busy(self) -> slots.Busy:
        return slots.Busy(self.start, self.occupied_until)

    def is_open(self, now) -> bool:
        """Whether this hold still keeps its time for its person (the rule of HoldQuerySet.open)."""
        return self.status == self.Status.OPEN and self.expires_at > now


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
        return f"{self.name}, {practice_time(self.created_at):%d-%m-%Y %H:%M}"
