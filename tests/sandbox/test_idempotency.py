"""Idempotency-Key: replay, refusal of reuse, one execution under concurrency, 48 h window."""

import threading

from tests.sandbox.support import assert_error, email, invite, make_client


def invitation_ids(app) -> set[str]:
    return {invitation.id for invitation in app.state.invitations}


def test_same_key_and_body_replays_the_original_response(app, client, agent_id):
    before = invitation_ids(app)
    first = invite(client, agent_id, [email("ada@example.com")], key="key-1")
    second = invite(client, agent_id, [email("ada@example.com")], key="key-1")

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["X-Idempotency-Replayed"] == "true"
    assert "X-Idempotency-Replayed" not in first.headers
    assert len(invitation_ids(app) - before) == 1
    assert [(r.status, r.replayed) for r in app.request_log] == [(201, False), (201, True)]


def test_same_key_with_another_body_is_409_key_reused(app, client, agent_id):
    invite(client, agent_id, [email("ada@example.com")], key="key-1")
    before = invitation_ids(app)

    response = invite(client, agent_id, [email("grace@example.com")], key="key-1")

    error = assert_error(response, 409, "conflict")
    assert error["meta"]["reason"] == "IDEMPOTENCY_KEY_REUSED"
    assert invitation_ids(app) == before


def test_same_key_on_another_path_is_409_key_reused(app, client):
    first_agent, second_agent = list(app.state.agents)[:2]
    invite(client, first_agent.id, [email("ada@example.com")], key="key-1")

    response = invite(client, second_agent.id, [email("ada@example.com")], key="key-1")

    assert response.json()["errors"][0]["meta"]["reason"] == "IDEMPOTENCY_KEY_REUSED"


def test_different_keys_execute_twice(app, client, agent_id):
    before = invitation_ids(app)
    invite(client, agent_id, [email("ada@example.com")], key="key-1")
    invite(client, agent_id, [email("ada@example.com")], key="key-2")
    # Re-inviting someone already pending creates another invitation, as the API does.
    assert len(invitation_ids(app) - before) == 2


def test_keys_are_scoped_per_token():
    from sandbox import create_app

    first = create_app(token="token-a", customers=20, invitations=20, delegations=20)
    second = create_app(token="token-b", customers=20, invitations=20, delegations=20)
    agent = next(iter(first.state.agents)).id
    with make_client(first, "token-a") as a, make_client(second, "token-b") as b:
        assert invite(a, agent, [email("x@example.com")], key="shared").status_code == 201
        other_agent = next(iter(second.state.agents)).id
        response = invite(b, other_agent, [email("y@example.com")], key="shared")
    assert response.status_code == 201
    assert "X-Idempotency-Replayed" not in response.headers


def test_concurrent_requests_with_one_key_execute_once(app, client, agent_id):
    # Hold each execution open long enough for the others to arrive while it runs.
    app.faults.add("latency", count=8, seconds=0.3, method="POST")
    before = invitation_ids(app)
    barrier = threading.Barrier(8)
    responses = []

    def send() -> None:
        barrier.wait()
        responses.append(invite(client, agent_id, [email("race@example.com")], key="race"))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(invitation_ids(app) - before) == 1
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) >= 1
    executed = [
        r for r in responses if r.status_code == 201 and "X-Idempotency-Replayed" not in r.headers
    ]
    assert len(executed) == 1
    for response in responses:
        if response.status_code == 409:
            reason = response.json()["errors"][0]["meta"]["reason"]
            assert reason == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    assert 409 in statuses


def test_refused_request_does_not_burn_the_key(app, client, agent_id):
    refused = invite(client, agent_id, [email("not-an-email")], key="key-1")
    assert refused.status_code == 422

    fixed = invite(client, agent_id, [email("fixed@example.com")], key="key-1")

    assert fixed.status_code == 201
    assert "X-Idempotency-Replayed" not in fixed.headers


def test_records_expire_after_48_hours_of_sandbox_time(app, client, agent_id):
    invite(client, agent_id, [email("ada@example.com")], key="key-1")
    app.clock.advance(47 * 3600)
    assert invite(client, agent_id, [email("other@example.com")], key="key-1").status_code == 409

    app.clock.advance(3600)
    again = invite(client, agent_id, [email("other@example.com")], key="key-1")

    assert again.status_code == 201
    assert "X-Idempotency-Replayed" not in again.headers


def test_delete_replays_its_first_answer(app, client):
    pending = next(
        i for i in app.state.invitations if i.effective_status(app.clock.now()) == "PENDING"
    )
    url = f"/agents/invitations/{pending.id}"

    first = client.delete(url, headers={"Idempotency-Key": "cancel-1"})
    replay = client.delete(url, headers={"Idempotency-Key": "cancel-1"})
    fresh_key = client.delete(url, headers={"Idempotency-Key": "cancel-2"})

    assert first.status_code == 200
    assert replay.status_code == 200
    assert replay.content == first.content
    assert replay.headers["X-Idempotency-Replayed"] == "true"
    assert_error(fresh_key, 409, "conflict")


def test_key_is_ignored_where_the_docs_do_not_list_it(app, client, agent_id):
    body = {
        "data": {
            "attributes": {
                "customer_email": "twice@example.com",
                "permissions": ["payments.read"],
                "proposed_agents": [{"agent_id": agent_id, "permissions": ["payments.create"]}],
            }
        }
    }
    headers = {"Idempotency-Key": "same"}
    first = client.post("/agent-delegation-invitations", json=body, headers=headers)
    second = client.post("/agent-delegation-invitations", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json()["data"]["id"] != second.json()["data"]["id"]
    assert "X-Idempotency-Replayed" not in second.headers
