"""Checks on path, query and body values, each failing with the documented error envelope."""

import re
from datetime import datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from sandbox.clock import parse_timestamp
from sandbox.errors import ApiError, ErrorItem, invalid_parameter
from sandbox.ids import is_id
from sandbox.models import PERMISSIONS

# Deliberately simple: one @, no spaces or angle brackets, a dotted domain with a real TLD.
EMAIL_PATTERN = re.compile(r"^[^@\s<>()\[\],;:]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
PHONE_PATTERN = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_EMAIL_LENGTH = 254
TRUE_VALUES = ("true", "1")
FALSE_VALUES = ("false", "0")


def is_email(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_EMAIL_LENGTH
        and EMAIL_PATTERN.match(value) is not None
    )


def is_phone(value: object) -> bool:
    return isinstance(value, str) and PHONE_PATTERN.match(value) is not None


def path_id(prefix: str, value: str, parameter: str) -> str:
    if not is_id(prefix, value):
        raise invalid_parameter(parameter, f"{parameter} must match ^{prefix}_[0-9a-f]{{32}}$.")
    return value


def query_value(query: MultiDict[str, str], *names: str) -> tuple[str, str] | None:
    """The first of several accepted spellings present in the query, as (name, value)."""
    for name in names:
        if name in query:
            return name, query[name]
    return None


def query_id(query: MultiDict[str, str], prefix: str, *names: str) -> str | None:
    found = query_value(query, *names)
    if found is None:
        return None
    return path_id(prefix, found[1], found[0])


def query_bool(query: MultiDict[str, str], *names: str) -> bool:
    found = query_value(query, *names)
    if found is None:
        return False
    name, value = found
    if value.lower() in TRUE_VALUES:
        return True
    if value.lower() in FALSE_VALUES:
        return False
    raise invalid_parameter(name, f"{name} must be true or false.")


def query_enum(query: MultiDict[str, str], name: str, allowed: tuple[str, ...]) -> list[str]:
    """All values of a possibly repeated enum parameter (`status=A&status=B` or `A,B`)."""
    values = []
    for raw in query.getlist(name):
        for value in raw.split(","):
            if value not in allowed:
                raise invalid_parameter(name, f"{name} must be one of {', '.join(allowed)}.")
            values.append(value)
    return values


class BodyErrors:
    """Collects every problem in a request body so the caller can fix them in one go."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(self, pointer: str, detail: str) -> None:
        self.items.append(ErrorItem("invalid_value", 422, detail, pointer=pointer))

    def raise_if_any(self) -> None:
        if self.items:
            raise ApiError(*self.items)


def permissions_list(value: Any, pointer: str, errors: BodyErrors) -> list[str]:
    if not isinstance(value, list) or not value:
        errors.add(pointer, "permissions must be a non-empty list.")
        return []
    permissions: list[str] = []
    for index, permission in enumerate(value):
        if permission not in PERMISSIONS:
            errors.add(
                f"{pointer}/{index}",
                f"Unknown permission {permission!r}; use one of {', '.join(PERMISSIONS)}.",
            )
        elif permission not in permissions:
            permissions.append(permission)
    return permissions


def positive_cents(value: Any, pointer: str, errors: BodyErrors) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        errors.add(pointer, "Limits are positive integers in cents.")
        return None
    return value


def future_timestamp(
    value: Any, pointer: str, now: datetime, maximum: timedelta, errors: BodyErrors
) -> datetime | None:
    if not isinstance(value, str):
        errors.add(pointer, "expiresAt must be an ISO 8601 timestamp.")
        return None
    try:
        instant = parse_timestamp(value)
    except ValueError:
        errors.add(pointer, "expiresAt must be an ISO 8601 timestamp with a timezone.")
        return None
    if instant <= now:
        errors.add(pointer, "expiresAt must be in the future.")
    elif instant > now + maximum:
        errors.add(pointer, f"expiresAt must be at most {maximum.days} days ahead.")
    return instant
