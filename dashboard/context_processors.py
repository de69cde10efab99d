from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from dashboard import roles

SECTIONS = (
    ("Customers", "/customers/", roles.VIEW),
    ("Invitations", "/invitations/", roles.VIEW),
    ("Delegations", "/delegations/", roles.VIEW),
    ("Audit log", "/audit/", roles.AUDIT),
    ("Natural requests", "/natural-requests/", roles.AUDIT),
    ("Security log", "/security/", roles.SECURITY_LOG),
)


def shell(request: HttpRequest) -> dict:
    """What the base layout needs on every page: the user's role and the sections they may open.

    Worked out only when a template reads them: a table partial never shows the shell, so it
    must not pay for its queries."""
    user = request.user

    @cache
    def role() -> str | None:
        return roles.role_of(user)

    @cache
    def nav_items() -> list[dict]:
        return [
            {"label": label, "url": url, "current": request.path.startswith(url)}
            for label, url, permission in SECTIONS
            if user.has_perm(permission)
        ]

    return {
        "role": role,
        "role_label": lambda: roles.ROLE_LABELS.get(role() or "", ""),
        "nav_items": nav_items,
    }
