"""The client against scripted transports: retries, errors, idempotency, timeouts, the call log."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from django.db import DatabaseError, transaction

from natural import client as client_module
from natural.client import NaturalClient, RetryPolicy, get_client, parse_retry_after
from natural.errors import (
    NaturalBadResponse,
    NaturalCredentialsRefused,
    NaturalNotFound,
    NaturalOutcomeUnknown,
    NaturalRateLimited,
    NaturalRejected,
    NaturalTimeout,
    NaturalUnavailable,
)
from natural.models import ApiCall

pytestmark = pytest.mark.django_db

TOKEN = "sk_ntl_sandbox_secret_do_not_log_4f1c2b"
KEY = "0b8f5e2a-3c1d-4e6f-9a7b-2c4d6e8f0a1b"
BODY = b'{"data":{"attributes":{"customer_email":"ann@example.com"}}}'
OK = {"data": [], "meta": {"pagination": {"hasMore": False, "nextCursor": None}}}


def ok(payload=None, status=200, headers=None):
    return httpx.Response(status, json=OK if payload is None else payload, headers=headers)


def api_error(status, code, *, pointer=None, reason=None, headers=None):
    error = {"code": code, "detail": f"{code} detail", "status": str(status)}
    if pointer:
        error["source"] = {"pointer": pointer}
    error["meta"] = {"supportId": "req_0123456789ab", **({"reason": reason} if reason else {})}
    return httpx.Response(status, json={"errors": [error]}, headers=headers)


class Script:
    """A transport that plays responses and transport errors in order and keeps the requests."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[len(self.requests) - 1]
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request)
        return step


def make_client(script: Script, **policy) -> NaturalClient:
    return NaturalClient(
        base_url="https://api.natural.test",
        token=TOKEN,
        transport=httpx.MockTransport(script),
        policy=RetryPolicy(**policy),
    )


def write(client: NaturalClient, *, idempotent: bool, method="POST", on_attempt=None):
    return client.send(
        method,
        "/agent-delegation-invitations",
        body=BODY,
        idempotency_key=KEY,
        idempotent=idempotent,
        on_attempt=on_attempt,
    )


# --- reads -----------------------------------------------------------------------------------


def test_read_retries_a_connect_error_then_succeeds(retry_waits):
    script = Script(httpx.ConnectError, ok())
    response = make_client(script).get("/agents", {"limit": 1})
    assert response.status == 200
    assert response.attempts == 2
    assert len(script.requests) == 2
    (wait,) = retry_waits.waits
    assert 0.1 <= wait <= 0.2  # jittered backoff after the first attempt


def test_read_waits_for_retry_after_on_429(retry_waits):
    script = Script(api_error(429, "rate_limited", headers={"Retry-After": "2"}), ok())
    response = make_client(script).get("/customers")
    assert response.attempts == 2
    assert retry_waits.waits == [2.0]


def test_three_503s_on_a_read_are_unavailable_after_three_attempts(retry_waits):
    script = Script(*(api_error(503, "service_unavailable") for _ in range(3)))
    with pytest.raises(NaturalUnavailable) as raised:
        make_client(script).get("/customers")
    assert len(script.requests) == 3
    assert len(retry_waits.waits) == 2
    assert raised.value.status == 503
    assert raised.value.status_code_for_page == 502
    assert raised.value.support_id == "req_0123456789ab"


def test_read_timeouts_become_a_timeout_for_the_page():
    script = Script(httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadTimeout)
    with pytest.raises(NaturalTimeout) as raised:
        make_client(script).get("/customers")
    assert len(script.requests) == 3
    assert raised.value.status_code_for_page == 504


def test_retry_after_beyond_the_cap_stops_at_once_and_reports_the_wait(retry_waits):
    script = Script(api_error(429, "rate_limited", headers={"Retry-After": "30"}))
    with pytest.raises(NaturalRateLimited) as raised:
        make_client(script).get("/customers")
    assert raised.value.retry_after == 30.0
    assert raised.value.status_code_for_page == 503
    assert retry_waits.waits == []


