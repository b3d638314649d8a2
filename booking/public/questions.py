"""The question form: a question stays on this server; emails only say that it arrived."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from booking.services import questions

from .forms import QuestionForm


def _crumbs() -> list:
    return [(_("Contact"), reverse("content:page", kwargs={"slug": "contact"})), (_("Stel een vraag"), None)]


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        status = form.status_after_checks(request)
        if status == 200:
            data = form.cleaned_data
            questions.ask(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                text=data["text"],
                request_token=data["request_token"],
                now=timezone.now(),
            )
            return redirect("booking:question_sent")
    else:
        form = QuestionForm()
    return render(
        request, "booking/question.html", {"form": form, "breadcrumbs": _crumbs(), "noindex": True}, status=status
    )


@require_safe
def sent(request):
    return render(request, "booking/question_sent.html", {"breadcrumbs": _crumbs(), "noindex": True})
