from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


@require_GET
def start(request):
    # Until online booking opens, the page tells people how to plan the
    # introduction call by phone or email instead.
    return render(
        request,
        "booking/start.html",
        {
            "canonical_path": request.path,
            "breadcrumbs": [(_("Gratis kennismaking"), None)],
        },
    )
