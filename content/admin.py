from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from practice.admin_site import DutchModelAdmin, History, OneRecordHistory

from . import imaging, presenting
from .models import Article, Image, Page, PracticeDetails, remove_image_files


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
        js = ["content/editor_nl.js"]


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}
        error_messages = {"file": {"invalid_image": imaging.UNREADABLE, "invalid_extension": imaging.WRONG_TYPE}}

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded is None or not hasattr(uploaded, "content_type"):
            return uploaded  # the file already stored, unchanged
        return imaging.clean_upload(uploaded).content

    def clean_alt_text(self):
        text = " ".join(self.cleaned_data["alt_text"].split())
        if text.lower().startswith(("afbeelding van", "foto van", "plaatje van")):
            raise forms.ValidationError(
                _("Begin niet met 'afbeelding van' of 'foto van': een schermlezer zegt al dat het een afbeelding is.")
            )
        return text


@admin.register(Image)
class ImageAdmin(WritingRoom, DutchModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "caption", "size", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption"]
    readonly_fields = ["preview"]
    fields = ["file", "preview", "alt_text", "caption"]

    def get_urls(self):
        return [
            path("kiezen/", self.admin_site.admin_view(self.picker_view), name="content_image_picker"),
            *super().get_urls(),
        ]

    @admin.display(description=_("afbeelding"))
    def thumbnail(self, image):
        return format_html(
            '<img src="{}" alt="" width="96" height="{}" class="image-thumbnail">',
            image.thumbnail_url,
            round(96 * image.height / image.width) if image.width else 96,
        )

    @admin.display(description=_("zo ziet hij eruit"))
    def preview(self, image):
        if not image.pk:
            return "—"
        return format_html(
            '<img src="{}" alt="" class="image-preview">',
            image.thumbnail_url,
        )

    @admin.display(description=_("afmetingen"))
    def size(self, image):
        return f"{image.width} × {image.height}"

    def save_model(self, request, obj, form, change):
        replaced = Image.objects.get(pk=obj.pk) if change and "file" in form.changed_data else None
        super().save_model(request, obj, form, change)
        if replaced is not None:
            # A new photo in place of the old one: the old one and its sizes go.
            remove_image_files(sender=Image, instance=replaced)

    def picker_view(self, request):
        """The editor's "Bladeren…": choose one of the uploads, or upload one here and choose it.

        Opened by the editor in a small window; choosing hands the image back to the
        editor through window.opener (static/content/image_picker.js).
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_add = self.has_add_permission(request)
        form = ImageForm(request.POST or None, request.FILES or None) if can_add else None
        chosen = None
        if request.method == "POST" and form is not None and form.is_valid():
            chosen = form.save()
            self.log_addition(request, chosen, [{"added": {}}])
            form = ImageForm()
        response = render(
            request,
            "admin/content/image/picker.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Kies een afbeelding"),
                "images": Image.objects.all()[:200],
                "chosen": chosen,
                "form": form,
                "callback": request.GET.get("CKEditorFuncNum", ""),
                "opts": self.opts,
                "is_popup": True,
            },
        )
        add_never_cache_headers(response)
        return response


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
        (None, {"fields": ["title", "summary", "image", "body"]}),
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
class PracticeDetailsAdmin(OneRecordHistory, WritingRoom, DutchModelAdmin):
    fieldsets = [
        (_("Praktijk"), {"fields": ["practice_name", "therapist_name", "therapist_title", "therapist_photo"]}),
        (_("Adres en bereikbaarheid"), {"fields": ["street", "postal_code", "city", "phone", "email"]}),
        (_("Registraties"), {"fields": ["kvk_number", "agb_code", "registrations"]}),
        (_("Klachten (Wkkgz)"), {"fields": ["complaints_officer", "disputes_body"]}),
        (_("Wachttijd"), {"fields": ["waiting_time", "waiting_time_updated"]}),
        (_("Acute nood"), {"fields": ["crisis_text"]}),
    ]
    readonly_fields = ["waiting_time_updated"]

    # The practice's address receives every intake notification and every client's reply
    # (Reply-To). Whoever may only edit the website must not be able to point it elsewhere:
    # only an account that may change the booking rules (who handles intakes) changes it.
    ADDRESS_PERMISSION = "booking.change_bookingrules"

    def may_change_address(self, request) -> bool:
        return request.user.has_perm(self.ADDRESS_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.may_change_address(request) else [*readonly, "email"]

    def save_model(self, request, obj, form, change):
        if "waiting_time" in form.changed_data:
            obj.waiting_time_updated = timezone.localdate()
        if change and not self.may_change_address(request):
            # Also when an older version is restored from the history: the address stays.
            obj.email = PracticeDetails.objects.values_list("email", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return reverse("content:home")
