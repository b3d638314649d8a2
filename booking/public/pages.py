"""The skeleton every public form page shares: show the form, check what was sent (the
form's own checks: rate limits, the honeypot, the time it took), hand what is valid to a
service, and answer with the form again and the right status otherwise."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render


def form_page(
    request,
    form_class,
    *,
    template: str,
    context: Callable[[], dict],
    on_valid: Callable[[dict], HttpResponse],
    initial: dict | None = None,
) -> HttpResponse:
    """`on_valid` gets the cleaned data and answers (a redirect); `context` is only built when
    the form is shown."""
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        status = form.status_after_checks(request)
        if status == 200:
            return on_valid(form.cleaned_data)
    else:
        form = form_class(initial=initial)
    return render(request, template, {"form": form, **context()}, status=status)
