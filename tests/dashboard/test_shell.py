"""The shell every page shares: htmx wiring, headers, health probes."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_vary_on_hx_request_everywhere(admin_client, client):
    assert "HX-Request" in admin_client.get("/")["Vary"]
    assert "HX-Request" in client.get("/login/")["Vary"]


def test_csrf_header_on_body_is_valid_json(admin_client):
    page = admin_client.get("/").text
    attribute = re.search(r"<body hx-headers='([^']+)'", page).group(1)
    headers = json.loads(attribute)
    assert len(headers["X-CSRFToken"]) > 20


def test_htmx_is_served_locally_and_a_messages_region_exists(admin_client):
    page = admin_client.get("/").text
    assert re.search(r'<script src="/static/django_htmx/htmx[^"]*\.js"', page)
    assert 'id="messages"' in page
    assert 'aria-live="polite"' in page


def test_expired_session_on_htmx_request_redirects_the_browser(client, make_user):
    client.force_login(make_user("support"))
    client.logout()
    response = client.get(
        "/",
        headers={
            "HX-Request": "true",
            "HX-Target": "main",
            "HX-Current-URL": "http://testserver/customers/?q=ann",
        },
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=%2Fcustomers%2F%3Fq%3Dann"
    assert "<form" not in response.text


def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_strict_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_readyz_is_ready_when_the_database_and_natural_answer(client, natural):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True}, "natural": {"ok": True}},
    }


def test_readyz_names_natural_when_it_is_down(client, natural_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["natural"] == {"ok": False, "error": "NaturalUnavailable"}


def test_readyz_names_refused_credentials(client, natural, settings):
    settings.NATURAL_API_TOKEN = "sk_ntl_sandbox_wrong"
    body = client.get("/readyz").json()
    assert body["checks"]["natural"] == {"ok": False, "error": "NaturalCredentialsRefused (401)"}
    assert "sk_ntl_sandbox_wrong" not in str(body)


@pytest.mark.parametrize(
    ("who", "path", "headers", "status"),
    [
        ("support", "/invitations/", {"HX-Request": "true", "HX-Target": "invitations-table"}, 200),
        ("support", "/no-such-page/", {}, 404),
        ("support", "/audit/", {}, 403),
        ("support", "/invitations/?email=not-an-email", {}, 400),
    ],
)
def test_partials_and_error_pages_carry_the_same_policy(
    client, make_user, natural, who, path, headers, status
):
    client.force_login(make_user(who))
    response = client.get(path, headers=headers)
    assert response.status_code == status
    policy = response["Content-Security-Policy"]
    # Django adds the nonce only to responses that render one (a partial has no <script>).
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a .*?</a>", nav)]


def _log_tabs(html: str) -> list[str]:
    tabs = re.search(r'<nav class="tabs" aria-label="Logs">.*?</nav>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a .*?</a>", tabs)]


def test_the_logs_are_one_section_with_tabs_for_what_each_role_may_read(client, make_user, natural):
    client.force_login(make_user("admin"))
    overview = client.get("/").content.decode()
    assert _nav_labels(overview) == ["Overview", "Customers", "Invitations", "Delegations", "Logs"]
    for path in ("/audit/", "/natural-requests/", "/webhooks/", "/security/"):
        page = client.get(path).content.decode()
        assert _log_tabs(page) == ["Audit log", "Natural requests", "Webhooks", "Security log"]
        assert 'aria-current="page">Logs<' in page, path

    client.force_login(make_user("manager"))
    manager_tabs = ["Audit log", "Natural requests", "Webhooks"]
    assert _log_tabs(client.get("/audit/").content.decode()) == manager_tabs

    client.force_login(make_user("support"))
    assert "Logs" not in _nav_labels(client.get("/").content.decode())


def test_a_full_page_asks_for_the_role_once(client, make_user, natural, settings):
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MFA_REQUIRED_ROLES = ["manager"]
    manager = make_user("manager")
    Authenticator.objects.create(user=manager, type=Authenticator.Type.TOTP, data={})
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/")

    assert response.status_code == 200
    # The role and the permission checks come from one read of the user's groups.
    group_queries = [q["sql"] for q in queries if "auth_user_groups" in q["sql"]]
    assert len(group_queries) == 1, group_queries
