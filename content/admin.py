from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from practice.admin_site import DutchModelAdmin, History

from . import presenting
from .models import Article, Page, PracticeDetails


class Preview:
    """ "Bekijk voorbeeld" on a page's or article's form: exactly as it will appear, drafts and
    scheduled articles included, for signed-in staff only (it lives under the admin's path)."""

    change_form_template = "admin/content/change_form_with_preview.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        return [
            path("<int:pk>/voorbeeld/", self.admin_site.admin_view(self.preview_view), name=name),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        template, context = self.present(obj)
        live = type(obj).objects.published().filter(pk=obj.pk).exists()
        response = render(request, template, {**context, "preview": True, "preview_live": live, "noindex": True})
        add_never_cache_headers(response)
        return response


class WritingRoom:
    class Media:
        css = {"all": ["content/admin.css"]}


@admin.register(Page)
class PageAdmin(History, Preview, WritingRoom, DutchModelAdmin):
    list_display = ["title", "kind", "web_address", "in_navigation", "is_published", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["kind", "is_published", "in_navigation"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "lead", "body"]}),
        (_("Onderaan de pagina"), {"fields": ["cta_text"]}),
        (
            _("Vindbaarheid en menu"),
            {
                "fields": [
                    "slug",
                    "kind",
                    "meta_description",
                    "in_navigation",
                    "navigation_order",
                    "is_published",
                ],
            },
        ),
    ]

    present = staticmethod(presenting.page)

    @admin.display(description=_("adres op de website"))
    def web_address(self, page):
        return page.get_absolute_url()


class PublicationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("live", _("Op de website")), ("planned", _("Gepland")), ("draft", _("Concept"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.published(now)
        if self.value() == "planned":
            return queryset.filter(is_published=True, published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(is_published=False)
        return queryset


@admin.register(Article)
class ArticleAdmin(History, Preview, WritingRoom, DutchModelAdmin):
    present = staticmethod(presenting.article)
    list_display = ["title", "status", "published_at", "theme_list", "updated_at"]
    list_filter = [PublicationStatusFilter, "themes"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    save_on_top = True
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = [
        (None, {"fields": ["title", "summary", "body"]}),
        (_("Publiceren"), {"fields": ["is_published", "published_at", "author", "themes"]}),
        (_("Vindbaarheid"), {"fields": ["slug"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    @admin.display(description=_("status"))
    def status(self, article):
        if not article.is_published:
            return _("Concept")
        if article.published_at > timezone.now():
            return _("Gepland")
        return _("Op de website")

    @admin.display(description=_("thema's"))
    def theme_list(self, article):
        return ", ".join(theme.title for theme in article.themes.all())


@admin.register(PracticeDetails)
class PracticeDetailsAdmin(History, WritingRoom, DutchModelAdmin):
    fieldsets = [
        (_("Praktijk"), {"fields": ["practice_name", "therapist_name", "therapist_title"]}),
        (_("Adres en bereikbaarheid"), {"fields": ["street", "postal_code", "city", "phone", "email"]}),
        (_("Registraties"), {"fields": ["kvk_number", "agb_code", "registrations"]}),
        (_("Klachten (Wkkgz)"), {"fields": ["complaints_officer", "disputes_body"]}),
        (_("Wachttijd"), {"fields": ["waiting_time", "waiting_time_updated"]}),
        (_("Acute nood"), {"fields": ["crisis_text"]}),
    ]
    readonly_fields = ["waiting_time_updated"]

    def save_model(self, request, obj, form, change):
        if "waiting_time" in form.changed_data:
            obj.waiting_time_updated = timezone.localdate()
        super().save_model(request, obj, form, change)

    # There is one practice: the list would only be a detour to its form.
    def changelist_view(self, request, extra_context=None):
        details = PracticeDetails.load()
        if details is None:
            return redirect(reverse("admin:content_practicedetails_add"))
        return redirect(reverse("admin:content_practicedetails_change", args=[details.pk]))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PracticeDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("content:home")
