from __future__ import annotations

from django.http import HttpRequest

from dashboard import roles

SECTIONS = (
    ("Customers", "/customers/", roles.VIEW),
    ("Invitations", "/invitations/", roles.VIEW),
    ("Delegations", "/delegations/", roles.VIEW),
    ("Audit log", "/audit/", roles.AUDIT),
    ("Security log", "/security/", roles.SECURITY_LOG),
)


def shell(request: HttpRequest) -> dict:
    """What the base layout needs on every page: the user's role and the sections they may open."""
    user = request.user
    role = roles.role_of(user)
    nav_items = [
        {"label": label, "url": url, "current": request.path.startswith(url)}
        for label, url, permission in SECTIONS
        if user.has_perm(permission)
    ]
    return {
        "role": role,
        "role_label": roles.ROLE_LABELS.get(role or "", ""),
        "nav_items": nav_items,
    }
