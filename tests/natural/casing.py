"""Rewrite a payload into the other generation of the API, to check both parse the same."""

from __future__ import annotations

import re
from typing import Any

GENERATION_A_NAMES = {
    "delegatorParty": "delegating_party",
    "delegateeParty": "delegated_party",
    "delegatorPartyName": "delegating_party_name",
    "delegateePartyName": "delegated_party_name",
}
GENERATION_B_NAMES = {snake: camel for camel, snake in GENERATION_A_NAMES.items()}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_snake_case(payload: Any) -> Any:
    """Generation A: snake_case keys and the delegating/delegated party names."""
    return _rename(payload, lambda key: GENERATION_A_NAMES.get(key) or _snake(key))


def to_camel_case(payload: Any) -> Any:
    """Generation B: camelCase keys and the delegator/delegatee party names."""
    return _rename(payload, lambda key: GENERATION_B_NAMES.get(key) or _camel(key))


def _rename(payload: Any, rename) -> Any:
    if isinstance(payload, dict):
        return {rename(key): _rename(value, rename) for key, value in payload.items()}
    if isinstance(payload, list):
        return [_rename(item, rename) for item in payload]
    return payload
