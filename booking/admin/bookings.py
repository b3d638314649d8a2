"""The admin for the intakes: the list, the agenda and person pages, her agenda subscription, the outbox."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.calendars import ics as calendar
from booking.calendars import sync as calendarsync
from booking.domain import video
from booking.domain.wallclock import practice_time
from booking.models import (
    OUTGOING_ABOUT,
    Agenda,
    AgendaFeed,
    Booking,
    BookingRules,
    OutgoingEmail,
    Question,
    WaitingEntry,
)
from booking.services import bookings, privacy
from content.models import PracticeDetails
from practice.admin_site import DutchModelAdmin

from .agenda import build_agenda


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
        stored = privacy.stored_for(email)
        if email and request.GET.get("overzicht"):
            # A readable overview for the person who asked: to print or save as PDF.
            return TemplateResponse(
                request,
                "admin/booking/person_overview.html",
                {
                    "email": email,
                    "bookings": stored.bookings,
                    "waiting": stored.waiting,
                    "requests": stored.requests,
                    "questions": stored.questions,
                    "practice": PracticeDetails.load(),
                    "rules": BookingRules.load(),
                    "today": practice_time(timezone.now()).date(),
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
            "bookings": list(stored.bookings) if email else None,
            "waiting": list(stored.waiting) if email and sees_waiting else [],
            # Unconfirmed sign-ups belong to the waiting list, and follow its permission.
            "requests": list(stored.requests) if email and sees_waiting else [],
            "questions": list(stored.questions) if email and sees_questions else [],
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
        changed = bookings.set_status(
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
        confirmed = queryset.changeable()
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
                bookings.cancel(booking_id=booking.pk, by_practice=True, now=now, message=message)
            except bookings.NotActive:
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
