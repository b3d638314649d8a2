"""The admin as the therapist's workplace: it opens on her day, and her sections come first.

Sections are grouped by what she does (intakes, availability, the website), not by
how the code is organised; the technical models (accounts, two-factor devices,
background tasks) are only for superusers, at the bottom, in Dutch.
"""

import dataclasses
import re
from datetime import datetime

from django.contrib import admin
from django.contrib.auth import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

GROUPS = [
    (
        _("Kennismakingsgesprekken"),
        [
            ("booking", "Agenda"),
            ("booking", "Booking"),
            ("booking", "Question"),
            ("booking", "WaitingEntry"),
            ("booking", "OutgoingEmail"),
        ],
    ),
    (
        _("Beschikbaarheid"),
        [
            ("booking", "WeeklyWindow"),
            ("booking", "ScheduleException"),
            ("booking", "BookingRules"),
            ("booking", "CalendarSource"),
            ("booking", "AgendaFeed"),
        ],
    ),
    (
        _("Website"),
        [("content", "Page"), ("content", "Article"), ("content", "Image"), ("content", "PracticeDetails")],
    ),
]
TECHNICAL = _("Technisch (alleen voor beheerders)")
# Names of models from libraries, as she would say them.
DUTCH_NAMES = {
    ("otp_totp", "TOTPDevice"): _("Authenticator-apps"),
    ("otp_static", "StaticDevice"): _("Herstelcodes"),
    ("django_tasks_database", "DBTaskResult"): _("Achtergrondtaken"),
}


class PracticeAdminSite(admin.AdminSite):
    site_header = "Praktijkbeheer"
    site_title = "Praktijkbeheer"
    index_title = _("Uw dag")
    index_template = "admin/dashboard.html"

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        apps = self._build_app_dict(request)
        by_name = {}
        for label, app in apps.items():
            for model in app["models"]:
                model["name"] = DUTCH_NAMES.get((label, model["object_name"]), model["name"])
                by_name[(label, model["object_name"])] = (app, model)
        grouped = []
        for title, members in GROUPS:
            found = [by_name.pop(member) for member in members if member in by_name]
            if found:
                first_app = found[0][0]
                grouped.append(
                    {
                        "name": title,
                        "app_label": first_app["app_label"],
                        "app_url": first_app["app_url"],
                        "has_module_perms": True,
                        "models": [model for _app, model in found],
                    }
                )
        if request.user.is_superuser and by_name:
            rest = sorted(by_name.values(), key=lambda pair: str(pair[1]["name"]))
            grouped.append(
                {
                    "name": TECHNICAL,
                    "app_label": rest[0][0]["app_label"],
                    "app_url": rest[0][0]["app_url"],
                    "has_module_perms": True,
                    "models": [model for _app, model in rest],
                }
            )
        return grouped

    def i18n_javascript(self, request, extra_context=None):
        # The text editor's buttons and dialogs in Dutch (content/locale/nl/…/djangojs.po).
        from django.views.i18n import JavaScriptCatalog

        return JavaScriptCatalog.as_view(packages=["django.contrib.admin", "content"])(request)

    def get_urls(self):
        # Django's "view on site" shortcut lets a key of the wrong shape reach the database
        # (a UUID key gives a ValidationError, a 500): any such address is simply not found.
        from django.contrib.contenttypes import views as contenttype_views
        from django.core.exceptions import ValidationError
        from django.http import Http404

        def shortcut(request, content_type_id, object_id):
            try:
                return contenttype_views.shortcut(request, content_type_id, object_id)
            except ValidationError as error:
                raise Http404 from error

        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(str(pattern.pattern), self.admin_view(shortcut), name="view_on_site")
        return urls

    def index(self, request, extra_context=None):
        from booking.admin.dashboard import overview

        # Each panel follows the same permission as the list it summarises.
        visible = {model for model, model_admin in self._registry.items() if model_admin.has_view_permission(request)}
        context = {
            **(extra_context or {}),
            "dashboard": overview(request.user, now=timezone.now(), visible=visible),
        }
        return super().index(request, extra_context=context)


@receiver(user_logged_in, dispatch_uid="practice_remember_previous_login")
def remember_previous_login(sender, request, user, **kwargs):
    from .models import StaffLogin

    if not user.is_staff:
        return
    login, _created = StaffLogin.objects.get_or_create(user=user)
    login.previous_login, login.current_login = login.current_login, timezone.now()
    login.save(update_fields=["previous_login", "current_login"])


# Django's Dutch messages say "De {name} …" for every model; these take "het".
NEUTER_NAMES = {"artikel", "vast moment in de week", "agenda-abonnement", "kennismakingsgesprek"}


class DutchModelAdmin(admin.ModelAdmin):
    """Admin messages in correct Dutch: "Het artikel … is toegevoegd", not "De artikel …"."""

    def message_user(self, request, message, *args, **kwargs):
        name = str(self.model._meta.verbose_name)
        if name in NEUTER_NAMES:
            fixed = re.sub(rf"\bDe {re.escape(name)}\b", f"Het {name}", str(message))
            message = mark_safe(fixed) if isinstance(message, SafeString) else fixed  # noqa: S308 - only a word changed
        super().message_user(request, message, *args, **kwargs)


def around_difference(old: str, new: str, *, context: int = 30, width: int = 120) -> tuple[str, str]:
    """The part of two long texts where they differ, in whole words with a little context
    either side, as a person reads a change."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    same_end = 0
    while same_end < min(len(old), len(new)) - start and old[-1 - same_end] == new[-1 - same_end]:
        same_end += 1

    def excerpt(text: str) -> str:
        begin = max(0, start - context)
        if begin:
            begin = text.find(" ", begin, start) + 1 or begin
        stop = min(len(text), len(text) - same_end + context, begin + width)
        space = text.rfind(" ", len(text) - same_end, stop) if stop < len(text) else -1
        if space > 0:
            stop = space
        return ("…" if begin else "") + text[begin:stop].strip() + ("…" if stop < len(text) else "")

    return excerpt(old), excerpt(new)


class ReadableChanges(HistoricalRecordContextHelper):
    """A changed text shows as the words that changed, not as HTML."""

    def format_delta_change(self, change):
        from content.markup import plain_text

        if isinstance(change.old, str) and isinstance(change.new, str) and "<" in change.old + change.new:
            old, new = around_difference(plain_text(change.old), plain_text(change.new))
            change = dataclasses.replace(change, old=old, new=new)
        elif isinstance(change.old, datetime) or isinstance(change.new, datetime):
            change = dataclasses.replace(change, old=_moment(change.old), new=_moment(change.new))
        return super().format_delta_change(change)


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "j F Y, H:i") if isinstance(value, datetime) else "—"


class History(SimpleHistoryAdmin):
    """ "Geschiedenis" on the form: every saved version, what changed, and a way back to it."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)


class OneRecordHistory(History):
    """A model with one record and its kept versions (the booking rules, the practice details):
    the list opens that record's form straight away (the add form while there is none), its
    history is on that form, and nobody deletes it."""

    def the_record(self):
        """The one record, or None."""
        return self.model._default_manager.order_by("pk").first()

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        record = self.the_record()
        if record is None:
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model._default_manager.exists()

    def has_delete_permission(self, request, obj=None):
        return False
