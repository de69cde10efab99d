"""Which dashboard role a person gets from the groups their identity provider says they are in."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from dashboard.roles import ROLES


def parse_role_map(text: str) -> dict[str, str]:
    """`admins:admin,payments-managers:manager` → {provider group: role}; a bad entry is named."""
    mapping: dict[str, str] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        group, sep, role = (piece.strip() for piece in entry.rpartition(":"))
        if not sep or not group:
            raise ImproperlyConfigured(f"OIDC_ROLE_MAP entry {entry!r} is not group:role")
        if role not in ROLES:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP entry {entry!r}: {role!r} is not one of {', '.join(ROLES)}"
            )
        mapping[group] = role
    return mapping


def role_for_groups(groups: object, mapping: dict[str, str]) -> str | None:
    """The most powerful role any of the groups maps to, or None when none of them is mapped."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list | tuple):
        return None
    granted = {mapping[group] for group in groups if isinstance(group, str) and group in mapping}
    return next((role for role in ROLES if role in granted), None)
