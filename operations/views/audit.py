"""The operations audit log: a filterable list, a CSV export, one operation in full.

Read-only for everyone. The only POSTs here move an `unknown` operation forward (retry with
the same key, or reconcile); they never create anything new and never delete.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from dashboard import roles
from natural.errors import NaturalError
from operations import audit_entries, catalog, engine
from operations.forms import AuditFilterForm
from operations.models import Action, Operation
from operations.reconcile import CannotReconcile, reconcile
from saved_views.bar import ViewBar
from tables import local
from tables.catalog import DECLARED
from tables.spreadsheet import line_writer, neutralise

DETAIL_TEMPLATE = "operations/audit_detail.html"
# Where an id Natural gave us can be looked at in the dashboard, if that page exists.
RESOURCE_PAGES = {
    "pty_": "customer-detail",
    "adl_": "delegation-detail",
}


def filtered_operations(form: AuditFilterForm) -> QuerySet[Operation]:
    """Every request sent to Natural that the filters ask for, each part of a batch on its own
    (the per-request export); nothing at all while any filter cannot be read, so an invalid
    filter never widens the answer to the whole log. Review marks are no request."""
    operations = Operation.objects.select_related("actor", "batch").annotate(
        attempt_count=Count("attempts")
    )
    if not form.is_valid():
        return operations.none()
    data = form.cleaned_data
    action, state = data.get("action"), data.get("state")
    if (action and action not in Action.values) or state == audit_entries.RECORDED:
        return operations.none()
    if data.get("actor"):
        operations = operations.filter(actor=data["actor"])
    if action:
        operations = operations.filter(action=action)
    if state in audit_entries.BATCH_ONLY_STATES:
        operations = operations.filter(batch__state=state)
    elif state:
        operations = operations.filter(state=state)
    if data.get("since"):
        operations = operations.filter(created_at__gte=audit_entries.start_of(data["since"]))
    if data.get("until"):
        operations = operations.filter(
            created_at__lt=audit_entries.start_of(data["until"]) + timedelta(days=1)
        )
    if data.get("q"):
        query = data["q"].strip()
        operations = operations.filter(
            Q(search_text__icontains=query) | Q(batch__key__icontains=query)
        )
    return operations.order_by("-created_at", "-id")


@permission_required(roles.AUDIT, raise_exception=True)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    table = DECLARED["audit_log"]
    form = AuditFilterForm(request.GET)
    return local.respond(
        request,
        table,
        form,
        lambda: audit_entries.Entries(form.cleaned_data),
        view_bar=ViewBar(request, table.key),
    )


ENTRY_HEADER = (
    "created_at",
    "finished_at",
    "key",
    "entry",
    "actor",
    "action",
    "state",
    "attempts",
    "needs_attention",
    "parts",
    "recipients",
    "invited",
    "refused",
    "agent",
    "delegation",
    "customer",
    "reason",
    "comment",
)


def _entry_cells(entry: audit_entries.Entry) -> tuple:
    target = entry.subject.target if entry.mark is None else {}
    totals = entry.totals
    finished = entry.subject.finished_at if entry.mark is None else None
    mark = entry.mark
    return (
        entry.at.isoformat(),
        finished.isoformat() if finished else "",
        str(entry.key) if entry.key else "",
        entry.kind,
        entry.actor.get_username(),
        entry.action,
        entry.state,
        "" if mark else entry.attempts,
        "" if mark else ("yes" if entry.needs_attention else "no"),
        totals.parts if totals else "",
        totals.recipients if totals else "",
        totals.invited if totals else "",
        totals.refused if totals else "",
        mark.agent_id if mark else target.get("agent_id", ""),
        mark.delegation_id if mark else target.get("delegation_id", ""),
        mark.customer_party_id if mark else target.get("customer_id", ""),
        target.get("reason", ""),
        mark.comment if mark else "",
    )


@permission_required(roles.AUDIT, raise_exception=True)
@require_GET
def audit_entries_export(request: HttpRequest) -> HttpResponse:
    """What the table lists, one line per entry: a batch is one line with its totals (its
    requests are in the per-request export), a review mark one line with its comment."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return local.invalid_filters(form)
    entries = audit_entries.Entries(form.cleaned_data)
    return local.export_csv("audit-log", ENTRY_HEADER, entries, _entry_cells)


