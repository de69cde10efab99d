"""The sandbox's token bucket: Natural's rate limit, as the bench and the drills meet it."""

from __future__ import annotations

import httpx

from sandbox import create_app
from sandbox.ratelimit import TokenBucket
from sandbox.testing import SandboxTransport

TOKEN = "sk_ntl_sandbox_" + "ab" * 16


def api(app) -> httpx.Client:
    return httpx.Client(
        transport=SandboxTransport(app),
        base_url="http://natural.sandbox",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def test_off_by_default_no_rate_limit_headers():
    with api(create_app(token=TOKEN)) as client:
        answers = [client.get("/agents") for _ in range(30)]
    assert {answer.status_code for answer in answers} == {200}
    assert "X-RateLimit-Limit" not in answers[0].headers


def test_a_burst_beyond_the_bucket_gets_429_with_retry_after_and_the_headers():
    app = create_app(token=TOKEN, rate_limit=5)
    with api(app) as client:
        answers = [client.get("/agents") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    first, refused = answers[0], answers[-1]
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert int(first.headers["X-RateLimit-Reset"]) > 0
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.json()["errors"][0]["code"] == "rate_limited"


def test_the_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = TokenBucket(20, clock=lambda: now[0], wall=lambda: 1_000_000.0)
    assert all(bucket.take().allowed for _ in range(20))
    assert not bucket.take().allowed
    now[0] += 0.5  # ten tokens back
    assert sum(bucket.take().allowed for _ in range(12)) == 10


def test_a_refused_write_leaves_its_key_unused():
    app = create_app(token=TOKEN, rate_limit=1)
    agent = next(iter(app.state.agents)).id
    body = {
        "data": {
            "attributes": {
                "recipients": [{"type": "email", "value": "bucket@example.com"}],
                "permissions": ["payments.read"],
                "limits": {"perTransaction": 100},
            }
        }
    }
    with api(app) as client:
        client.get("/agents")  # the one token
        refused = client.post(
            f"/agents/{agent}/customers", json=body, headers={"Idempotency-Key": "k-1"}
        )
    assert refused.status_code == 429
    assert not [i for i in app.state.invitations if i.recipient.value == "bucket@example.com"]


def control(client: httpx.Client, per_second) -> httpx.Response:
    return client.post("/__sandbox/rate-limit", json={"perSecond": per_second})


def test_the_limit_is_changed_or_turned_off_while_the_sandbox_runs():
    app = create_app(token=TOKEN, rate_limit=2)
    with api(app) as client:
        assert [client.get("/agents").status_code for _ in range(3)] == [200, 200, 429]
        assert control(client, 0).json() == {"perSecond": 0}
        assert {client.get("/agents").status_code for _ in range(30)} == {200}
        assert "X-RateLimit-Limit" not in client.get("/agents").headers
        assert control(client, 3).status_code == 200
        assert client.get("/__sandbox/rate-limit").json() == {"perSecond": 3}
        assert [client.get("/agents").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_limit_that_is_not_a_number_or_below_zero_is_refused_with_its_field():
    app = create_app(token=TOKEN, rate_limit=2)
    with api(app) as client:
        for bad in ("fast", -1, True, None):
            answer = control(client, bad)
            assert answer.status_code == 422, bad
            assert answer.json()["errors"][0]["source"]["pointer"] == "/perSecond"
        assert client.get("/__sandbox/rate-limit").json() == {"perSecond": 2}
