"""Every refusal comes in the documented envelope, pointing at what was wrong."""

import base64

import pytest

from tests.sandbox.support import assert_error, email, invite, make_client

GOOD_AGENT = "agt_" + "0" * 32


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dGVzdA==", "Bearer"])
def test_missing_or_wrong_token_is_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    client.headers.pop("Authorization")

    response = client.get("/customers", headers=headers)

    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_control_endpoints_need_the_token_too(app):
    with make_client(app, token="nope") as client:
        assert_error(client.post("/__sandbox/reset"), 401, "unauthenticated")


def test_unknown_route_and_wrong_method(client):
    assert_error(client.get("/payments"), 404, "not_found")
    response = client.put("/customers")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/customers/usr_" + "0" * 32, "customerId"),
        ("/customers/pty_ABC", "customerId"),
        ("/agents/agt_123", "agentId"),
        ("/agents/agt_123/customers", "agentId"),
        ("/agent-delegations/dlg_" + "0" * 32, "agentDelegationId"),
    ],
)
def test_path_ids_are_checked_against_their_pattern(client, path, parameter):
    assert_error(client.get(path), 400, "invalid_value", parameter=parameter)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/customers/pty_" + "0" * 32, "not_found"),
        (f"/agents/{GOOD_AGENT}", "agent_not_found"),
        ("/agent-delegations/adl_" + "0" * 32, "delegation_not_found"),
    ],
)
def test_unknown_ids_are_404(client, path, code):
    assert_error(client.get(path), 404, code)


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", "1.5", ""])
def test_limit_outside_1_to_100_is_refused(client, limit):
    assert_error(
        client.get(f"/agents/invitations?limit={limit}"), 400, "invalid_value", parameter="limit"
    )


def test_limit_bounds_are_inclusive(client):
    assert len(client.get("/customers?limit=1").json()["data"]) == 1
    assert len(client.get("/customers?limit=100").json()["data"]) == 100


def test_tampered_and_foreign_cursors_are_refused(client):
    cursor = client.get("/customers?limit=5").json()["meta"]["pagination"]["nextCursor"]
    raw = base64.urlsafe_b64decode(cursor.removeprefix("cur_") + "==").decode()
    forged = "cur_" + base64.urlsafe_b64encode(raw.replace('"t":', '"t":1').encode()).decode()

    for bad in ["garbage", "cur_", forged, cursor[:-3]]:
        response = client.get(f"/customers?cursor={bad}")
        assert_error(response, 400, "invalid_pagination_cursor", parameter="cursor")
    # A cursor from one list means nothing to another.
    response = client.get(f"/agents/invitations?cursor={cursor}")
    assert_error(response, 400, "invalid_pagination_cursor", parameter="cursor")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=OPEN", "status"),
        ("status=PENDING&status=REVOKED", "status"),
        ("customerEmail=not-an-email", "customerEmail"),
        ("agentId=agt_nope", "agentId"),
    ],
)
def test_agent_invitation_filters_are_validated(client, query, parameter):
    response = client.get(f"/agents/invitations?{query}")
    assert_error(response, 400, "invalid_value", parameter=parameter)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("include_revoked=maybe", "include_revoked"),
        ("includeRevoked=yes", "includeRevoked"),
        ("agent_id=agt_x", "agent_id"),
        ("delegatorPartyId=dlg_" + "0" * 32, "delegatorPartyId"),
    ],
)
def test_agent_delegation_filters_are_validated(client, query, parameter):
    response = client.get(f"/agent-delegations?{query}")
    assert_error(response, 400, "invalid_value", parameter=parameter)


def test_malformed_bodies_are_422(client, agent_id):
    url = f"/agents/{agent_id}/customers"
    headers = {"Idempotency-Key": "k", "Content-Type": "application/json"}
    cases = [
        (b"{not json", ""),
        (b"", ""),
        (b"[]", "/data"),
        (b'{"data": {"attributes": []}}', "/data/attributes"),
    ]
    for content, pointer in cases:
        response = client.post(url, content=content, headers=headers)
        assert_error(response, 422, "invalid_value", pointer=pointer)


@pytest.mark.parametrize(
    ("recipient", "pointer"),
    [
        ({"type": "email", "value": "not an email"}, "/data/attributes/recipients/0/value"),
        ({"type": "email", "value": "a@b"}, "/data/attributes/recipients/0/value"),
        ({"type": "phone", "value": "4155550123"}, "/data/attributes/recipients/0/value"),
        ({"type": "phone", "value": "+0155550123"}, "/data/attributes/recipients/0/value"),
        ({"type": "party_id", "value": "pty_nope"}, "/data/attributes/recipients/0/value"),
        ({"type": "party_id", "value": "pty_" + "0" * 32}, "/data/attributes/recipients/0/value"),
        ({"type": "fax", "value": "+14155550123"}, "/data/attributes/recipients/0/type"),
        ("ops@example.com", "/data/attributes/recipients/0"),
    ],
)
def test_bad_recipients_point_at_the_recipient(client, agent_id, recipient, pointer):
    response = invite(client, agent_id, [recipient], key="k")
    assert_error(response, 422, "invalid_value", pointer=pointer)


