"""The Natural API endpoints. Each runs under the store lock and returns a Reply or raises
ApiError."""

from datetime import timedelta
from typing import Any

from sandbox import serializers
from sandbox.calls import Call, Reply
from sandbox.clock import to_epoch_ms
from sandbox.errors import invalid_body, invalid_parameter
from sandbox.ids import is_id
from sandbox.models import (
    DELEGATION_INVITATION_STATUSES,
    INVITATION_STATUSES,
    RECIPIENT_TYPES,
    AgentDelegation,
    AgentInvitation,
    ProposedAgent,
    Recipient,
)
from sandbox.names import BOUNCING_DOMAIN
from sandbox.pagination import Page, decode_cursor, pagination_meta, parse_limit
from sandbox.validation import (
    BodyErrors,
    future_timestamp,
    is_email,
    is_phone,
    path_id,
    permissions_list,
    positive_cents,
    query_bool,
    query_enum,
    query_id,
)

CUSTOMERS_DEFAULT_LIMIT = 20
DEFAULT_LIMIT = 50
MAX_RECIPIENTS = 100
MAX_REVOKE_IDS = 100
DEFAULT_INVITATION_LIFETIME = timedelta(days=30)
MAX_INVITATION_LIFETIME = timedelta(days=90)
MAX_EXPIRES_IN_DAYS = 90


def _paging(call: Call, scope: str, default_limit: int) -> tuple[tuple[int, str] | None, int]:
    limit = parse_limit(call.query.get("limit"), default_limit)
    cursor = call.query.get("cursor")
    below = decode_cursor(scope, cursor) if cursor else None
    return below, limit


def _list_reply(data: list[Any], scope: str, page: Page[Any], *, snake_case: bool = False) -> Reply:
    return Reply(200, {"data": data, "meta": pagination_meta(scope, page, snake_case=snake_case)})


# Customers


def list_customers(call: Call) -> Reply:
    below, limit = _paging(call, "customers", CUSTOMERS_DEFAULT_LIMIT)
    page = call.store.customers.page(below=below, limit=limit)
    data = [serializers.customer_resource(call.store, customer) for customer in page.items]
    return _list_reply(data, "customers", page)


def get_customer(call: Call) -> Reply:
    customer_id = path_id("pty", call.path_args["customer_id"], "customerId")
    customer = call.store.customer(customer_id)
    return Reply(200, {"data": serializers.customer_resource(call.store, customer)})


def list_customer_invitations(call: Call) -> Reply:
    """Pending invitations grouped by recipient, ordered by when the recipient was first
    invited (so inviting them again does not move their row while someone pages)."""
    below, limit = _paging(call, "customer-invitations", CUSTOMERS_DEFAULT_LIMIT)
    store = call.store
    groups: dict[str, list[AgentInvitation]] = {}
    for invitation in store.invitations.newest_first():
        if invitation.effective_status(call.now) != "PENDING":
            continue
        email = serializers.invitation_email(store, invitation)
        group_id = email.lower() if email else invitation.recipient.value
        groups.setdefault(group_id, []).append(invitation)
    keyed = sorted(
        ((to_epoch_ms(members[-1].created_at), group_id) for group_id, members in groups.items()),
        reverse=True,
    )
    if below is not None:
        keyed = [key for key in keyed if key < below]
    page = Page(keyed[:limit], has_more=len(keyed) > limit, last_key=None)
    if page.has_more:
        page.last_key = page.items[-1]
    data = [
        serializers.customer_invitation_group(store, group_id, groups[group_id])
        for _, group_id in page.items
    ]
    return _list_reply(data, "customer-invitations", page)


# Customers of one agent


