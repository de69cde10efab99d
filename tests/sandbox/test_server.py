"""The real threaded HTTP server: dropped connections and key races over actual sockets."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from sandbox import create_app
from sandbox.server import serve_in_thread
from tests.sandbox.support import TOKEN

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_app():
    return create_app(token=TOKEN, customers=30, invitations=40, delegations=30)


@pytest.fixture
def server(small_app):
    with serve_in_thread(small_app) as base_url:
        yield base_url


def http_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


def invite_body(address: str) -> dict:
    return {
        "data": {
            "attributes": {
                "recipients": [{"type": "email", "value": address}],
                "permissions": ["payments.read"],
            }
        }
    }


def test_drop_before_closes_the_socket_without_a_response(small_app, server):
    small_app.faults.add("drop_before", path="^/customers$")
    host, port = server.removeprefix("http://").split(":")

    with socket.create_connection((host, int(port)), timeout=5) as sock:
        request = f"GET /customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        sock.sendall(request.encode())
        assert sock.recv(1024) == b""  # orderly close, not a single byte of response

    with http_client(server) as client:
        assert client.get("/customers").status_code == 200


def test_drop_after_is_a_protocol_error_and_the_write_stands(small_app, server):
    agent_id = next(iter(small_app.state.agents)).id
    small_app.faults.add("drop_after", method="POST")
    before = len(small_app.state.invitations)
    url = f"/agents/{agent_id}/customers"
    headers = {"Idempotency-Key": "dropped"}

    with http_client(server) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(url, json=invite_body("a@example.com"), headers=headers)
        retried = client.post(url, json=invite_body("a@example.com"), headers=headers)

    assert retried.status_code == 201
    assert retried.headers["X-Idempotency-Replayed"] == "true"
    assert len(small_app.state.invitations) == before + 1


def test_two_clients_racing_one_key_execute_once(small_app, server):
    agent_id = next(iter(small_app.state.agents)).id
    small_app.faults.add("latency", count=2, seconds=0.4, method="POST")
    before = len(small_app.state.invitations)
    barrier = threading.Barrier(2)
    responses: list[httpx.Response] = []

    def send() -> None:
        with http_client(server) as client:
            barrier.wait()
            responses.append(
                client.post(
                    f"/agents/{agent_id}/customers",
                    json=invite_body("race@example.com"),
                    headers={"Idempotency-Key": "race"},
                )
            )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(response.status_code for response in responses) == [201, 409]
    conflict = next(response for response in responses if response.status_code == 409)
    assert conflict.json()["errors"][0]["meta"]["reason"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    assert len(small_app.state.invitations) == before + 1


def test_cli_serves_until_sigterm_and_never_prints_the_token():
    token = "cli-secret-token-123"
    env = {**os.environ, "NATURAL_API_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--customers",
            "40",
            "--delegations",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Natural sandbox listening on http://127.0.0.1:")
        assert "(40 customers, 400 invitations, 60 agent delegations)" in line
        base_url = line.split(" ")[4]
        with httpx.Client(base_url=base_url, timeout=5) as client:
            assert client.get("/customers").status_code == 401
            ok = client.get("/customers", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert token not in line + stdout + stderr


def test_cli_without_a_token_explains_and_exits():
    env = {key: value for key, value in os.environ.items() if key != "NATURAL_API_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "sandbox"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert "NATURAL_API_TOKEN" in result.stderr


def connection_to(base_url: str) -> http.client.HTTPConnection:
    host, port = base_url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def exchange(connection: http.client.HTTPConnection, method: str, path: str, **kwargs):
    connection.request(method, path, **kwargs)
    response = connection.getresponse()
    return response.status, response.read()


def test_one_connection_carries_request_after_request(server):
    """As Natural does: a client's pooled connection is kept for its next call."""
    connection = connection_to(server)
    auth = {"Authorization": f"Bearer {TOKEN}"}

    assert exchange(connection, "GET", "/customers", headers=auth)[0] == 200
    first_socket = connection.sock
    assert first_socket is not None, "the sandbox closed the connection after one response"
    assert exchange(connection, "GET", "/agents", headers=auth)[0] == 200

    assert connection.sock is first_socket
    connection.close()


def test_a_body_left_unread_is_not_taken_for_the_next_request(server):
    """A refused POST's body stays unread by the sandbox; the next request must still parse."""
    connection = connection_to(server)
    body = json.dumps(invite_body("unread@example.com"))
    connection.connect()
    first_socket = connection.sock

    refused = exchange(
        connection,
        "POST",
        "/agents/agt_unknown/customers",
        body=body,
        headers={"Authorization": "Bearer wrong", "Content-Type": "application/json"},
    )
    answered = exchange(connection, "GET", "/agents", headers={"Authorization": f"Bearer {TOKEN}"})

    assert refused[0] == 401
    assert answered[0] == 200
    assert json.loads(answered[1])["data"]
    assert connection.sock is first_socket
    connection.close()


def test_a_content_length_that_is_not_a_number_is_a_clear_400(server):
    connection = connection_to(server)
    connection.putrequest("POST", "/agents")
    connection.putheader("Authorization", f"Bearer {TOKEN}")
    connection.putheader("Content-Length", "ten")
    connection.endheaders()
    response = connection.getresponse()

    assert response.status == 400
    assert b"Content-Length" in response.read()
    connection.close()
