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
