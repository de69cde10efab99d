"""Settings for Natural Admin: every value comes from the environment (see .env.example)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Production refuses to start on local defaults: each of these must be set explicitly.
PRODUCTION_REQUIRED = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "NATURAL_API_URL",
    "NATURAL_API_TOKEN",
)
if not DEBUG:
    missing = [name for name in PRODUCTION_REQUIRED if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false needs these environment variables: " + ", ".join(missing)
        )

# DEBUG shows Django's technical 404/500 pages unless this is on (the demo turns it on).
PRODUCT_ERROR_PAGES = env.bool("DJANGO_PRODUCT_ERROR_PAGES", default=not DEBUG)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-only-insecure-key-for-development")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "dashboard",
    "natural",
    "read_model",
    "browse",
    "operations",
    "accounts",
    "saved_views",
    "django_tasks_db",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.HtmxVaryMiddleware",
    "dashboard.middleware.PrivateResponsesMiddleware",
    "natural.middleware.PageBudgetMiddleware",
    "dashboard.middleware.HtmxLoginRedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorEnrolmentMiddleware",
    "axes.middleware.AxesMiddleware",
    "dashboard.errors.ProductErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "dashboard.context_processors.shell",
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "browse.templatetags.upstream",
                "browse.templatetags.moments",
                "browse.templatetags.names",
                "tables.templatetags.table_region",
            ],
        },
    },
    {
        # The table component's region only (tables/component.py): compiled to Python once.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja.environment"},
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'natural-admin.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the sync job write while pages read; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, asking for a user's permissions in one query (dashboard/auth.py).
    "dashboard.auth.PermissionBackend",
    "accounts.backends.SignInSessionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "dashboard.errors.csrf_failure"

# Failed logins: lock the username+address pair, so one attacker cannot lock out every user.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

from accounts.settings import *  # noqa: E402, F403 - sign-in, single sign-on and second factor

# Database sessions, read with one plain query per request (dashboard/sessions.py).
SESSION_ENGINE = "dashboard.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if SSO_ENABLED:  # noqa: F405 - from accounts.settings
    from accounts.sso.config import issuer_origin

    SECURE_CSP["form-action"].append(issuer_origin(OIDC_ISSUER_URL))  # noqa: F405

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The Natural API. The token is read here and used only by natural/client.py.
NATURAL_API_URL = env.str("NATURAL_API_URL", default="http://127.0.0.1:8765")
NATURAL_API_TOKEN = env.str("NATURAL_API_TOKEN", default="")
NATURAL_API_CONNECT_TIMEOUT = env.float("NATURAL_API_CONNECT_TIMEOUT", default=2.0)
NATURAL_API_READ_TIMEOUT = env.float("NATURAL_API_READ_TIMEOUT", default=5.0)
NATURAL_API_RETRY_BUDGET = env.float("NATURAL_API_RETRY_BUDGET", default=8.0)
NATURAL_API_MAX_CONNECTIONS = env.int("NATURAL_API_MAX_CONNECTIONS", default=20)

# Pacing the batch senders: Natural limits each credential with a token bucket. 0 takes the
# pace from Natural's X-RateLimit-Limit header (requests per second); a number sets it.
NATURAL_API_RATE_LIMIT = env.float("NATURAL_API_RATE_LIMIT", default=0.0)

# The task queue (django.tasks). Batch sends and the read model's passes run on workers
# (`manage.py run_worker`), never in a web request: "database" keeps the queue in the
# dashboard's own database (django-tasks-db), "redis" in Redis (django-tasks-rq) for workers on
# many hosts, "immediate" runs each task inside the call that enqueues it (tests only).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r}: choose one of {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
# The workers run the read model's passes on their own: a quick pass every QUICK_PASS_SECONDS
# and a full pass every FULL_PASS_SECONDS, once per period whatever the number of workers.
PERIODIC_PASSES = env.bool("PERIODIC_PASSES", default=True)
QUICK_PASS_SECONDS = env.int("QUICK_PASS_SECONDS", default=60)
FULL_PASS_SECONDS = env.int("FULL_PASS_SECONDS", default=15 * 60)
# A batch's parts are sent by this many senders side by side (each one a task on a worker).
BATCH_SENDERS = env.int("BATCH_SENDERS", default=4)
# The most recipients one batch invitation may hold (one CSV upload).
INVITE_MAX_RECIPIENTS = env.int("INVITE_MAX_RECIPIENTS", default=100_000)

# The customer search index warns when its last complete sync is older than this.
# Natural's webhooks: the signing secrets (`whsec_...`), space or comma separated; two during a
# rotation (the new one and the old one). Empty: webhooks are off and the endpoint answers 404.
NATURAL_WEBHOOK_SECRETS = re.split(r"[\s,]+", env.str("NATURAL_WEBHOOK_SECRETS", default=""))
NATURAL_WEBHOOK_SECRETS = [secret for secret in NATURAL_WEBHOOK_SECRETS if secret]
for _position, _secret in enumerate(NATURAL_WEBHOOK_SECRETS, start=1):
    # Named by position only: a secret never goes into an error message.
    if not re.fullmatch(r"whsec_[A-Za-z0-9+/]{22,}={0,2}", _secret):
        raise ImproperlyConfigured(
            f"NATURAL_WEBHOOK_SECRETS: secret {_position} is not a whsec_ secret "
            "(whsec_ followed by base64)."
        )

CUSTOMER_INDEX_MAX_AGE = timedelta(minutes=env.int("CUSTOMER_INDEX_MAX_AGE_MINUTES", default=60))

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