def create_customer_invitations(call: Call) -> Reply:
    """Batch invite. 201 Created: the docs show no code, and each recipient gets a new row."""
    agent = call.store.agent(path_id("agt", call.path_args["agent_id"], "agentId"))
    attributes = call.attributes()
    errors = BodyErrors()
    recipients = _recipients(call, attributes.get("recipients"), errors)
    permissions = permissions_list(
        attributes.get("permissions"), "/data/attributes/permissions", errors
    )
    per_transaction = None
    limits = attributes.get("limits")
    if limits is not None:
        if isinstance(limits, dict):
            per_transaction = positive_cents(
                limits.get("perTransaction"), "/data/attributes/limits/perTransaction", errors
            )
        else:
            errors.add("/data/attributes/limits", "limits must be an object.")
    expires_at = call.now + DEFAULT_INVITATION_LIFETIME
    if attributes.get("expiresAt") is not None:
        expires_at = (
            future_timestamp(
                attributes["expiresAt"],
                "/data/attributes/expiresAt",
                call.now,
                MAX_INVITATION_LIFETIME,
                errors,
            )
            or expires_at
        )
    errors.raise_if_any()

    invitations = call.store.create_invitations(
        agent, recipients, permissions, per_transaction, expires_at
    )
    email_failures = [
        {
            "invitationId": invitation.id,
            "recipient": invitation.recipient.to_json(),
            "reason": "mailbox_unavailable",
        }
        for invitation in invitations
        if invitation.recipient.type == "email"
        and invitation.recipient.value.lower().endswith("@" + BOUNCING_DOMAIN)
    ]
    data = [serializers.created_invitation_resource(call.store, i) for i in invitations]
    return Reply(201, {"data": data, "meta": {"emailFailures": email_failures}})


def _recipients(call: Call, value: Any, errors: BodyErrors) -> list[Recipient]:
    pointer = "/data/attributes/recipients"
    if not isinstance(value, list) or not value:
        errors.add(pointer, "recipients must be a non-empty list.")
        return []
    if len(value) > MAX_RECIPIENTS:
        errors.add(pointer, f"At most {MAX_RECIPIENTS} recipients per request.")
        return []
    recipients: list[Recipient] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        item_pointer = f"{pointer}/{index}"
        if not isinstance(item, dict):
            errors.add(item_pointer, "Each recipient is an object with type and value.")
            continue
        kind, raw = item.get("type"), item.get("value")
        if kind not in RECIPIENT_TYPES:
            errors.add(f"{item_pointer}/type", f"type must be one of {', '.join(RECIPIENT_TYPES)}.")
            continue
        problem = _recipient_problem(call, kind, raw)
        if problem:
            errors.add(f"{item_pointer}/value", problem)
            continue
        identity = (kind, raw.lower() if kind == "email" else raw)
        if identity in seen:
            errors.add(f"{item_pointer}/value", f"Duplicate recipient {raw!r} in this batch.")
            continue
        seen.add(identity)
        recipients.append(Recipient(kind, raw))
    return recipients


def _recipient_problem(call: Call, kind: str, value: Any) -> str | None:
    if kind == "email" and not is_email(value):
        return "Invalid email address."
    if kind == "phone" and not is_phone(value):
        return "Phone numbers must be in E.164 format, e.g. +14155550123."
    if kind == "party_id":
        if not is_id("pty", value):
            return "Party ids must match ^pty_[0-9a-f]{32}$."
        if call.store.customers.get(value) is None:
            return f"Party {value} does not exist or is not accessible."
    return None


def list_agent_customers(call: Call) -> Reply:
    """Customers with active access through this agent, newest connection first."""
    agent = call.store.agent(path_id("agt", call.path_args["agent_id"], "agentId"))
    scope = f"agent-customers:{agent.id}"
    below, limit = _paging(call, scope, DEFAULT_LIMIT)
    page = call.store.agent_delegations.page(
        below=below,
        limit=limit,
        include=lambda adl: adl.agent_id == agent.id and not adl.is_revoked,
    )
    data = [serializers.agent_customer_resource(call.store, adl, "ACTIVE") for adl in page.items]
    return _list_reply(data, scope, page)


def revoke_agent_customer(call: Call) -> Reply:
    agent_id = path_id("agt", call.path_args["agent_id"], "agentId")
    customer_id = path_id("pty", call.path_args["customer_id"], "customerId")
    agent = call.store.agent(agent_id)
    agent_delegation = call.store.revoke_agent_access(agent, customer_id)
    data = serializers.agent_customer_resource(call.store, agent_delegation, "REVOKED")
    return Reply(200, {"data": data, "meta": {"deleted": True}})


