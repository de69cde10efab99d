"""Records to JSON, shaped exactly as the seed examples (generation B camelCase unless noted)."""

from datetime import datetime
from typing import Any

from sandbox.clock import format_ms, format_seconds
from sandbox.models import (
    Agent,
    AgentDelegation,
    AgentInvitation,
    Customer,
    DelegationInvitation,
)
from sandbox.store import Store

Json = dict[str, Any]


def ref(resource_type: str, resource_id: str | None) -> Json:
    if resource_id is None:
        return {"data": None}
    return {"data": {"type": resource_type, "id": resource_id}}


def limits_json(per_transaction: int | None) -> Json:
    return {"perTransaction": per_transaction}


def customer_resource(store: Store, customer: Customer) -> Json:
    """Seed 003 (`GET /customers`) and `GET /customers/{customerId}`."""
    delegation = customer.delegation
    agents = []
    for agent_delegation in store.active_agent_delegations_of(customer):
        agent = store.agent(agent_delegation.agent_id)
        agents.append(
            {
                "type": "agent",
                "id": agent.id,
                "attributes": {
                    "name": agent.name,
                    "status": agent.status,
                    "permissions": list(agent_delegation.permissions),
                    "limits": limits_json(agent_delegation.per_transaction_limit),
                },
            }
        )
    return {
        "id": customer.party.id,
        "type": "customer",
        "attributes": {
            "name": customer.party.name,
            "email": customer.party.email,
            "createdAt": format_ms(customer.party.created_at),
        },
        "relationships": {
            "delegation": {
                "data": {
                    "type": "delegation",
                    "id": delegation.id,
                    "attributes": {
                        "status": delegation.status,
                        "permissions": list(delegation.permissions),
                        "createdAt": format_ms(delegation.created_at),
                    },
                }
            },
            "agents": {"data": agents},
        },
    }


def created_invitation_resource(store: Store, invitation: AgentInvitation) -> Json:
    """Seed 000 (`POST /agents/{agentId}/customers`): one `customerInvitation` per recipient."""
    agent = store.agent(invitation.agent_id)
    return {
        "type": "customerInvitation",
        "id": invitation.id,
        "attributes": {
            "recipient": invitation.recipient.to_json(),
            "status": invitation.status,
            "permissions": list(invitation.permissions),
            "limits": limits_json(invitation.per_transaction_limit),
            "expiresAt": format_ms(invitation.expires_at),
            "createdAt": format_ms(invitation.created_at),
            "updatedAt": format_ms(invitation.updated_at),
        },
        "relationships": {
            "agent": {
                "data": {
                    "type": "agent",
                    "id": agent.id,
                    "attributes": {
                        "name": agent.name,
                        "description": agent.description,
                        "status": agent.status,
                    },
                }
            },
            "customerParty": ref("party", invitation.customer_id),
        },
    }


def invitation_email(store: Store, invitation: AgentInvitation) -> str | None:
    if invitation.recipient.type == "email":
        return invitation.recipient.value
    if invitation.customer_id is not None:
        customer = store.customers.get(invitation.customer_id)
        if customer is not None:
            return customer.party.email
    return None


def agent_invitation_resource(store: Store, invitation: AgentInvitation, now: datetime) -> Json:
    """Seed 002 (`GET /agents/invitations`), also returned by the cancel endpoints."""
    agent = store.agent(invitation.agent_id)
    developer = store.developer_party
    return {
        "type": "agentDelegationInvitation",
        "id": invitation.id,
        "attributes": {
            "developerName": developer.name,
            "email": invitation_email(store, invitation),
            "agentName": agent.name,
            "permissions": list(invitation.permissions),
            "limits": limits_json(invitation.per_transaction_limit),
            "status": invitation.status,
            "effectiveStatus": invitation.effective_status(now),
            "expiresAt": format_ms(invitation.expires_at),
            "acceptedAt": format_ms(invitation.accepted_at),
            "declinedAt": format_ms(invitation.declined_at),
            "cancelReason": invitation.cancel_reason,
            "createdAt": format_ms(invitation.created_at),
            "updatedAt": format_ms(invitation.updated_at),
        },
        "relationships": {
            "developerParty": ref("party", developer.id),
            "customerParty": ref("party", invitation.customer_id),
            "agent": ref("agent", agent.id),
            "agentDelegation": ref("agentDelegation", invitation.agent_delegation_id),
        },
    }


