from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from dashboard import roles

# (label, url, permission, the paths the section holds). The three logs share one section, so
# an admin's header stays one line at 1280 wide; the log pages carry tabs between them.
SECTIONS = (
    ("Customers", "/customers/", roles.VIEW, ("/customers/",)),
    ("Invitations", "/invitations/", roles.VIEW, ("/invitations/",)),
    ("Delegations", "/delegations/", roles.VIEW, ("/delegations/",)),
    ("Logs", "/audit/", roles.AUDIT, ("/audit/", "/natural-requests/", "/webhooks/", "/security/")),
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
            {"label": label, "url": url, "current": request.path.startswith(paths)}
            for label, url, permission, paths in SECTIONS
            if user.has_perm(permission)
        ]

    return {
        "role": role,
        "role_label": lambda: roles.ROLE_LABELS.get(role() or "", ""),
        "nav_items": nav_items,
    }
