"""Recorded answers of every list and detail endpoint, mutated the ways a real upstream can
differ from its docs: every page, full and partial, answers 200 or an honest 502/503/504, and
never shows a row that does not match its filter."""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from natural import client
from tests.fixtures.natural import SANDBOX_TOKEN
from tests.natural.casing import to_camel_case, to_snake_case

LONG = "x" * 5000
RTL = "\u202eשלום gnp.exe \u2067مرحبا\u2069 \u200b"
CURSOR = (string.ascii_letters + string.digits + string.punctuation + " +/=,")[:1024]
HONEST = {200, 502, 503, 504}


def _record() -> dict[str, Any]:
    """One answer of each endpoint from the sandbox, keyed by path."""
    from sandbox import create_app
    from sandbox.testing import SandboxTransport

    app = create_app(token=SANDBOX_TOKEN, seed=7, customers=30, invitations=40, delegations=30)
    http = httpx.Client(
        transport=SandboxTransport(app),
        base_url="http://natural.recorded",
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
    )
    recorded = {}
    for path in (
        "/customers",
        "/agents",
        "/agents/invitations",
        "/agent-delegation-invitations",
        "/agent-delegations",
    ):
        params = {"include_revoked": "true"} if path == "/agent-delegations" else {}
        recorded[path] = http.get(path, params={**params, "limit": 10}).json()
    customer = recorded["/customers"]["data"][0]["id"]
    delegation = recorded["/agent-delegations"]["data"][0]["id"]
    recorded["/customers/{id}"] = http.get(f"/customers/{customer}").json()
    recorded["/agent-delegations/{id}"] = http.get(f"/agent-delegations/{delegation}").json()
    recorded["ids"] = {"customer": customer, "delegation": delegation}
    return recorded


RECORDED = _record()


def _resources(payload: Any) -> list[dict]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    return [data] if isinstance(data, dict) else []


def _each_attribute(change: Callable[[str, Any], Any]) -> Callable[[Any], Any]:
    def mutate(payload: Any) -> Any:
        for resource in _resources(payload):
            attributes = resource.get("attributes") or {}
            for name in list(attributes):
                attributes[name] = change(name, attributes[name])
        return payload

    return mutate


def _strings(value_for: Callable[[str], str]) -> Callable[[Any], Any]:
    return _each_attribute(
        lambda name, value: value_for(value) if isinstance(value, str) else value
    )


def _drop(*keys: str) -> Callable[[Any], Any]:
    def mutate(payload: Any) -> Any:
        for resource in _resources(payload):
            for key in keys:
                resource.pop(key, None)
        return payload

    return mutate


def _extra(payload: Any) -> Any:
    for resource in _resources(payload):
        resource["unexpected"] = {"nested": [1, None, "x"]}
        resource.setdefault("attributes", {})["brandNewField"] = {"a": [None]}
        resource.setdefault("relationships", {})["somethingElse"] = {"data": {"id": "zzz"}}
    if isinstance(payload, dict):
        payload.setdefault("meta", {})["extra"] = True
    return payload


def _unknown_enums(payload: Any) -> Any:
    def change(name: str, value: Any) -> Any:
        return "SOMETHING_NEW" if "status" in name.lower() else value

    return _each_attribute(change)(payload)


def _opaque_cursor(payload: Any) -> Any:
    meta = payload.setdefault("meta", {}) if isinstance(payload, dict) else {}
    pagination = meta.get("pagination")
    if isinstance(pagination, dict) and isinstance(payload.get("data"), list):
        for has_more, cursor in (("hasMore", "nextCursor"), ("has_more", "next_cursor")):
            if has_more in pagination:
                pagination[has_more] = True
                pagination[cursor] = CURSOR
    return payload


def _nulls_everywhere(payload: Any) -> Any:
    payload = _each_attribute(lambda name, value: None)(payload)
    for resource in _resources(payload):
        for relation in (resource.get("relationships") or {}).values():
            if isinstance(relation, dict):
                relation["data"] = None
    return payload