def test_a_wait_that_would_overrun_the_budget_stops_retrying(retry_waits):
    limited = {"Retry-After": "4"}
    script = Script(*(api_error(429, "rate_limited", headers=limited) for _ in range(3)))
    with pytest.raises(NaturalRateLimited):
        make_client(script, budget=8.0).get("/customers")
    assert retry_waits.waits == [4.0]
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, NaturalCredentialsRefused), (403, NaturalCredentialsRefused), (404, NaturalNotFound)],
)
def test_final_4xx_on_a_read_is_not_retried(status, error):
    script = Script(api_error(status, "some_code"))
    with pytest.raises(error):
        make_client(script).get("/customers/pty_1")
    assert len(script.requests) == 1


def test_credentials_refused_is_an_operator_problem():
    script = Script(api_error(401, "unauthenticated"))
    with pytest.raises(NaturalCredentialsRefused) as raised:
        make_client(script).get("/customers")
    assert raised.value.status_code_for_page == 503
    assert "operator" in raised.value.message
    assert "not allowed" not in raised.value.message


def test_a_500_on_a_read_is_unavailable_without_retrying():
    script = Script(api_error(500, "server_error"))
    with pytest.raises(NaturalUnavailable):
        make_client(script).get("/customers")
    assert len(script.requests) == 1


def test_a_200_that_is_not_json_is_a_bad_response():
    script = Script(httpx.Response(200, text="<html>proxy login</html>"))
    with pytest.raises(NaturalBadResponse):
        make_client(script).get("/customers")


def test_list_parameters_repeat_and_unset_ones_are_dropped():
    script = Script(ok())
    make_client(script).get(
        "/agents/invitations",
        {"status": ["PENDING", "EXPIRED"], "agentId": None, "include_revoked": True, "limit": 5},
    )
    query = script.requests[0].url.params
    assert query.get_list("status") == ["PENDING", "EXPIRED"]
    assert "agentId" not in query
    assert query["include_revoked"] == "true"


def test_probe_tries_once_with_a_short_timeout(retry_waits):
    script = Script(httpx.ConnectError)
    with pytest.raises(NaturalUnavailable):
        make_client(script).probe("/agents", {"limit": 1}, timeout=1.5)
    assert len(script.requests) == 1
    assert script.requests[0].extensions["timeout"]["read"] == 1.5
    assert retry_waits.waits == []


# --- writes ----------------------------------------------------------------------------------


def test_idempotent_write_sends_the_same_key_and_bytes_on_every_attempt():
    script = Script(httpx.ReadTimeout, api_error(503, "service_unavailable"), ok(status=201))
    response = write(make_client(script), idempotent=True)
    assert response.status == 201
    assert response.attempts == 3
    assert {request.headers["Idempotency-Key"] for request in script.requests} == {KEY}
    assert {request.content for request in script.requests} == {BODY}
    assert all(r.headers["Content-Type"] == "application/json" for r in script.requests)


def test_three_503s_on_an_idempotent_write_leave_the_outcome_unknown():
    script = Script(*(api_error(503, "service_unavailable") for _ in range(3)))
    with pytest.raises(NaturalOutcomeUnknown) as raised:
        write(make_client(script), idempotent=True)
    assert raised.value.last_status == 503
    assert len(script.requests) == 3
    assert {request.content for request in script.requests} == {BODY}


def test_read_timeout_on_a_non_idempotent_write_is_unknown_and_not_retried(retry_waits):
    script = Script(httpx.ReadTimeout, ok(status=201))
    with pytest.raises(NaturalOutcomeUnknown) as raised:
        write(make_client(script), idempotent=False)
    assert raised.value.last_status is None
    assert len(script.requests) == 1
    assert retry_waits.waits == []


def test_non_idempotent_write_retries_a_connect_error_because_nothing_was_sent():
    script = Script(httpx.ConnectError, ok(status=201))
    response = write(make_client(script), idempotent=False)
    assert response.attempts == 2
    assert [request.content for request in script.requests] == [BODY, BODY]


def test_non_idempotent_write_is_not_retried_on_503():
    script = Script(api_error(503, "service_unavailable"), ok(status=201))
    with pytest.raises(NaturalOutcomeUnknown):
        write(make_client(script), idempotent=False)
    assert len(script.requests) == 1