def test_every_bad_recipient_is_reported_at_once(client, agent_id):
    recipients = [email("ok@example.com"), email("bad"), email("OK@example.com")]
    response = invite(client, agent_id, recipients, key="k", permissions=("payments.steal",))

    errors = response.json()["errors"]
    assert response.status_code == 422
    assert [error["source"]["pointer"] for error in errors] == [
        "/data/attributes/recipients/1/value",
        "/data/attributes/recipients/2/value",  # the same address again, in other case
        "/data/attributes/permissions/0",
    ]


def test_unknown_permission_points_at_its_index(client, agent_id):
    response = invite(
        client,
        agent_id,
        [email("a@example.com")],
        key="k",
        permissions=("payments.read", "payments:write"),
    )
    assert_error(response, 422, "invalid_value", pointer="/data/attributes/permissions/1")


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"limits": {"perTransaction": 0}}, "/data/attributes/limits/perTransaction"),
        ({"limits": {"perTransaction": 10.5}}, "/data/attributes/limits/perTransaction"),
        ({"limits": 100}, "/data/attributes/limits"),
        ({"expiresAt": "2020-01-01T00:00:00Z"}, "/data/attributes/expiresAt"),
        ({"expiresAt": "2999-01-01T00:00:00Z"}, "/data/attributes/expiresAt"),
        ({"expiresAt": "tomorrow"}, "/data/attributes/expiresAt"),
    ],
)
def test_limits_and_expiry_are_validated(client, agent_id, attributes, pointer):
    response = invite(client, agent_id, [email("a@example.com")], key="k", **attributes)
    assert_error(response, 422, "invalid_value", pointer=pointer)


def test_batches_over_100_recipients_are_refused(client, agent_id, app):
    recipients = [email(f"person{i}@example.com") for i in range(101)]
    before = len(app.state.invitations)

    response = invite(client, agent_id, recipients, key="k")

    assert_error(response, 422, "invalid_value", pointer="/data/attributes/recipients")
    assert len(app.state.invitations) == before
    assert invite(client, agent_id, recipients[:100], key="k").status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"/agents/{GOOD_AGENT}/customers"),
        ("DELETE", "/agents/invitations/adi_" + "0" * 32),
        ("DELETE", f"/agents/{GOOD_AGENT}/customers/pty_" + "0" * 32),
    ],
)
def test_idempotency_key_is_required_where_documented(client, method, path):
    response = client.request(method, path, json={})
    assert_error(response, 400, "invalid_value", header="Idempotency-Key")


def test_overlong_idempotency_key_is_refused(client, agent_id):
    response = invite(client, agent_id, [email("a@example.com")], key="k" * 256)
    assert_error(response, 400, "invalid_value", header="Idempotency-Key")


def test_agent_headers_are_validated(client):
    bad_agent = client.get("/customers", headers={"X-Agent-ID": "agent-7"})
    assert_error(bad_agent, 400, "invalid_value", header="X-Agent-ID")
    no_instance = client.get("/customers", headers={"X-Agent-ID": GOOD_AGENT})
    assert_error(no_instance, 400, "invalid_value", header="X-Instance-ID")
    both = client.get("/customers", headers={"X-Agent-ID": GOOD_AGENT, "X-Instance-ID": "s-1"})
    assert both.status_code == 200


def test_delegation_invitation_body_is_validated(client):
    body = {
        "data": {
            "attributes": {
                "customer_email": "nobody",
                "permissions": ["payments.read"],
                "proposed_agents": [{"agent_id": GOOD_AGENT, "permissions": ["payments.create"]}],
                "expires_in_days": 0,
            }
        }
    }
    response = client.post("/agent-delegation-invitations", json=body)

    assert response.status_code == 422
    assert [error["source"]["pointer"] for error in response.json()["errors"]] == [
        "/data/attributes/customer_email",
        "/data/attributes/proposed_agents/0/agent_id",
        "/data/attributes/expires_in_days",
    ]


def test_bulk_revoke_validates_ids(client):
    body = {"data": {"attributes": {"invitationIds": ["adi_" + "0" * 32, "din_123"]}}}
    response = client.post("/agents/invitations/revoke", json=body)
    assert_error(response, 422, "invalid_value", pointer="/data/attributes/invitationIds/1")
