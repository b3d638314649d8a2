"""The admin for her own calendars."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.calendars import fetching
from booking.models import (
    CalendarSource,
)
from booking.services import tasks
from practice.admin_site import DutchModelAdmin


class CalendarSourceForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Adres"),
        max_length=1000,
        help_text=CalendarSource._meta.get_field("url").help_text,
        widget=forms.URLInput(attrs={"size": 80}),
    )
    password = forms.CharField(
        label=_("App-wachtwoord"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Alleen bij CalDAV. Wordt na opslaan nooit meer getoond. Leeg laten: het oude blijft."),
    )

    class Meta:
        model = CalendarSource
        fields = ["name", "kind", "url", "username", "password", "is_active", "all_busy", "write_intakes"]

    def clean_url(self):
        # Apple hands out webcal:// addresses; they are https:// underneath.
        url = fetching.normalise(self.cleaned_data["url"])
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                _("Dit is geen volledig agenda-adres. Het begint met https:// (of webcal://)."), code="invalid"
            ) from None
        return url

    def clean_password(self):
        # An empty field keeps the stored password: it is never sent to the browser.
        return self.cleaned_data["password"] or (self.instance.password if self.instance.pk else "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == CalendarSource.Kind.CALDAV and not cleaned.get("password"):
            self.add_error("password", _("Vul het app-wachtwoord van het CalDAV-account in."))
        return cleaned


@admin.register(CalendarSource)
class CalendarSourceAdmin(DutchModelAdmin):
    """Mijn agenda's: her own calendars, which decide when she is not free for intakes."""

    form = CalendarSourceForm
    # Few rows and no filters: every column fits beside the menu at 1280 px.
    list_display = ["name", "is_active", "last_success_at", "busy_count", "state"]
    readonly_fields = ["last_success_at", "last_attempt_at", "busy_count", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "url", "is_active"]}),
        (_("Alleen bij CalDAV"), {"fields": ["username", "password", "write_intakes"]}),
        (_("Hoe tellen afspraken?"), {"fields": ["all_busy"]}),
        (_("Laatst gelezen"), {"fields": ["last_success_at", "last_attempt_at", "busy_count", "last_error"]}),
    ]
    actions = ["read_now"]

    @admin.display(description=_("toestand"))
    def state(self, source):
        if not source.is_active:
            return _("uit")
        if source.last_error:
            return source.last_error
        if source.last_success_at is None:
            return _("nog niet gelezen")
        return _("in orde; kennismakingen worden hierin gezet") if source.write_intakes else _("in orde")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Read it soon, so she sees straight away whether it works; pages never wait for it.
        transaction.on_commit(lambda: tasks.sync_calendar_source.enqueue(obj.pk))

    @admin.action(description=_("Nu lezen"), permissions=["change"])
    def read_now(self, request, queryset):
        # Reading happens in the background worker, never in this request: a calendar
        # server that is slow, or a calendar that is heavy, cannot hold up the admin.
        ids = list(queryset.filter(is_active=True).values_list("pk", flat=True))
        for source_id in ids:
            transaction.on_commit(lambda source_id=source_id: tasks.sync_calendar_source.enqueue(source_id))
        if not ids:
            self.message_user(
                request, _("Een agenda die uit staat, wordt niet gelezen. Zet hem eerst aan."), messages.WARNING
            )
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d agenda wordt nu gelezen; ververs deze pagina over een minuut.",
                "%(count)d agenda's worden nu gelezen; ververs deze pagina over een minuut.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
