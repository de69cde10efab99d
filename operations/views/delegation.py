"""Create a delegation invitation: one customer email, one or more proposed agents.

Natural does not deduplicate this request by key, so the single-flight guarantee is ours
alone: the operation row decides who sends, and an unknown outcome is only reconciled.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from dashboard import roles
from natural import reads
from natural.errors import NaturalError
from operations import catalog, confirm, engine, results
from operations.confirm import new_key
from operations.forms import DelegationInvitationForm, ProposedAgentFormSet
from operations.models import Action, Operation, State
from operations.views.common import upstream_error_page

TEMPLATE = "operations/delegation_invitation.html"


@permission_required(roles.INVITE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def new_delegation_invitation(request: HttpRequest) -> HttpResponse:
    try:
        agents = reads.list_agents()
    except NaturalError as error:
        return upstream_error_page(request, TEMPLATE, error)

    if request.method == "GET":
        form = DelegationInvitationForm()
        return _render(request, form, _formset(agents))

    form = DelegationInvitationForm(request.POST)
    formset = _formset(agents, data=request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _render(request, form, formset)

    proposed = [row.proposed() for row in formset.forms if row.has_changed()]
    request_arguments = catalog.declared(Action.CREATE_DELEGATION_INVITATION).request(
        customer_email=form.cleaned_data["customer_email"],
        permissions=form.cleaned_data["permissions"],
        proposed_agents=proposed,
        expires_in_days=form.cleaned_data["expires_in_days"],
    )
    body = request_arguments["body"]
    key = form.cleaned_data["key"]
    sent = confirm.send_once(
        key,
        submit=lambda: engine.submit(
            key=key,
            actor=request.user,
            action=Action.CREATE_DELEGATION_INVITATION,
            **request_arguments,
            target={
                "customer_email": form.cleaned_data["customer_email"],
                "agent_ids": [agent.agent_id for agent in proposed],
            },
        ),
        same=lambda op: (
            op.action == Action.CREATE_DELEGATION_INVITATION
            and op.body_sha256 == Operation.hash_body(body)
        ),
    )
    if sent.reused:
        return _form_already_used(request, agents, sent.operation)
    operation = sent.operation
    if operation.state == State.FAILED:
        return _render_rejected(request, agents, operation)
    return redirect("operation-detail", pk=operation.pk)


def _form_already_used(request, agents, operation: Operation) -> HttpResponse:
    """An old form sent again with other content: say so, link to what was sent, and keep
    what was typed in a fresh form with a new key."""
    data = request.POST.copy()
    data["key"] = str(new_key())
    form = DelegationInvitationForm(data)
    formset = _formset(agents, data=data)
    form.is_valid()
    formset.is_valid()
    context = {"form": form, "formset": formset, "already_sent": operation}
    return TemplateResponse(request, TEMPLATE, context, status=409)


def _formset(agents, **kwargs):
    return ProposedAgentFormSet(prefix="agents", form_kwargs={"agents": agents}, **kwargs)


def _render(request, form, formset, extra=None) -> HttpResponse:
    return TemplateResponse(request, TEMPLATE, {"form": form, "formset": formset, **(extra or {})})


def _render_rejected(request, agents, operation: Operation) -> HttpResponse:
    """Errors land on their fields; the re-rendered form has a new key."""
    data = request.POST.copy()
    data["key"] = str(DelegationInvitationForm().initial["key"])
    form = DelegationInvitationForm(data)
    formset = _formset(agents, data=data)
    form.is_valid()
    formset.is_valid()
    sent_rows = [row for row in formset.forms if row.has_changed()]
    for error in operation.errors:
        pointer = error.get("pointer") or ""
        detail = error.get("detail") or "Refused by Natural."
        agent_match = results.PROPOSED_AGENT_POINTER.match(pointer)
        if agent_match and int(agent_match.group(1)) < len(sent_rows):
            row = sent_rows[int(agent_match.group(1))]
            field = results.PROPOSED_AGENT_FIELDS.get(agent_match.group(2) or "")
            row.add_error(field, detail)
            continue
        field = results.field_for_pointer(pointer, results.DELEGATION_FIELDS)
        form.add_error(field, detail if field else results.general_message(error))
    return _render(request, form, formset, {"rejected_operation": operation})