# Agents


def list_agents(call: Call) -> Reply:
    statuses = query_enum(call.query, "status", ("ACTIVE", "REVOKED"))
    below, limit = _paging(call, "agents", DEFAULT_LIMIT)
    page = call.store.agents.page(
        below=below, limit=limit, include=lambda agent: not statuses or agent.status in statuses
    )
    data = [serializers.agent_resource(call.store, agent) for agent in page.items]
    return _list_reply(data, "agents", page)


def get_agent(call: Call) -> Reply:
    agent = call.store.agent(path_id("agt", call.path_args["agent_id"], "agentId"))
    return Reply(200, {"data": serializers.agent_resource(call.store, agent)})


# Agent invitations (adi_)


def list_agent_invitations(call: Call) -> Reply:
    """`status` filters on effectiveStatus: EXPIRED includes pending ones past expiresAt."""
    store = call.store
    statuses = query_enum(call.query, "status", INVITATION_STATUSES)
    agent_id = query_id(call.query, "agt", "agentId")
    email = call.query.get("customerEmail")
    if email is not None and not is_email(email):
        raise invalid_parameter("customerEmail", "customerEmail must be an email address.")
    wanted_email = email.lower() if email else None
    below, limit = _paging(call, "agent-invitations", DEFAULT_LIMIT)

    def include(invitation: AgentInvitation) -> bool:
        if agent_id is not None and invitation.agent_id != agent_id:
            return False
        if statuses and invitation.effective_status(call.now) not in statuses:
            return False
        if wanted_email is not None:
            found = serializers.invitation_email(store, invitation)
            return found is not None and found.lower() == wanted_email
        return True

    page = store.invitations.page(below=below, limit=limit, include=include)
    data = [serializers.agent_invitation_resource(store, i, call.now) for i in page.items]
    return _list_reply(data, "agent-invitations", page)


def cancel_agent_invitation(call: Call) -> Reply:
    invitation = call.store.invitation(path_id("adi", call.path_args["invitation_id"], "id"))
    call.store.cancel_invitation(invitation)
    data = serializers.agent_invitation_resource(call.store, invitation, call.store.clock.now())
    return Reply(200, {"data": data, "meta": {"deleted": True}})


def revoke_agent_invitations(call: Call) -> Reply:
    """Bulk cancel. Unknown and no-longer-pending ids are skipped, not counted."""
    ids = call.attributes().get("invitationIds")
    pointer = "/data/attributes/invitationIds"
    if not isinstance(ids, list) or not ids:
        raise invalid_body(pointer, "invitationIds must be a non-empty list.")
    if len(ids) > MAX_REVOKE_IDS:
        raise invalid_body(pointer, f"At most {MAX_REVOKE_IDS} invitation ids per request.")
    errors = BodyErrors()
    for index, invitation_id in enumerate(ids):
        if not is_id("adi", invitation_id):
            errors.add(f"{pointer}/{index}", "Invitation ids must match ^adi_[0-9a-f]{32}$.")
    errors.raise_if_any()
    revoked = 0
    for invitation_id in dict.fromkeys(ids):
        invitation = call.store.invitations.get(invitation_id)
        if invitation is not None and invitation.effective_status(call.now) == "PENDING":
            call.store.cancel_invitation(invitation)
            revoked += 1
    return Reply(200, {"revokedCount": revoked})


# Delegation invitations (din_, generation A)


