"""Sign-in settings: password login, single sign-on over OpenID Connect and the second factor.

Every value comes from the environment; `config/settings.py` star-imports this module.
"""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured

from accounts.sso.config import provider_settings

env = environ.Env()
_debug = env.bool("DJANGO_DEBUG", default=True)

# Single sign-on is on when an issuer is set; the three after it must then be set too.
OIDC_ISSUER_URL = env.str("OIDC_ISSUER_URL", default="").rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_ROLE_MAP = env.str("OIDC_ROLE_MAP", default="")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid profile email").split()
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your identity provider")
SSO_ENABLED = bool(OIDC_ISSUER_URL)
if SSO_ENABLED:
    _missing = [
        name
        for name, value in (
            ("OIDC_CLIENT_ID", OIDC_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET),
            ("OIDC_ROLE_MAP", OIDC_ROLE_MAP),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            "OIDC_ISSUER_URL is set, so these are needed too: " + ", ".join(_missing)
        )

PASSWORD_LOGIN_ENABLED = env.bool("PASSWORD_LOGIN", default=True) or not SSO_ENABLED

# Roles whose password logins need a second factor: admin and manager in production, none in
# the demo. `MFA_REQUIRED_ROLES=` (empty) turns it off; `admin,manager,support` asks everyone.
MFA_REQUIRED_ROLES = [
    role
    for role in env.list("MFA_REQUIRED_ROLES", default=[] if _debug else ["admin", "manager"])
    if role
]

# Wrong second-factor codes (accounts/code_limits.py): this many in one pending sign-in, or the
# user-wide number within the lock's time, end the sign-in and lock the account's codes.
MFA_CODE_FAILURE_LIMIT = env.int("MFA_CODE_FAILURE_LIMIT", default=5)
MFA_CODE_USER_FAILURE_LIMIT = env.int("MFA_CODE_USER_FAILURE_LIMIT", default=10)
MFA_CODE_LOCK_MINUTES = int(
    env.str("MFA_CODE_LOCK_MINUTES", default="").strip()
    or env.int("AXES_COOLOFF_MINUTES", default=15)
)

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SingleSignOnAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_FORMS = {"login": "accounts.forms.PasswordLoginForm"}
# django-axes throttles password guessing (per username and address); allauth's own counter
# would answer first with a different page, so it stands aside. That counter also counts
# second-factor codes, which accounts/code_limits.py limits instead.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
ACCOUNT_REAUTHENTICATION_REQUIRED = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = provider_settings(
    issuer=OIDC_ISSUER_URL,
    client_id=OIDC_CLIENT_ID,
    secret=OIDC_CLIENT_SECRET,
    name=OIDC_PROVIDER_NAME,
    scopes=OIDC_SCOPES,
)
# Seconds to wait for the identity provider before showing "unreachable".
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_TIMEOUT", default=5)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Natural Admin"
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side: phone clocks drift
