"""The admin for when she works: weekly moments, exceptions, the booking rules."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.models import (
    BookingRules,
    ScheduleException,
    WeeklyWindow,
)
from practice.admin_site import DutchModelAdmin, OneRecordHistory


@admin.register(WeeklyWindow)
class WeeklyWindowAdmin(DutchModelAdmin):
    list_display = [
        "weekday",
        "start_time",
        "end_time",
        "offers_online",
        "offers_in_person",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["weekday", "offers_online", "offers_in_person"]
    fieldsets = [
        (None, {"fields": ["weekday", ("start_time", "end_time")]}),
        (_("Welke kennismaking"), {"fields": ["offers_online", "offers_in_person"]}),
        (_("Tijdelijk rooster"), {"fields": ["valid_from", "valid_until"]}),
    ]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(DutchModelAdmin):
    list_display = ["__str__", "type", "first_day", "last_day", "start_time", "end_time", "reason"]
    list_filter = ["type"]
    date_hierarchy = "first_day"
    fieldsets = [
        (None, {"fields": ["type", ("first_day", "last_day"), ("start_time", "end_time"), "reason"]}),
        (_("Alleen bij een extra moment"), {"fields": ["offers_online", "offers_in_person"]}),
    ]


class BookingRulesForm(forms.ModelForm):
    jitsi_app_secret = forms.CharField(
        label=_("App-geheim van de Jitsi-server"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=BookingRules._meta.get_field("jitsi_app_secret").help_text,
    )

    class Meta:
        model = BookingRules
        # The admin adds the other fields from its fieldsets (with its https:// default for addresses).
        fields = ["jitsi_app_secret"]

    def clean_jitsi_app_secret(self):
        # An empty field keeps the stored secret: it is never sent to the browser.
        return self.cleaned_data["jitsi_app_secret"] or (self.instance.jitsi_app_secret if self.instance.pk else "")

    def clean(self):
        cleaned = super().clean()
        server, app_id = cleaned.get("jitsi_server"), cleaned.get("jitsi_app_id")
        if not server and not app_id and "jitsi_server" not in self.errors:
            # Address and app id emptied: the tokens are switched off, and the secret goes with them.
            cleaned["jitsi_app_secret"] = ""
            return cleaned
        if not server and "jitsi_server" not in self.errors:
            self.add_error("jitsi_server", _("Vul ook het adres van de Jitsi-server in."))
        if not app_id:
            self.add_error("jitsi_app_id", _("Vul ook de app-id van de Jitsi-server in."))
        if not cleaned.get("jitsi_app_secret"):
            self.add_error("jitsi_app_secret", _("Vul ook het app-geheim van de Jitsi-server in."))
        return cleaned


@admin.register(BookingRules)
class BookingRulesAdmin(OneRecordHistory, DutchModelAdmin):
    form = BookingRulesForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (_("Gesprekken"), {"fields": ["slot_minutes", "buffer_minutes", "max_per_day"]}),
        (_("Wanneer cliënten kunnen boeken"), {"fields": ["min_notice_hours", "horizon_days", "cancel_hours"]}),
        (_("Wachtlijst"), {"fields": ["hold_hours", "waitlist_days"]}),
        (_("Privacy"), {"fields": ["retention_days", "question_retention_days"]}),
        (_("Waar"), {"fields": ["video_link_template", "practice_address"]}),
        (
            _("Video: eigen Jitsi-server"),
            {
                "fields": ["jitsi_server", "jitsi_app_id", "jitsi_app_secret"],
                "description": _(
                    "Alleen invullen als u een eigen Jitsi-server met tokens hebt; vraag dit aan wie uw website "
                    "beheert. Dan werkt de link van een cliënt alleen voor dat ene gesprek, en alleen rond de tijd "
                    "ervan. Met uw eigen link (in uw agenda, bij het gesprek hier en in de e-mails aan de praktijk) "
                    "leidt u het gesprek."
                ),
            },
        ),
    ]

    # The rules always exist: made with their defaults the first time she opens them.
    def the_record(self):
        return super().the_record() or BookingRules.objects.create()

    def has_add_permission(self, request):
        return False
