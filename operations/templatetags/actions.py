"""The manager-action pieces that the browse pages include: buttons, selection, history.

Each piece checks the user's permissions itself, so a page never shows a button its user may
not press; the views check again, since any URL can be requested directly."""

from __future__ import annotations

from django import template

from dashboard import roles
from operations import history
from operations.review_marks import ReviewMark

register = template.Library()


def _field(item, name: str, default=""):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


@register.inclusion_tag("operations/_delegation_panel.html", takes_context=True)
def delegation_actions(context, delegation):
    """Revoke, review and history for one delegation (a record or a browse row)."""
    request = context["request"]
    user = request.user
    adl_id = _field(delegation, "id")
    agent_id = _field(delegation, "agent_id")
    customer_id = _field(delegation, "delegating_id") or _field(delegation, "delegating_party_id")
    revoked = bool(_field(delegation, "revoked", None)) or bool(history.revoked_by_us([adl_id]))
    return {
        "request": request,
        "perms": context.get("perms"),
        "adl_id": adl_id,
        "revoked": revoked,
        "unknown": bool(_field(delegation, "unknown", None)) and not revoked,
        "can_revoke": user.has_perm(roles.REVOKE),
        "can_review": user.has_perm(roles.REVIEW),
        "mark": ReviewMark.objects.latest_by_delegation([adl_id]).get(adl_id),
        "can_read_history": user.has_perm(roles.AUDIT),
        "entries": (
            history.delegation_history(adl_id, agent_id, customer_id)
            if user.has_perm(roles.AUDIT)
            else []
        ),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("operations/_history.html", takes_context=True)
def customer_history(context, customer_id: str):
    if not context["request"].user.has_perm(roles.AUDIT):
        return {"hidden": True}
    return {
        "request": context["request"],
        "entries": history.customer_history(customer_id),
        "title": "History",
        "empty": "No operation or review about this customer yet.",
    }


@register.simple_tag
def latest_marks(rows) -> dict:
    """`{% latest_marks rows as marks %}`: the newest mark of every row, in one query."""
    return ReviewMark.objects.latest_by_delegation(_field(row, "id") for row in rows)


@register.simple_tag
def revoked_here(rows) -> set:
    """`{% revoked_here rows as revoked %}`: rows whose access an operation of ours revoked."""
    return history.revoked_by_us(_field(row, "id") for row in rows)


@register.simple_tag
def revoked_here_one(delegation_id: str) -> set:
    return history.revoked_by_us([delegation_id])


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def contains(collection, item) -> bool:
    return item in (collection or ())
