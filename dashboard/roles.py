"""The three roles of a developer account and what each may do.

Roles are Django groups created by a migration; each holds named permissions of the
`dashboard` app, so views check one permission, never a role name.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from dashboard.auth import load_access

VIEW = "dashboard.view_natural"
INVITE = "dashboard.invite_customers"
REVOKE = "dashboard.revoke_delegations"
CANCEL = "dashboard.cancel_invitations"
REVIEW = "dashboard.review_delegations"
AUDIT = "dashboard.view_audit"
REFRESH_INDEX = "dashboard.refresh_index"
SECURITY_LOG = "dashboard.view_security_log"
MANAGE_SAVED_VIEWS = "dashboard.manage_saved_views"

DASHBOARD_PERMISSIONS = {
    "view_natural": "Can view customers, invitations and delegations",
    "invite_customers": "Can create customer and delegation invitations",
    "revoke_delegations": "Can revoke an agent's access to a customer",
    "cancel_invitations": "Can cancel pending invitations",
    "review_delegations": "Can mark delegations reviewed or flagged",
    "view_audit": "Can read the operations audit log",
    "refresh_index": "Can refresh the customer search index",
    "view_security_log": "Can read the security log (sign-ins, lockouts, second factors)",
    "manage_saved_views": "Can delete any saved view shared with the team",
}

ROLES = {
    "admin": list(DASHBOARD_PERMISSIONS),
    "manager": [
        "view_natural",
        "revoke_delegations",
        "cancel_invitations",
        "review_delegations",
        "view_audit",
    ],
    "support": ["view_natural"],
}

ROLE_LABELS = {"admin": "Admin", "manager": "Manager", "support": "Support"}


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The user's role name, the most powerful one if they hold several.

    Worked out once per user object, as Django caches permissions: the second-factor check
    and the page header both ask on every request, and the query that names the groups also
    fills the permission checks (dashboard.auth). Change groups, then call forget_role."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_role_cache"):
        if not hasattr(user, "_group_names"):
            load_access(user)
        user._role_cache = next((role for role in ROLES if role in user._group_names), None)
    return user._role_cache


def forget_role(user: AbstractBaseUser) -> None:
    """After a change of groups: the role and the permissions are worked out again."""
    for cached in ("_role_cache", "_group_names", "_perm_cache"):
        user.__dict__.pop(cached, None)