def create_delegation_invitation(call: Call) -> Reply:
    attributes = call.attributes()
    errors = BodyErrors()
    pointer = "/data/attributes"
    email = attributes.get("customer_email")
    if not is_email(email):
        errors.add(f"{pointer}/customer_email", "customer_email must be an email address.")
    permissions = permissions_list(attributes.get("permissions"), f"{pointer}/permissions", errors)
    proposed = _proposed_agents(call, attributes.get("proposed_agents"), errors)
    days = attributes.get("expires_in_days", 7)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRES_IN_DAYS:
        errors.add(
            f"{pointer}/expires_in_days",
            f"expires_in_days must be an integer from 1 to {MAX_EXPIRES_IN_DAYS}.",
        )
    errors.raise_if_any()
    invitation = call.store.create_delegation_invitation(email, permissions, proposed, days)
    data = serializers.delegation_invitation_resource(call.store, invitation, call.now)
    return Reply(201, {"data": data})


def _proposed_agents(call: Call, value: Any, errors: BodyErrors) -> list[ProposedAgent]:
    pointer = "/data/attributes/proposed_agents"
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(pointer, "proposed_agents must be a list.")
        return []
    proposed = []
    for index, item in enumerate(value):
        item_pointer = f"{pointer}/{index}"
        if not isinstance(item, dict):
            errors.add(item_pointer, "Each proposed agent is an object.")
            continue
        agent_id = item.get("agent_id")
        if not is_id("agt", agent_id) or call.store.agents.get(agent_id) is None:
            errors.add(f"{item_pointer}/agent_id", f"Unknown agent {agent_id!r}.")
        permissions = permissions_list(
            item.get("permissions"), f"{item_pointer}/permissions", errors
        )
        limits = item.get("limits")
        clean_limits = None
        if isinstance(limits, dict):
            clean_limits = {
                name: positive_cents(limits.get(name), f"{item_pointer}/limits/{name}", errors)
                for name in ("perTransaction", "daily", "monthly")
            }
        elif limits is not None:
            errors.add(f"{item_pointer}/limits", "limits must be an object.")
        proposed.append(ProposedAgent(agent_id, permissions, clean_limits))
    return proposed


def list_delegation_invitations(call: Call) -> Reply:
    statuses = query_enum(call.query, "status", DELEGATION_INVITATION_STATUSES)
    below, limit = _paging(call, "delegation-invitations", DEFAULT_LIMIT)
    page = call.store.delegation_invitations.page(
        below=below,
        limit=limit,
        include=lambda din: not statuses or din.effective_status(call.now) in statuses,
    )
    data = [
        serializers.delegation_invitation_resource(call.store, din, call.now) for din in page.items
    ]
    return _list_reply(data, "delegation-invitations", page, snake_case=True)


# Agent delegations (adl_, generation A)


def list_agent_delegations(call: Call) -> Reply:
    """Both casings of every filter are accepted. There are no SELF delegations in the
    sandbox, so include_self changes nothing."""
    query = call.query
    delegation_id = query_id(query, "dlg", "delegation_id", "delegationId")
    agent_id = query_id(query, "agt", "agent_id", "agentId")
    delegating = query_id(query, "pty", "delegating_party_id", "delegatorPartyId")
    delegated = query_id(query, "pty", "delegated_party_id", "delegateePartyId")
    include_revoked = query_bool(query, "include_revoked", "includeRevoked")
    query_bool(query, "include_self", "includeSelf")
    below, limit = _paging(call, "agent-delegations", DEFAULT_LIMIT)
    developer_id = call.store.developer_party.id

    def include(adl: AgentDelegation) -> bool:
        return (
            (include_revoked or not adl.is_revoked)
            and (delegation_id is None or adl.delegation_id == delegation_id)
            and (agent_id is None or adl.agent_id == agent_id)
            and (delegating is None or adl.customer_id == delegating)
            and (delegated is None or delegated == developer_id)
        )

    page = call.store.agent_delegations.page(below=below, limit=limit, include=include)
    data = [serializers.agent_delegation_resource(call.store, adl) for adl in page.items]
    return _list_reply(data, "agent-delegations", page, snake_case=True)


def get_agent_delegation(call: Call) -> Reply:
    agent_delegation_id = path_id("adl", call.path_args["agent_delegation_id"], "agentDelegationId")
    agent_delegation = call.store.agent_delegation(agent_delegation_id)
    data = serializers.agent_delegation_resource(call.store, agent_delegation)
    return Reply(200, {"data": data})
