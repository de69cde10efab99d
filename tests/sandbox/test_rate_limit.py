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
