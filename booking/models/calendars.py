"""Her own calendars and the busy periods read from them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.domain.wallclock import practice_time
from practice.encryption import EncryptedTextField


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
        return f"{practice_time(self.start):%d-%m-%Y %H:%M}–{practice_time(self.end):%H:%M}"
