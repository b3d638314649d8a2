from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import structured_data
from .models import Article, Page, PracticeDetails
from .search import clean_query, search

ARTICLES_PER_PAGE = 10


def _author(article: Article, practice: PracticeDetails | None) -> str:
    return article.author or (practice.therapist_name if practice else "")


@require_safe
def home(request):
    page = Page.objects.published().filter(kind=Page.Kind.HOME).first()
    themes = Page.objects.published().filter(kind=Page.Kind.THEME).order_by("navigation_order", "title")
    methods = Page.objects.published().filter(kind=Page.Kind.METHOD).order_by("navigation_order", "title")
    latest = Article.objects.published()[:3]
    return render(
        request,
        "content/home.html",
        {
            "page": page,
            "themes": themes.only("title", "slug", "kind", "meta_description"),
            "methods": methods.only("title", "slug", "kind", "meta_description"),
            "latest_articles": latest,
            "canonical_path": reverse("content:home"),
        },
    )


@require_safe
def page_detail(request, slug: str):
    page = get_object_or_404(Page.objects.published(), slug=slug)
    if page.kind == Page.Kind.HOME:
        return redirect("content:home", permanent=True)
    articles = page.articles.published().order_by("-published_at") if page.is_theme else []
    return render(
        request,
        "content/page.html",
        {
            "page": page,
            "articles": articles,
            "canonical_path": page.get_absolute_url(),
            "breadcrumbs": [(page.title, None)],
            "page_data": structured_data.page_data(page),
        },
    )


@require_safe
def article_list(request):
    paginator = Paginator(Article.objects.published(), ARTICLES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("pagina"))
    canonical = reverse("content:article_list")
    if page_obj.number > 1:
        canonical += f"?pagina={page_obj.number}"
    return render(
        request,
        "content/article_list.html",
        {
            "page_obj": page_obj,
            "articles": page_obj.object_list,
            "canonical_path": canonical,
            "breadcrumbs": [(_("Artikelen"), None)],
        },
    )


@require_safe
def article_detail(request, slug: str):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    practice = PracticeDetails.load()
    author = _author(article, practice)
    return render(
        request,
        "content/article_detail.html",
        {
            "article": article,
            "author": author,
            "practice": practice,
            "themes": article.themes.published().only("title", "slug", "kind"),
            "canonical_path": article.get_absolute_url(),
            "breadcrumbs": [(_("Artikelen"), reverse("content:article_list")), (article.title, None)],
            "article_data": structured_data.article_data(article, author),
        },
    )


@require_safe
def search_view(request):
    query = clean_query(request.GET.get("q", ""))
    results = search(query) if query else []
    return render(
        request,
        "content/search.html",
        {
            "query": query,
            "results": results,
            "canonical_path": reverse("content:search"),
            "breadcrumbs": [(_("Zoeken"), None)],
            "noindex": bool(query),
        },
    )


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /zoeken/", "", f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
