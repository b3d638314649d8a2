"""The question form: a question stays on this server; emails only say that it arrived."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from practice import ratelimit

from . import services
from .forms import QuestionForm


def _crumbs() -> list:
    return [(_("Contact"), reverse("content:page", kwargs={"slug": "contact"})), (_("Stel een vraag"), None)]


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if ratelimit.too_many_forms(request):
            form.is_valid()
            form.add_error(None, ratelimit.FORM_LIMIT_MESSAGE)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            services.ask(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                text=data["text"],
                request_token=data["request_token"],
                now=timezone.now(),
            )
            return redirect("booking:question_sent")
        else:
            status = 400
    else:
        form = QuestionForm()
    return render(
        request, "booking/question.html", {"form": form, "breadcrumbs": _crumbs(), "noindex": True}, status=status
    )


@require_safe
def sent(request):
    return render(request, "booking/question_sent.html", {"breadcrumbs": _crumbs(), "noindex": True})
