"""Natural requests: every call the dashboard made to Natural, to find one by its support id,
and the write (audit entry) each keyed call belongs to."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from browse.request_log import RequestLogFilterForm
from dashboard import roles
from operations.models import Operation
from saved_views.bar import ViewBar
from tables import local
from tables.catalog import DECLARED


@require_GET
@permission_required(roles.AUDIT, raise_exception=True)
def natural_requests(request: HttpRequest) -> HttpResponse:
    table = DECLARED["natural_requests"]
    form = RequestLogFilterForm(request.GET)
    return local.respond(
        request,
        table,
        form,
        form.calls,
        view_bar=ViewBar(request, table.key),
        more=lambda context: {"operations": operations_of(context["rows"])},
    )


def operations_of(calls) -> dict[str, int]:
    """The audit entry of each keyed call shown, by key: one query for the page."""
    keys = {call.idempotency_key for call in calls if call.idempotency_key}
    if not keys:
        return {}
    found = Operation.objects.filter(key__in=_uuids(keys)).values_list("key", "pk")
    return {str(key): pk for key, pk in found}


def _uuids(keys):
    for key in keys:
        try:
            yield UUID(key)
        except ValueError:
            continue


@require_GET
@permission_required(roles.AUDIT, raise_exception=True)
def natural_requests_export(request: HttpRequest) -> HttpResponse:
    form = RequestLogFilterForm(request.GET)
    if not form.is_valid():
        return local.invalid_filters(form)
    header = (
        "created_at",
        "method",
        "path",
        "status",
        "duration_ms",
        "attempt",
        "replayed",
        "support_id",
        "error",
        "idempotency_key",
    )
    return local.export_csv(
        "natural-requests",
        header,
        form.calls().iterator(chunk_size=500),
        lambda call: (
            call.created_at.isoformat(),
            call.method,
            call.path,
            "" if call.status is None else call.status,
            call.duration_ms,
            call.attempt,
            "yes" if call.replayed else "no",
            call.support_id,
            call.error,
            call.idempotency_key,
        ),
    )
