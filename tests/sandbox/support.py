"""What the sandbox tests share: a client of an app in process, an invite, an email recipient,
and the assertions on answers."""

import re
from typing import Any

import httpx

from sandbox import SandboxApp
from sandbox.testing import SandboxTransport

TOKEN = "test-token-not-a-secret"
BASE_URL = "http://sandbox.test"


def make_client(app: SandboxApp, token: str = TOKEN) -> httpx.Client:
    return httpx.Client(
        transport=SandboxTransport(app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {token}"},
    )


def invite(
    client: httpx.Client,
    agent_id: str,
    recipients: list[dict[str, str]],
    *,
    key: str,
    permissions: tuple[str, ...] = ("payments.read",),
    **attributes: object,
) -> httpx.Response:
    body = {
        "data": {
            "attributes": {"recipients": recipients, "permissions": list(permissions), **attributes}
        }
    }
    return client.post(f"/agents/{agent_id}/customers", json=body, headers={"Idempotency-Key": key})


def email(value: str) -> dict[str, str]:
    return {"type": "email", "value": value}


SUPPORT_ID = re.compile(r"^req_[0-9a-f]+$")


def assert_same_structure(
    expected: Any,
    actual: Any,
    path: str = "$",
    *,
    allow_empty: bool = False,
    nullable: frozenset[str] = frozenset(),
) -> None:
    """Same keys, nesting and JSON types as `expected`; values are not compared.

    A null in `expected` accepts anything (the sandbox fills in what the docs left null);
    lists are compared by their first element. Only with `allow_empty` may an actual list be
    empty, and only keys named in `nullable` may be null where the example has a value.
    """
    if expected is None:
        return
    if actual is None and path.rsplit(".", 1)[-1] in nullable:
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        assert set(actual) == set(expected), (
            f"{path}: keys differ: missing {set(expected) - set(actual)}, "
            f"extra {set(actual) - set(expected)}"
        )
        for key, value in expected.items():
            assert_same_structure(
                value, actual[key], f"{path}.{key}", allow_empty=allow_empty, nullable=nullable
            )
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        if not expected:
            return
        if not actual:
            assert allow_empty, f"{path}: expected a non-empty list"
            return
        for index, item in enumerate(actual):
            assert_same_structure(
                expected[0], item, f"{path}[{index}]", allow_empty=allow_empty, nullable=nullable
            )
    else:
        assert type(actual) is type(expected), (
            f"{path}: expected {type(expected).__name__}, got {actual!r}"
        )


def assert_error(
    response: httpx.Response,
    status: int,
    code: str,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    header: str | None = None,
) -> dict[str, Any]:
    """The documented envelope, exactly one error or more, the first one checked in full."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"], "errors must not be empty"
    for error in body["errors"]:
        assert set(error) <= {"code", "detail", "status", "source", "meta"}
        assert isinstance(error["detail"], str)
        assert error["detail"]
        assert error["status"] == str(status)
        assert SUPPORT_ID.match(error["meta"]["supportId"])
    first = body["errors"][0]
    assert first["code"] == code
    expected_source = {
        key: value
        for key, value in (("pointer", pointer), ("parameter", parameter), ("header", header))
        if value is not None
    }
    if expected_source:
        assert first["source"] == expected_source
    return first