def _filter_errors(form: AuditFilterForm) -> str:
    return " ".join(
        f"{form.fields[name].label or name.title()}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


@permission_required(roles.AUDIT, raise_exception=True)
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """One line per request sent to Natural, each part of a batch its own line."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "These filters cannot be used, so nothing was exported. " + _filter_errors(form),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    operations = filtered_operations(form)
    writer = line_writer()
    header = [
        "created_at",
        "finished_at",
        "key",
        "batch",
        "actor",
        "action",
        "method",
        "path",
        "state",
        "attempts",
        "replayed",
        "created_ids",
        "support_id",
        "body_sha256",
    ]

    def rows():
        yield writer.writerow(header)
        for operation in operations.iterator(chunk_size=500):
            result = operation.result or {}
            yield writer.writerow(
                [
                    neutralise(value)
                    for value in (
                        operation.created_at.isoformat(),
                        operation.finished_at.isoformat() if operation.finished_at else "",
                        str(operation.key),
                        str(operation.batch.key) if operation.batch else "",
                        operation.actor.get_username(),
                        operation.action,
                        operation.method,
                        operation.path,
                        operation.state,
                        str(operation.attempt_count),
                        "yes" if result.get("replayed") else "no",
                        " ".join(result.get("ids", [])),
                        result.get("support_id") or "",
                        operation.body_sha256,
                    )
                ]
            )

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="operations-{stamp}.csv"'
    return response


@permission_required(roles.AUDIT, raise_exception=True)
@require_GET
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = get_object_or_404(Operation.objects.select_related("actor", "batch"), pk=pk)
    context = {
        "operation": operation,
        "attempts": operation.attempts.all(),
        "payload": _pretty(operation.body_text),
        "created": [(item_id, resource_url(item_id)) for item_id in operation.created_ids],
        "found": [
            (item["id"], resource_url(item["id"]))
            for item in (operation.reconciliation or {}).get("found", [])
        ],
        "response": _pretty(json.dumps(operation.result.get("response")))
        if operation.result.get("response") is not None
        else None,
        "can_act": catalog.may_act(request.user, operation.action),
    }
    return TemplateResponse(request, DETAIL_TEMPLATE, context)


@require_POST
def operation_retry(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _actionable(request, pk)
    try:
        operation = engine.retry(operation)
    except engine.CannotRetry as reason:
        messages.error(request, str(reason))
    else:
        messages.info(request, f"Sent again with the same key: now {operation.state}.")
        if operation.state == "unknown":
            messages.warning(request, "Natural's answer does not prove anything either way.")
    return _back(operation)


@require_POST
def operation_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    operation = _actionable(request, pk)
    if not operation.can_reconcile:
        messages.error(request, "Only an operation with an unknown outcome is reconciled.")
        return _back(operation)
    try:
        operation = reconcile(operation, actor=request.user)
    except CannotReconcile as reason:
        messages.error(request, str(reason))
    except NaturalError as error:
        messages.error(request, f"Natural could not be read: {error.message}")
    else:
        found = len(operation.reconciliation["found"])
        missing = len(operation.reconciliation["missing"])
        messages.info(request, f"Reconciled: {found} found in Natural, {missing} not found.")
    return _back(operation)


def _actionable(request: HttpRequest, pk: int) -> Operation:
    operation = get_object_or_404(Operation, pk=pk)
    if not catalog.may_act(request.user, operation.action):
        raise PermissionDenied
    return operation


def _back(operation: Operation) -> HttpResponse:
    if operation.batch_id:
        return redirect("batch-detail", key=operation.batch.key)
    return redirect("operation-detail", pk=operation.pk)


def resource_url(resource_id: str) -> str | None:
    name = RESOURCE_PAGES.get(resource_id[:4])
    if name is None:
        return None
    try:
        return reverse(name, args=[resource_id])
    except NoReverseMatch:
        return None


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
