from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from content.models import PracticeDetails
from practice.admin_site import DutchModelAdmin, History

from . import calendar, calendarsync, fetching, privacy, services, tasks, video
from .agenda import build_agenda
from .choice import parse_slot_code, slot_code
from .models import (
    OUTGOING_ABOUT,
    PART_CHOICES,
    WEEKDAYS,
    Agenda,
    AgendaFeed,
    Booking,
    BookingRules,
    CalendarSource,
    Hold,
    OutgoingEmail,
    Question,
    ScheduleException,
    WaitingEntry,
    WaitingRequest,
    WeeklyWindow,
)


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
class BookingRulesAdmin(History, DutchModelAdmin):
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

    # One record: open it straight away.
    def changelist_view(self, request, extra_context=None):
        rules = BookingRules.objects.order_by("pk").first() or BookingRules.objects.create()
        return redirect(reverse("admin:booking_bookingrules_change", args=[rules.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WhenFilter(admin.SimpleListFilter):
    title = _("wanneer")
    parameter_name = "wanneer"

    def lookups(self, request, model_admin):
        return [("komend", _("Komend")), ("geweest", _("Geweest")), ("alle", _("Alle"))]

    # The list opens on what is coming up, which is what she checks most.
    def value(self):
        return super().value() or "komend"

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "komend":
            return queryset.filter(start__gte=now)
        if self.value() == "geweest":
            return queryset.filter(start__lt=now)
        return queryset


class EmailPendingFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [("wacht", _("Nog niet verstuurd"))]

    def queryset(self, request, queryset):
        if self.value() == "wacht":
            return queryset.filter(emails__sent_at__isnull=True).distinct()
        return queryset


class SameAddressFilter(admin.SimpleListFilter):
    title = _("zelfde e-mailadres")
    parameter_name = "adres"

    def lookups(self, request, model_admin):
        return [("meer", _("Meer dan één komend gesprek"))]

    def queryset(self, request, queryset):
        if self.value() == "meer":
            return queryset.active().filter(same_address=True)
        return queryset


@admin.register(Booking)
class BookingAdmin(DutchModelAdmin):
    # Few columns, so that nothing is cut off at 1280 px beside the menu and the filters.
    list_display = ["start", "name", "kind", "status", "email", "attention"]
    list_display_links = ["start", "name"]
    list_filter = [WhenFilter, "status", "kind", SameAddressFilter, EmailPendingFilter]
    date_hierarchy = "start"
    search_fields = ["name", "email"]
    actions = ["cancel_by_practice", "mark_completed", "mark_no_show", "mark_becomes_client", "export_ics"]
    change_list_template = "admin/booking/booking/change_list.html"
    # Bookings are made by clients; the therapist changes them only through the actions,
    # which keep the database's guarantees (no revived cancellation, no overlap).
    readonly_fields = [
        "start",
        "end",
        "kind",
        "status",
        "name",
        "email",
        "phone",
        "note",
        "note_consent",
        "privacy_accepted_at",
        "created_at",
        "updated_at",
        "anonymised_at",
        "video_link",
    ]
    fieldsets = [
        (None, {"fields": ["start", "end", "kind", "status", "video_link"]}),
        (_("Cliënt"), {"fields": ["name", "email", "phone", "note", "note_consent", "becomes_client"]}),
        (_("Vastgelegd"), {"fields": ["privacy_accepted_at", "created_at", "updated_at", "anonymised_at"]}),
    ]

    def get_queryset(self, request):
        pending = OutgoingEmail.objects.filter(booking=OuterRef("pk"), sent_at__isnull=True)
        # Someone may book twice with one address (nobody is told an address already has an
        # intake); the therapist sees it here.
        others = (
            Booking.objects.upcoming(timezone.now())
            .filter(email__iexact=OuterRef("email"))
            .exclude(pk=OuterRef("pk"))
            .exclude(email="")
        )
        return (
            super()
            .get_queryset(request)
            .with_clashes()
            .annotate(email_pending=Exists(pending), same_address=Exists(others))
        )

    @admin.display(description=_("let op"))
    def attention(self, booking):
        """What needs her eye, in words: one column instead of three that would not fit."""
        notes = []
        if booking.same_address and booking.is_active:
            notes.append(_("ook een ander gesprek op dit e-mailadres"))
        if booking.clashes:
            notes.append(_("botst met uw eigen agenda"))
        if booking.email_pending:
            notes.append(_("e-mail wacht op verzending"))
        return "; ".join(str(note) for note in notes) or "–"

    @admin.display(description=_("videoruimte"))
    def video_link(self, booking):
        """Her own way in: with a Jitsi server of her own, as the one who leads the conversation."""
        url = BookingRules.load().video_url(booking, role=video.THERAPIST)
        if not url:
            return "–"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', url, _("Naar de videoruimte van dit gesprek")
        )

    def get_ordering(self, request):
        # Upcoming first, nearest at the top; the past below, most recent first.
        return ["-start"] if request.GET.get("wanneer") == "geweest" else ["start"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        agenda = path("agenda/", self.admin_site.admin_view(self.agenda_view), name="booking_agenda")
        person = path("persoon/", self.admin_site.admin_view(self.person_view), name="booking_person")
        return [agenda, person, *super().get_urls()]

    def _may(self, request, action: str, *models) -> bool:
        """Whether this account may do `action` ("view", "delete") on every one of these models,
        by each model's own admin."""
        registry = self.admin_site._registry
        return all(getattr(registry[model], f"has_{action}_permission")(request) for model in models)

    def person_view(self, request):
        """A data subject request: find everything stored about an email address, export it, or erase it.

        Each part shows only to whoever may see that part in its own list; handing everything
        over (export, overview) needs all of it, and erasing needs permission to delete all of it.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        sees_waiting = self._may(request, "view", WaitingEntry)
        sees_questions = self._may(request, "view", Question)
        sees_all = sees_waiting and sees_questions
        may_erase = self._may(request, "delete", Booking, WaitingEntry, Question)
        email = (request.POST.get("email") or request.GET.get("email") or "").strip()[:254]
        if request.method == "POST" and request.POST.get("erase") == "ja" and email:
            if not may_erase:
                raise PermissionDenied
            count = privacy.erase(email)
            # Without the address: admin messages can wait in the session table.
            self.message_user(
                request,
                ngettext(
                    "Alle gegevens van dit e-mailadres zijn gewist (%(count)d gesprek).",
                    "Alle gegevens van dit e-mailadres zijn gewist (%(count)d gesprekken).",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:booking_person"))
        if email and (request.GET.get("overzicht") or request.GET.get("export")) and not sees_all:
            raise PermissionDenied
        if email and request.GET.get("overzicht"):
            # A readable overview for the person who asked: to print or save as PDF.
            return TemplateResponse(
                request,
                "admin/booking/person_overview.html",
                {
                    "email": email,
                    "bookings": privacy.find(email).prefetch_related("emails"),
                    "waiting": WaitingEntry.objects.of_address(email).prefetch_related("holds"),
                    "requests": WaitingRequest.objects.of_address(email),
                    "questions": Question.objects.of_address(email),
                    "practice": PracticeDetails.load(),
                    "rules": BookingRules.load(),
                    "today": timezone.localdate(),
                },
            )
        if email and request.GET.get("export"):
            response = JsonResponse(privacy.export(email), json_dumps_params={"ensure_ascii": False, "indent": 2})
            response["Content-Disposition"] = 'attachment; filename="gegevens.json"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Gegevens van een persoon"),
            "opts": self.model._meta,
            "email": email,
            "bookings": list(privacy.find(email)) if email else None,
            "waiting": list(WaitingEntry.objects.of_address(email)) if email and sees_waiting else [],
            # Unconfirmed sign-ups belong to the waiting list, and follow its permission.
            "requests": list(WaitingRequest.objects.of_address(email)) if email and sees_waiting else [],
            "questions": list(Question.objects.of_address(email)) if email and sees_questions else [],
            "sees_all": sees_all,
            "can_erase": may_erase,
        }
        return TemplateResponse(request, "admin/booking/person.html", context)

    def agenda_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Agenda"),
            "opts": self.model._meta,
            "weeks": build_agenda(now=now, days=BookingRules.load().horizon_days + 1),
            "failing_sources": list(calendarsync.failing_for_long(now=now)),
        }
        return TemplateResponse(request, "admin/booking/agenda.html", context)

    def _set_status(self, request, queryset, status, done_message):
        changed = services.set_status(
            booking_ids=list(queryset.values_list("pk", flat=True)), status=status, now=timezone.now()
        )
        skipped = queryset.count() - changed
        self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d gesprek is niet veranderd: het was al afgezegd of afgerond, of heeft nog niet plaatsgevonden.",
                    "%(count)d gesprekken zijn niet veranderd: ze waren al afgezegd of afgerond, of hebben nog niet plaatsgevonden.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Markeren: wordt cliënt (gegevens blijven bewaard)"), permissions=["change"])
    def mark_becomes_client(self, request, queryset):
        count = queryset.filter(anonymised_at__isnull=True).update(becomes_client=True)
        self.message_user(
            request, _("%(count)d gesprek(ken) gemarkeerd: wordt cliënt.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Exporteren als agendabestand (.ics)"), permissions=["view"])
    def export_ics(self, request, queryset):
        body = calendar.practice_calendar(queryset.order_by("start"), now=timezone.now())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kennismakingen.ics"'
        return response

    @admin.action(description=_("Afzeggen namens de praktijk (cliënt krijgt bericht)"), permissions=["change"])
    def cancel_by_practice(self, request, queryset):
        confirmed = queryset.filter(status=Booking.Status.CONFIRMED)
        if "apply" not in request.POST:
            # First a page to confirm, with room for a personal message to the client.
            return TemplateResponse(
                request,
                "admin/booking/booking/cancel_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Kennismaking afzeggen"),
                    "opts": self.model._meta,
                    "bookings": confirmed,
                    "skipped": queryset.count() - confirmed.count(),
                    "selected": queryset.values_list("pk", flat=True),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        message = request.POST.get("message", "").strip()[:2000]
        now = timezone.now()
        cancelled = 0
        for booking in confirmed:
            try:
                services.cancel(booking_id=booking.pk, by_practice=True, now=now, message=message)
            except services.NotActive:
                continue
            cancelled += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d gesprek afgezegd; de cliënt krijgt bericht.",
                "%(count)d gesprekken afgezegd; de cliënten krijgen bericht.",
                cancelled,
            )
            % {"count": cancelled},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Markeren als gehouden"), permissions=["change"])
    def mark_completed(self, request, queryset):
        self._set_status(
            request, queryset, Booking.Status.COMPLETED, _("%(count)d gesprek(ken) gemarkeerd als gehouden.")
        )

    @admin.action(description=_("Markeren als niet verschenen"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._set_status(
            request, queryset, Booking.Status.NO_SHOW, _("%(count)d gesprek(ken) gemarkeerd als niet verschenen.")
        )


class ReadOnlyAdmin(DutchModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agenda)
class AgendaAdmin(ReadOnlyAdmin):
    """The menu item 'Agenda' opens the agenda page."""

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:booking_agenda")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("booking.view_booking")


@admin.register(AgendaFeed)
class AgendaFeedAdmin(DutchModelAdmin):
    """The subscription address for her calendar program: make a new one, or switch it off."""

    list_display = ["subscription_address", "is_active", "created_at"]
    readonly_fields = ["subscription_address", "created_at"]
    fields = ["subscription_address", "is_active", "created_at"]
    actions = ["renew", "revoke"]

    @admin.display(description=_("adres om op te abonneren"))
    def subscription_address(self, feed):
        if not feed.pk:
            return _("Verschijnt na opslaan.")
        return feed.full_url if feed.is_active else _("ingetrokken")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Adding one means: a new address, replacing the old.
            obj.pk = AgendaFeed.renew().pk

    @admin.action(description=_("Nieuw adres maken (het oude werkt daarna niet meer)"))
    def renew(self, request, queryset):
        feed = AgendaFeed.renew()
        self.message_user(request, _("Nieuw adres: %(url)s") % {"url": feed.full_url}, messages.SUCCESS)

    @admin.action(description=_("Intrekken (het adres werkt niet meer)"))
    def revoke(self, request, queryset):
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, _("%(count)d adres(sen) ingetrokken.") % {"count": count}, messages.SUCCESS)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """What the site has sent, and what it is still trying to send."""

    list_display = ["created_at", "kind", "about", "sent_at", "attempts", "next_attempt_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "kind"]
    list_select_related = OUTGOING_ABOUT

    @admin.display(description=_("over"))
    def about(self, email):
        return str(email.about)


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


class WaitingEntryForm(forms.ModelForm):
    """Days and parts of the day as checkboxes, as the visitor chose them."""

    days = forms.TypedMultipleChoiceField(
        label=_("dagen"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De dagen van de week die passen."),
    )
    parts = forms.MultipleChoiceField(
        label=_("dagdelen"),
        choices=PART_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De delen van de dag die passen."),
    )

    class Meta:
        model = WaitingEntry
        fields = ["name", "email", "phone", "offers_online", "offers_in_person", "days", "parts", "expires_at"]


class HoldInline(admin.TabularInline):
    model = Hold
    extra = 0
    can_delete = False
    verbose_name_plural = _("aangeboden tijden")
    fields = ["start", "kinds_display", "offered_at", "expires_at", "status", "by_practice", "booking"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("vorm"))
    def kinds_display(self, hold):
        return hold.kinds_display


# Short words for narrow columns and option lists.
SHORT_DAYS = ["ma", "di", "wo", "do", "vr", "za", "zo"]
SHORT_KINDS = [("online", "online"), ("in_person", "praktijk")]


class WaitingStateFilter(admin.SimpleListFilter):
    title = _("stand")
    parameter_name = "stand"

    def lookups(self, request, model_admin):
        return [("wacht", _("wacht nog")), ("geboekt", _("geboekt via de wachtlijst")), ("verlopen", _("verlopen"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "wacht":
            return queryset.waiting(now)
        if self.value() == "geboekt":
            return queryset.filter(booked_at__isnull=False)
        if self.value() == "verlopen":
            return queryset.filter(booked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(WaitingEntry)
class WaitingEntryAdmin(DutchModelAdmin):
    """The waiting list in the order people joined: who, since when, what suits them, what they were offered."""

    form = WaitingEntryForm
    list_display = ["created_at", "name", "wishes", "state", "expires_at"]
    list_display_links = ["created_at", "name"]
    list_filter = [WaitingStateFilter]
    search_fields = ["name", "email"]
    ordering = ["created_at", "pk"]
    inlines = [HoldInline]
    readonly_fields = ["created_at", "privacy_accepted_at", "booked_at", "offer_link"]
    fieldsets = [
        (None, {"fields": ["name", "email", "phone", "created_at", "expires_at", "offer_link"]}),
        (_("Wat past"), {"fields": ["offers_online", "offers_in_person", "days", "parts"]}),
        (_("Vastgelegd"), {"fields": ["privacy_accepted_at", "booked_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("holds")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("wat past"))
    def wishes(self, entry):
        """Short, so that a row stays one or two lines: 'online, praktijk · ma di do · ochtend'."""
        kinds = ", ".join(short for kind, short in SHORT_KINDS if kind in entry.kinds)
        days = " ".join(SHORT_DAYS[day] for day in sorted(entry.days) if 0 <= day < 7)
        parts = ", ".join(str(label).split(" ")[0] for value, label in PART_CHOICES if value in entry.parts)
        return f"{kinds} · {days} · {parts}"

    @admin.display(description=_("stand"))
    def state(self, entry):
        now = timezone.now()
        if entry.booked_at:
            return _("geboekt")
        if entry.expires_at <= now:
            return _("verlopen")
        held = [h for h in entry.holds.all() if h.status == Hold.Status.OPEN and h.expires_at > now]
        if held:
            local = timezone.localtime(held[0].start)
            return _("tijd aangeboden: %(when)s") % {"when": local.strftime("%d-%m %H:%M")}
        offered = len(entry.holds.all())
        return (
            ngettext("wacht (%(count)d keer iets aangeboden)", "wacht (%(count)d keer iets aangeboden)", offered)
            % {"count": offered}
            if offered
            else _("wacht")
        )

    @admin.display(description=_("zelf een tijd aanbieden"))
    def offer_link(self, entry):
        if entry.pk is None:
            return "–"
        url = reverse("admin:booking_waitingentry_offer", args=[entry.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Een vrije tijd aanbieden"))

    def get_urls(self):
        offer = path(
            "<int:entry_id>/aanbieden/", self.admin_site.admin_view(self.offer_view), name="booking_waitingentry_offer"
        )
        return [offer, *super().get_urls()]

    def offer_view(self, request, entry_id: int):
        """She picks a free time for one waiting person; it is held for that person and emailed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        entry = WaitingEntry.objects.filter(pk=entry_id).first()
        if entry is None:
            raise Http404
        change_url = reverse("admin:booking_waitingentry_change", args=[entry.pk])
        free = services.offerable_times(entry=entry, now=now)
        choices = [(slot_code(s.start), _offer_label(s)) for s in free]
        error = ""
        if request.method == "POST":
            chosen = parse_slot_code(request.POST.get("moment", ""))
            if chosen is None:
                error = _("Kies een tijd.")
            else:
                try:
                    services.offer_time(entry_id=entry.pk, start=chosen, now=now)
                except services.NotWaiting:
                    error = _("Deze persoon staat niet meer op de wachtlijst.")
                except services.AlreadyHolding:
                    error = _("Voor deze persoon wordt al een tijd vastgehouden. Eén tijd tegelijk.")
                except services.SlotUnavailable:
                    error = _("Deze tijd is net niet meer vrij. Kies een andere.")
                else:
                    self.message_user(
                        request,
                        _("De tijd is aangeboden en wordt vastgehouden; %(name)s krijgt een e-mail.")
                        % {"name": entry.name},
                        messages.SUCCESS,
                    )
                    return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/booking/waitingentry/offer.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Een vrije tijd aanbieden aan %(name)s") % {"name": entry.name},
                "opts": self.model._meta,
                "entry": entry,
                "choices": choices,
                "error": error,
                "change_url": change_url,
                "rules": BookingRules.load(),
            },
            status=400 if error else 200,
        )


def _offer_label(slot) -> str:
    local = timezone.localtime(slot.start)
    kinds = " of ".join(short for kind, short in SHORT_KINDS if kind in slot.kinds)
    return f"{date_format(local, 'l j F')} {local:%H:%M}, {kinds}"


class QuestionForm(forms.ModelForm):
    handled = forms.BooleanField(
        label=_("afgehandeld"),
        required=False,
        help_text=_(
            "Aanvinken als u gebeld of gemaild hebt. Afgehandelde vragen worden na de bewaartermijn verwijderd."
        ),
    )

    class Meta:
        model = Question
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handled"].initial = bool(self.instance.handled_at)


class HandledFilter(admin.SimpleListFilter):
    title = _("afgehandeld")
    parameter_name = "afgehandeld"

    def lookups(self, request, model_admin):
        return [("nee", _("nog open")), ("ja", _("afgehandeld"))]

    def queryset(self, request, queryset):
        if self.value() == "nee":
            return queryset.open()
        if self.value() == "ja":
            return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(Question)
class QuestionAdmin(DutchModelAdmin):
    """Questions sent through the site: read here, answer by phone or email, then mark handled."""

    form = QuestionForm
    list_display = ["created_at", "name", "contact", "is_handled"]
    list_display_links = ["created_at", "name"]
    list_filter = [HandledFilter]
    search_fields = ["name", "email"]
    actions = ["mark_handled"]
    readonly_fields = ["name", "contact", "text_display", "created_at", "handled_at", "privacy_accepted_at"]
    fieldsets = [
        (None, {"fields": ["name", "contact", "created_at", "text_display"]}),
        (_("Afhandeling"), {"fields": ["handled", "handled_at"]}),
        (_("Vastgelegd"), {"fields": ["privacy_accepted_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("vraag"))
    def text_display(self, question):
        return format_html('<div class="question-text">{}</div>', linebreaks_filter(question.text))

    @admin.display(description=_("contact"))
    def contact(self, question):
        parts = [format_html('<a href="mailto:{}">{}</a>', question.email, question.email)]
        if question.phone:
            parts.append(format_html('<a href="tel:{}">{}</a>', question.phone.replace(" ", ""), question.phone))
        return format_html_join(" · ", "{}", ((part,) for part in parts))

    @admin.display(description=_("afgehandeld"), boolean=True)
    def is_handled(self, question):
        return question.handled_at is not None

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if form.cleaned_data.get("handled"):
            services.mark_handled(question_ids=[obj.pk], now=now)
        else:
            Question.objects.filter(pk=obj.pk).update(handled_at=None)

    @admin.action(description=_("Markeren als afgehandeld"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = services.mark_handled(question_ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d vraag afgehandeld.", "%(count)d vragen afgehandeld.", count) % {"count": count},
            messages.SUCCESS,
        )
