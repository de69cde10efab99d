"""Each injected fault does what it says, to the requests it names, as many times as asked."""

import time

import httpx
import pytest

from tests.sandbox.support import assert_error, email, invite


def test_latency_delays_matching_requests_only(app, client):
    app.faults.add("latency", seconds=0.25, path="^/agents$")

    started = time.monotonic()
    client.get("/customers")
    unaffected = time.monotonic() - started
    started = time.monotonic()
    assert client.get("/agents").status_code == 200
    delayed = time.monotonic() - started

    assert delayed >= 0.25
    assert unaffected < 0.2
    assert app.faults.active() == []


def test_rate_limit_answers_429_with_retry_after_for_count_requests(app, client):
    client.post("/__sandbox/faults", json={"kind": "rate_limit", "count": 2, "retryAfter": 7})

    limited = [client.get("/customers") for _ in range(2)]
    passed = client.get("/customers")

    for response in limited:
        assert_error(response, 429, "rate_limited")
        assert response.headers["Retry-After"] == "7"
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert int(response.headers["X-RateLimit-Reset"]) > time.time()
        assert response.headers["X-RateLimit-Limit"].isdigit()
    assert passed.status_code == 200


def test_rate_limit_does_not_consume_the_idempotency_key(app, client, agent_id):
    app.faults.add("rate_limit", method="POST")
    before = len(app.state.invitations)

    assert invite(client, agent_id, [email("a@example.com")], key="k").status_code == 429
    retried = invite(client, agent_id, [email("a@example.com")], key="k")

    assert retried.status_code == 201
    assert "X-Idempotency-Replayed" not in retried.headers
    assert len(app.state.invitations) == before + 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
    ],
)
def test_server_errors_are_answered_without_executing(app, client, agent_id, status, code):
    app.faults.add("error", status=status, method="POST")
    before = len(app.state.invitations)

    response = invite(client, agent_id, [email("a@example.com")], key="k")

    assert_error(response, status, code)
    assert len(app.state.invitations) == before


def test_drop_before_raises_and_changes_nothing(app, client, agent_id):
    app.faults.add("drop_before", method="POST")
    before = len(app.state.invitations)

    with pytest.raises(httpx.RemoteProtocolError):
        invite(client, agent_id, [email("a@example.com")], key="k")

    assert len(app.state.invitations) == before
    retried = invite(client, agent_id, [email("a@example.com")], key="k")
    assert retried.status_code == 201
    assert "X-Idempotency-Replayed" not in retried.headers
    assert [(r.status, r.fault) for r in app.request_log] == [(None, "drop_before"), (201, None)]


def test_drop_after_commits_then_the_retry_replays(app, client, agent_id):
    app.faults.add("drop_after", method="POST", path="/customers$")
    before = len(app.state.invitations)

    with pytest.raises(httpx.RemoteProtocolError):
        invite(client, agent_id, [email("a@example.com")], key="k")
    assert len(app.state.invitations) == before + 1

    retried = invite(client, agent_id, [email("a@example.com")], key="k")

    assert retried.status_code == 201
    assert retried.headers["X-Idempotency-Replayed"] == "true"
    assert len(app.state.invitations) == before + 1
    assert [(r.status, r.replayed, r.fault) for r in app.request_log] == [
        (201, False, "drop_after"),
        (201, True, None),
    ]


def test_method_and_path_narrow_what_a_fault_hits(app, client):
    app.faults.add("error", status=500, method="GET", path="^/agents/invitations$")

    assert client.get("/agents").status_code == 200
    assert client.post("/agents/invitations/revoke", json={}).status_code == 422
    assert client.get("/agents/invitations").status_code == 500
    assert client.get("/agents/invitations").status_code == 200


def test_control_endpoints_are_never_faulted_or_logged(app, client):
    app.faults.add("error", status=503, count=5)

    assert client.get("/__sandbox/faults").status_code == 200
    assert client.get("/__sandbox/clock").status_code == 200
    assert app.faults.active()[0].remaining == 5
    assert app.request_log == []


def test_faults_can_be_listed_and_cleared(client):
    client.post("/__sandbox/faults", json={"kind": "latency", "seconds": 0.1, "count": 3})
    client.post("/__sandbox/faults", json={"kind": "error", "status": 502, "method": "post"})

    listed = client.get("/__sandbox/faults").json()["faults"]
    cleared = client.delete("/__sandbox/faults").json()

    assert [(f["kind"], f["remaining"], f["method"]) for f in listed] == [
        ("latency", 3, None),
        ("error", 1, "POST"),
    ]
    assert cleared == {"cleared": 2}
    assert client.get("/__sandbox/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"kind": "meteor"}, "/kind"),
        ({"kind": "error", "status": 418}, "/status"),
        ({"kind": "latency", "seconds": 0}, "/seconds"),
        ({"kind": "rate_limit", "retryAfter": 1.5}, "/retryAfter"),
        ({"kind": "drop_after", "count": 0}, "/count"),
        ({"kind": "drop_after", "path": "("}, "/path"),
        ({"kind": "drop_after", "method": "BREW"}, "/method"),
    ],
)
def test_bad_fault_specs_are_refused(client, body, pointer):
    assert_error(client.post("/__sandbox/faults", json=body), 422, "invalid_value", pointer=pointer)


def test_request_log_over_http(client, app):
    client.get("/customers?limit=3")
    client.get("/nowhere")

    records = client.get("/__sandbox/requests").json()["requests"]

    assert [(r["method"], r["path"], r["query"], r["status"]) for r in records] == [
        ("GET", "/customers", "limit=3", 200),
        ("GET", "/nowhere", "", 404),
    ]
    assert client.delete("/__sandbox/requests").json() == {"cleared": 2}
    assert app.request_log == []