def test_write_that_never_connected_is_unavailable_not_unknown():
    script = Script(httpx.ConnectError, httpx.ConnectError, httpx.ConnectError)
    with pytest.raises(NaturalUnavailable):
        write(make_client(script), idempotent=False)
    assert len(script.requests) == 3


def test_write_that_was_only_rate_limited_is_rate_limited_not_unknown():
    limited = {"Retry-After": "1"}
    script = Script(*(api_error(429, "rate_limited", headers=limited) for _ in range(3)))
    with pytest.raises(NaturalRateLimited) as raised:
        write(make_client(script), idempotent=True)
    assert raised.value.retry_after == 1.0
    assert len(script.requests) == 3


def test_422_with_a_pointer_is_rejected_with_the_api_errors():
    script = Script(api_error(422, "invalid_value", pointer="/data/attributes/customer_email"))
    with pytest.raises(NaturalRejected) as raised:
        write(make_client(script), idempotent=False)
    (error,) = raised.value.errors
    assert error.pointer == "/data/attributes/customer_email"
    assert error.detail == "invalid_value detail"
    assert raised.value.status == 422
    assert raised.value.support_id == "req_0123456789ab"
    assert raised.value.message == "invalid_value detail"
    assert len(script.requests) == 1


def test_key_reused_is_final():
    script = Script(api_error(409, "conflict", reason="IDEMPOTENCY_KEY_REUSED"), ok())
    with pytest.raises(NaturalRejected):
        write(make_client(script), idempotent=True)
    assert len(script.requests) == 1


def test_request_in_progress_is_retried_with_the_same_key():
    script = Script(api_error(409, "conflict", reason="IDEMPOTENCY_REQUEST_IN_PROGRESS"), ok())
    assert write(make_client(script), idempotent=True).attempts == 2
    assert {request.headers["Idempotency-Key"] for request in script.requests} == {KEY}


def test_replayed_response_is_flagged():
    script = Script(ok(status=201, headers={"X-Idempotency-Replayed": "true"}))
    assert write(make_client(script), idempotent=True).replayed


def test_idempotent_write_needs_a_key():
    with pytest.raises(ValueError, match="Idempotency-Key"):
        make_client(Script()).send("DELETE", "/x", body=None, idempotency_key=None, idempotent=True)


def test_on_attempt_sees_every_attempt():
    seen = []
    limited = api_error(429, "rate_limited", headers={"Retry-After": "1"})
    script = Script(httpx.ConnectError, limited, ok(status=201))
    write(make_client(script), idempotent=True, on_attempt=seen.append)
    assert [info.number for info in seen] == [1, 2, 3]
    assert [info.status for info in seen] == [None, 429, 201]
    assert seen[0].exception == "ConnectError"
    assert seen[1].retry_after == 1.0
    assert seen[1].support_id == "req_0123456789ab"
    assert all(info.started_at.tzinfo is UTC for info in seen)


# --- every request ---------------------------------------------------------------------------


def test_no_request_ever_goes_without_a_timeout():
    script = Script(httpx.ConnectError, ok(), ok(), httpx.ReadTimeout, ok(status=201))
    client = make_client(script)
    client.get("/customers")
    client.probe("/agents", {"limit": 1}, timeout=2)
    write(client, idempotent=True)
    for request in script.requests:
        timeout = request.extensions["timeout"]
        assert set(timeout) == {"connect", "read", "write", "pool"}
        assert all(value is not None and 0 < value <= 8 for value in timeout.values())


