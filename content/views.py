from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import presenting
from .models import Article, Page
from .search import clean_query, search

ARTICLES_PER_PAGE = 10


@require_safe
def home(request):
    template, context = presenting.home(Page.objects.published().filter(kind=Page.Kind.HOME).first())
    return render(request, template, context)


@require_safe
def page_detail(request, slug: str):
    page = get_object_or_404(Page.objects.published(), slug=slug)
    if page.kind == Page.Kind.HOME:
        return redirect("content:home", permanent=True)
    template, context = presenting.page(page)
    return render(request, template, context)


@require_safe
def article_list(request):
    articles = Article.objects.published().for_cards()
    theme = None
    if request.GET.get("thema"):
        # A theme page shows its newest articles and links here for the rest.
        theme = get_object_or_404(Page.objects.published().filter(kind=Page.Kind.THEME), slug=request.GET["thema"])
        articles = articles.filter(themes=theme)
    paginator = Paginator(articles, ARTICLES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("pagina"))
    query = {"thema": theme.slug} if theme else {}
    if page_obj.number > 1:
        query["pagina"] = page_obj.number
    canonical = reverse("content:article_list") + (f"?{urlencode(query)}" if query else "")
    return render(
        request,
        "content/article_list.html",
        {
            "page_obj": page_obj,
            "articles": page_obj.object_list,
            "theme": theme,
            "filter_query": f"thema={theme.slug}&" if theme else "",
            "canonical_path": canonical,
            "breadcrumbs": [(_("Artikelen"), reverse("content:article_list") if theme else None)]
            + ([(theme.title, None)] if theme else []),
        },
    )


@require_safe
def article_detail(request, slug: str):
    template, context = presenting.article(
        get_object_or_404(Article.objects.published().select_related("image"), slug=slug)
    )
    return render(request, template, context)


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
