"""The question form: a question stays on this server; emails only say that it arrived."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from booking.services import questions

from .forms import QuestionForm
from .pages import form_page


def _crumbs() -> list:
    return [(_("Contact"), reverse("content:page", kwargs={"slug": "contact"})), (_("Stel een vraag"), None)]


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    def send(data: dict):
        questions.ask(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            text=data["text"],
            request_token=data["request_token"],
            now=timezone.now(),
        )
        return redirect("booking:question_sent")

    return form_page(
        request,
        QuestionForm,
        template="booking/question.html",
        context=lambda: {"breadcrumbs": _crumbs(), "noindex": True},
        on_valid=send,
    )


@require_safe
def sent(request):
    return render(request, "booking/question_sent.html", {"breadcrumbs": _crumbs(), "noindex": True})
