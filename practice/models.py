from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptCounter(models.Model):
    """Attempts counted for a rate limit or a login lock, in the database: unlike a cache,
    nothing a stranger sends can evict a count (and so lift a lock)."""

    key = models.CharField(_("sleutel"), max_length=100, unique=True, help_text=_("Een hash; geen adres of naam."))
    count = models.PositiveIntegerField(_("pogingen"), default=0)
    expires_at = models.DateTimeField(_("verloopt op"), db_index=True)

    class Meta:
        verbose_name = _("teller van pogingen")
        verbose_name_plural = _("tellers van pogingen")

    def __str__(self) -> str:
        return f"{self.count} tot {self.expires_at:%H:%M}"


class StaffLogin(models.Model):
    """When a staff member logged in before this time: 'new since you last logged in'."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE)
    previous_login = models.DateTimeField(_("vorige keer ingelogd"), null=True, blank=True)
    current_login = models.DateTimeField(_("nu ingelogd sinds"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")

    def __str__(self) -> str:
        return str(self.user)


class JobRun(models.Model):
    """The last run of a background job (reminders, calendars, clean-up), for the dashboard."""

    name = models.CharField(_("taak"), max_length=50, unique=True)
    last_run_at = models.DateTimeField(_("laatst gedraaid"))
    summary = models.CharField(_("uitkomst"), max_length=200, blank=True, help_text=_("Alleen aantallen."))

    class Meta:
        verbose_name = _("achtergrondtaak")
        verbose_name_plural = _("achtergrondtaken")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def record(cls, name: str, *, now, summary: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"last_run_at": now, "summary": summary[:200]})