def test_identity_headers():
    script = Script(ok())
    make_client(script).get("/agents")
    headers = script.requests[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"].startswith("NaturalAdmin/")
    assert "Idempotency-Key" not in headers


def test_the_token_never_reaches_a_log_record_or_the_call_log(caplog):
    caplog.set_level(logging.DEBUG)
    script = Script(
        httpx.ConnectError,
        ok(),
        api_error(422, "invalid_value", pointer="/data/attributes/email"),
        httpx.ReadTimeout,
    )
    client = make_client(script)
    client.get("/customers")
    with pytest.raises(NaturalRejected):
        write(client, idempotent=False)
    with pytest.raises(NaturalOutcomeUnknown):
        write(client, idempotent=False)
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        assert TOKEN not in text
        assert "Authorization" not in text
    assert TOKEN not in repr(client)
    stored = json.dumps(list(ApiCall.objects.values()), default=str)
    assert TOKEN not in stored


def test_every_attempt_is_logged_and_stored(caplog):
    caplog.set_level(logging.INFO, logger="natural.calls")
    script = Script(
        api_error(503, "service_unavailable"),
        ok(status=201, headers={"X-Idempotency-Replayed": "true"}),
    )
    write(make_client(script), idempotent=True, method="POST")
    rows = list(ApiCall.objects.order_by("attempt"))
    assert [(row.attempt, row.status) for row in rows] == [(1, 503), (2, 201)]
    assert {row.idempotency_key for row in rows} == {KEY}
    assert rows[0].support_id == "req_0123456789ab"
    assert rows[0].error == "service_unavailable"
    assert rows[1].replayed
    assert rows[1].path == "/agent-delegation-invitations"
    lines = [record for record in caplog.records if record.name == "natural.calls"]
    assert len(lines) == 2
    assert lines[1].natural_call["replayed"] is True
    assert "status=201" in lines[1].getMessage()


def test_the_call_log_path_has_no_query_string():
    make_client(Script(ok())).get("/agents/invitations", {"customerEmail": "ann@example.com"})
    assert ApiCall.objects.get().path == "/agents/invitations"


def test_a_failing_call_log_never_breaks_the_call(monkeypatch, caplog):
    def broken_insert(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ApiCall.objects, "bulk_create", broken_insert)
    assert make_client(Script(ok())).get("/customers").status == 200
    assert "could not store" in caplog.text


def test_a_database_error_in_the_call_log_leaves_the_callers_transaction_usable(monkeypatch):
    original_insert = ApiCall.objects.bulk_create

    def negative_duration(rows, *args, **kwargs):
        for row in rows:
            row.duration_ms = -1  # violates the column's CHECK constraint
        return original_insert(rows, *args, **kwargs)

    monkeypatch.setattr(ApiCall.objects, "bulk_create", negative_duration)
    with transaction.atomic():
        assert make_client(Script(ok())).get("/customers").status == 200
        assert ApiCall.objects.count() == 0


def test_oversized_strings_from_natural_are_clipped_not_lost():
    huge = httpx.Response(
        404,
        json={
            "errors": [{"code": "x" * 500, "detail": "", "meta": {"supportId": "req_" + "9" * 300}}]
        },
    )
    with pytest.raises(NaturalNotFound):
        make_client(Script(huge)).get("/customers/pty_1")
    row = ApiCall.objects.get()
    assert row.support_id == ("req_" + "9" * 300)[:100]
    assert len(row.error) == 200


@pytest.mark.django_db(transaction=True)
def test_a_read_does_not_wait_for_its_call_log_row(monkeypatch):
    from natural import call_log

    call_log.flush()
    writer_may_go = threading.Event()
    store = call_log._store

    def held_store(batch, **kwargs):
        writer_may_go.wait(10)
        store(batch, **kwargs)

    monkeypatch.setattr(call_log, "_store", held_store)
    assert make_client(Script(ok())).get("/customers").status == 200
    assert ApiCall.objects.count() == 0  # the writer is still held: the read did not wait
    writer_may_go.set()
    call_log.flush()
    assert ApiCall.objects.get().path == "/customers"


# --- Retry-After and the process-wide client -----------------------------------------------


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_one_client_per_process(settings):
    settings.NATURAL_API_URL = "https://api.natural.test"
    first = get_client()
    assert get_client() is first
    client_module.use_transport(httpx.MockTransport(Script(ok())))
    second = get_client()
    assert second is not first
    assert second is get_client()
    client_module.reset_client()
    assert get_client() is not second


def test_changing_a_natural_setting_rebuilds_the_client(settings):
    first = get_client()
    settings.NATURAL_API_URL = "https://elsewhere.natural.test"
    assert get_client() is not first
    assert get_client().base_url == "https://elsewhere.natural.test"