def agent_customer_resource(store: Store, agent_delegation: AgentDelegation, status: str) -> Json:
    """`GET /agents/{agentId}/customers` rows and the revoke response: id is the customer."""
    customer = store.customer(agent_delegation.customer_id)
    agent = store.agent(agent_delegation.agent_id)
    return {
        "type": "customerInvitation",
        "id": customer.party.id,
        "attributes": {
            "name": customer.party.name,
            "email": customer.party.email,
            "status": status,
            "permissions": list(agent_delegation.permissions),
            "limits": limits_json(agent_delegation.per_transaction_limit),
            "createdAt": format_ms(agent_delegation.created_at),
            "updatedAt": format_ms(agent_delegation.updated_at),
        },
        "relationships": {
            "agent": {"data": {"type": "agent", "id": agent.id, "attributes": {"name": agent.name}}}
        },
    }


def agent_resource(store: Store, agent: Agent) -> Json:
    return {
        "type": "agent",
        "id": agent.id,
        "attributes": {
            "name": agent.name,
            "description": agent.description,
            "status": agent.status,
            "limits": limits_json(agent.per_transaction_limit),
            "createdAt": format_ms(agent.created_at),
            "createdBy": agent.created_by,
            "updatedAt": format_ms(agent.updated_at),
            "updatedBy": agent.created_by,
            "observability": None,
        },
        "relationships": {"party": ref("party", store.developer_party.id)},
    }


def agent_delegation_resource(store: Store, agent_delegation: AgentDelegation) -> Json:
    """Seed 004 (`GET /agent-delegations`): generation A, snake_case, seconds precision."""
    agent = store.agent(agent_delegation.agent_id)
    customer = store.customer(agent_delegation.customer_id)
    developer = store.developer_party
    limit = agent_delegation.per_transaction_limit
    attributes: Json = {
        "agent_name": agent.name,
        "permissions": list(agent_delegation.permissions),
        "limits": None if limit is None else limits_json(limit),
        "expires_at": format_seconds(agent_delegation.expires_at),
        "created_at": format_seconds(agent_delegation.created_at),
        "created_by": agent_delegation.created_by,
        "updated_at": format_seconds(agent_delegation.updated_at),
        "delegating_party_name": customer.party.name,
        "delegated_party_name": developer.name,
    }
    if agent_delegation.is_revoked and store.mark_revoked_delegations:
        # Undocumented, so only on request: Natural shows no status on agent delegations.
        attributes["revoked_at"] = format_seconds(agent_delegation.revoked_at)
    return {
        "type": "agent_delegation",
        "id": agent_delegation.id,
        "attributes": attributes,
        "relationships": {
            "delegation": ref("delegation", agent_delegation.delegation_id),
            "agent": ref("agent", agent.id),
            "delegating_party": ref("party", customer.party.id),
            "delegated_party": ref("party", developer.id),
        },
    }


def delegation_invitation_resource(
    store: Store, invitation: DelegationInvitation, now: datetime
) -> Json:
    """Seed 001 (`POST /agent-delegation-invitations`): generation A, snake_case."""
    delegating_party = (
        ref("party", invitation.customer_id) if invitation.customer_id is not None else None
    )
    return {
        "type": "delegation_invitation",
        "id": invitation.id,
        "attributes": {
            "customer_email": invitation.customer_email,
            "status": invitation.effective_status(now),
            "permissions": list(invitation.permissions),
            "expires_at": format_seconds(invitation.expires_at),
            "token": None,
            "magic_link": None,
            "created_at": format_seconds(invitation.created_at),
        },
        "relationships": {
            "delegated_party": ref("party", store.developer_party.id),
            # Bare null, not {"data": null}, exactly as seed 001 shows it.
            "delegating_party": delegating_party,
        },
    }


def customer_invitation_group(
    store: Store, group_id: str, invitations: list[AgentInvitation]
) -> Json:
    """`GET /customers/invitations`: one row per recipient; `invitations` newest first.

    createdAt is when the recipient was first invited (the oldest pending invitation).
    """
    newest, oldest = invitations[0], invitations[-1]
    email = invitation_email(store, newest)
    party = None
    if newest.customer_id is not None:
        customer = store.customers.get(newest.customer_id)
        if customer is not None:
            party = {"id": customer.party.id, "name": customer.party.name, "email": email}
    return {
        "type": "customerInvitation",
        "id": group_id,
        "attributes": {
            "status": "PENDING",
            "party": party,
            "email": email,
            "createdAt": format_ms(oldest.created_at),
            "walletAvailableMinor": None,
            "walletAccess": "denied",
            "agentInvitations": [
                {
                    "invitationId": invitation.id,
                    "agent": {
                        "id": invitation.agent_id,
                        "name": store.agent(invitation.agent_id).name,
                    },
                    "permissions": list(invitation.permissions),
                    "createdAt": format_ms(invitation.created_at),
                    "expiresAt": format_ms(invitation.expires_at),
                }
                for invitation in invitations
            ],
        },
    }
