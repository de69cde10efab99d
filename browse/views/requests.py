"""Natural requests: every call the dashboard made to Natural, to find one by its support id."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from browse.request_log import RequestLogFilterForm
from dashboard import roles
from dashboard.partials import render_partial_response

TEMPLATE = "browse/natural_requests.html"
TARGET = "natural-requests-table"


@require_GET
@permission_required(roles.AUDIT, raise_exception=True)
def natural_requests(request: HttpRequest) -> HttpResponse:
    form = RequestLogFilterForm(request.GET)
    context: dict = {"form": form}
    status = 200
    if form.is_valid():
        context["calls"], context["older"] = form.page()
    else:
        status = 400
    return render_partial_response(request, TEMPLATE, context, target=TARGET, status=status)
