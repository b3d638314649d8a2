"""What a page or an article needs to be shown: used by the public views and by the staff
preview alike, so a preview looks exactly like the published page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from . import structured_data
from .models import Article, Page, PracticeDetails

THEME_ARTICLES = 6


def author_of(article: Article, practice: PracticeDetails | None) -> str:
    return article.author or (practice.therapist_name if practice else "")


def home(page: Page | None) -> tuple[str, dict]:
    published = Page.objects.published()
    themes = published.filter(kind=Page.Kind.THEME).order_by("navigation_order", "title")
    methods = published.filter(kind=Page.Kind.METHOD).order_by("navigation_order", "title")
    return "content/home.html", {
        "page": page,
        "themes": themes.only("title", "slug", "kind", "meta_description"),
        "methods": methods.only("title", "slug", "kind", "meta_description"),
        "latest_articles": Article.objects.published().for_cards()[:3],
        "canonical_path": reverse("content:home"),
    }


def page(page: Page) -> tuple[str, dict]:
    if page.kind == Page.Kind.HOME:
        return home(page)
    articles = []
    more_articles = False
    if page.is_theme:
        # The newest few, with a link to the rest: the page stays light with hundreds of articles.
        newest = list(page.articles.published().for_cards().order_by("-published_at")[: THEME_ARTICLES + 1])
        articles, more_articles = newest[:THEME_ARTICLES], len(newest) > THEME_ARTICLES
    return "content/page.html", {
        "page": page,
        "articles": articles,
        "more_articles": more_articles,
        "canonical_path": page.get_absolute_url(),
        "breadcrumbs": [(page.title, None)],
        "page_data": structured_data.page_data(page),
    }


def article(article: Article) -> tuple[str, dict]:
    practice = PracticeDetails.load()
    author = author_of(article, practice)
    return "content/article_detail.html", {
        "article": article,
        "author": author,
        "practice": practice,
        "themes": article.themes.published().only("title", "slug", "kind"),
        "canonical_path": article.get_absolute_url(),
        "breadcrumbs": [(_("Artikelen"), reverse("content:article_list")), (article.title, None)],
        "article_data": structured_data.article_data(article, author),
    }