MUTATIONS: dict[str, Callable[[Any], Any]] = {
    "as recorded": lambda payload: payload,
    "nulls": _nulls_everywhere,
    "missing attributes": _drop("attributes"),
    "missing relationships": _drop("relationships"),
    "extra keys": _extra,
    "unknown enums": _unknown_enums,
    "5,000-character strings": _strings(lambda value: LONG),
    "right-to-left strings": _strings(lambda value: RTL + value),
    "opaque cursor": _opaque_cursor,
    "camelCase": to_camel_case,
    "snake_case": to_snake_case,
    "data null": lambda payload: {**payload, "data": None},
    "not an object": lambda payload: ["unexpected"],
}


class Recorded(httpx.BaseTransport):
    """Answers every request with the recorded, mutated payload of its endpoint, whatever the
    query asked: filters are ignored, as a careless upstream would."""

    def __init__(self, mutate: Callable[[Any], Any]) -> None:
        self.mutate = mutate

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        key = path
        if path.startswith("/customers/") and path.count("/") == 2:
            key = "/customers/{id}"
        elif path.startswith("/agent-delegations/"):
            key = "/agent-delegations/{id}"
        if key not in RECORDED:
            return httpx.Response(404, json={"errors": [{"code": "not_found", "status": "404"}]})
        body = self.mutate(copy.deepcopy(RECORDED[key]))
        return httpx.Response(200, content=json.dumps(body).encode())


CUSTOMER = RECORDED["ids"]["customer"]
DELEGATION = RECORDED["ids"]["delegation"]
AGENT = RECORDED["/agents"]["data"][0]["id"]
PAGES = [
    ("/customers/", "customers-table"),
    ("/customers/?limit=50", "customers-table"),
    ("/invitations/", "invitations-table"),
    (f"/invitations/?status=PENDING&agent={AGENT}", "invitations-table"),
    ("/invitations/?email=someone@example.com", "invitations-table"),
    ("/invitations/delegation/?status=ACCEPTED", "delegation-invitations-table"),
    ("/delegations/", "delegations-table"),
    (f"/delegations/?party={CUSTOMER}&include_revoked=on", "delegations-table"),
    (f"/delegations/?agent={AGENT}", "delegations-table"),
    (f"/customers/{CUSTOMER}/", None),
    (f"/delegations/{DELEGATION}/", None),
    ("/?card=expiring", None),
    ("/?card=invitations", None),
    ("/?card=delegations", None),
    ("/invitations/export.csv?status=PENDING", None),
    (f"/delegations/export.csv?party={CUSTOMER}&include_revoked=on", None),
    ("/customers/export.csv", None),
]


def _rows_match(url: str, context) -> bool:
    rows = context.get("rows") if context is not None else None
    if not rows:
        return True
    if "status=PENDING" in url:
        return all(row["badge"]["label"] == "Pending" for row in rows)
    if "status=ACCEPTED" in url:
        return all(row["badge"]["label"] == "Accepted" for row in rows)
    if "email=" in url:
        return all(row["recipient"].lower() == "someone@example.com" for row in rows)
    if "party=" in url:
        return all(row["delegating_id"] == CUSTOMER for row in rows)
    if "/delegations/?agent=" in url:
        return all(row["agent_id"] == AGENT for row in rows)
    return True


@pytest.fixture
def recorded_natural(db, settings):
    from django.core.cache import cache

    settings.NATURAL_API_URL = "http://natural.recorded"
    cache.clear()
    yield
    client.reset_client()
    cache.clear()


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_every_page_answers_honestly_and_only_with_matching_rows(
    manager_client, recorded_natural, mutation
):
    from django.core.cache import cache

    failures = []
    for url, target in PAGES:
        for partial in (False, True) if target else (False,):
            cache.clear()
            client.use_transport(Recorded(MUTATIONS[mutation]))
            headers = {"HX-Request": "true", "HX-Target": target} if partial else {}
            response = manager_client.get(url, headers=headers)
            if response.streaming:
                b"".join(response.streaming_content)
            if response.status_code not in HONEST:
                failures.append((url, partial, response.status_code))
            elif not _rows_match(url, response.context):
                failures.append((url, partial, "a row that does not match the filter"))
    assert failures == []
