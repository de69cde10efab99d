"""Upstreams that do less than asked: they ignore filters, or speak only one generation."""

from __future__ import annotations

import json

import httpx

from sandbox.testing import SandboxTransport
from tests.natural.casing import to_camel_case

PAGING = {"cursor", "limit"}
GENERATION_B_FILTERS = {
    "agentId": "agent_id",
    "delegationId": "delegation_id",
    "delegatorPartyId": "delegating_party_id",
    "delegateePartyId": "delegated_party_id",
    "includeRevoked": "include_revoked",
}


def _with_params(request: httpx.Request, params: dict) -> httpx.Request:
    return httpx.Request(
        request.method, request.url.copy_with(params=params), headers=request.headers
    )


class IgnoresFilters(httpx.BaseTransport):
    """The sandbox, except that every list filter is dropped before it arrives."""

    def __init__(self, app) -> None:
        self.inner = SandboxTransport(app)
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        kept = [(k, v) for k, v in request.url.params.multi_items() if k in PAGING]
        return self.inner.handle_request(_with_params(request, kept))


class GenerationBDelegations(httpx.BaseTransport):
    """`/agent-delegations` as generation B: camelCase answers, and only camelCase filters
    are understood (snake_case ones are ignored, as an API of that generation would)."""

    def __init__(self, app) -> None:
        self.inner = SandboxTransport(app)
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/agent-delegations":
            return self.inner.handle_request(request)
        self.seen.append(request)
        kept = [
            (GENERATION_B_FILTERS.get(k, k), v)
            for k, v in request.url.params.multi_items()
            if k in PAGING or k in GENERATION_B_FILTERS
        ]
        response = self.inner.handle_request(_with_params(request, kept))
        body = to_camel_case(json.loads(response.read()))
        return httpx.Response(response.status_code, json=body)
