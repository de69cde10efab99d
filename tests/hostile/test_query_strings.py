"""No query string makes any page answer 5xx: every page, its table partials and CSV exports, as
every role, with bad values in every parameter its forms know and a few they do not.

The pages come from the URL configuration (as in tests/test_role_matrix.py), and the parameter
names from the forms each page binds while it answers, with the query keys its own links carry:
a new page, form or field is covered without a change here. PostgreSQL is where these bite (it
refuses NUL in text and overflows bigint); SQLite overflows at 2**63 too.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django import forms
from django.urls import reverse

from dashboard.roles import ROLES
from read_model import sync
from tests.routes import routes, sample_path

pytestmark = pytest.mark.django_db

# Raw query-string values, percent-encoded as they arrive.
BAD_VALUES = (
    "a%00b",  # NUL
    "%ff%c3%28",  # not UTF-8: a lone byte, and an invalid two-byte sequence
    str(2**63),
    "-1",
    "1e309",
    "9" * 5000,  # 5,000 characters, and a number no integer type holds
)
# Names no form knows, and names pages have read beside their forms.
UNKNOWN_NAMES = ("nonsense", "page", "offset")
# Server errors that report Natural's failure, not ours.
UPSTREAM = {502, 503, 504}
# The sign-in pages (allauth's and single sign-on's) are the sign-in work's, not pages here.
SIGN_IN = ("socialaccount_", "openid_connect_", "account_", "mfa_")
PAGES = [(name, route) for name, route in routes() if not name.startswith(SIGN_IN)]
PAGE_OF_EXPORT = 100


def repeated(key: str) -> str:
    """The same name several times: a good value first, then bad ones."""
    return f"{key}=1&{key}=a%00b&{key}={2**64}&{key}=%c3%28"


def query_strings(names: set[str]):
    for name in sorted(names | set(UNKNOWN_NAMES)):
        key = quote(name)
        for value in BAD_VALUES:
            yield f"{key}={value}"
        yield repeated(key)


def known_names(client, path: str, monkeypatch) -> tuple[set[str], list[str]]:
    """The field names of every form the page binds to its query and the query keys of its
    links to itself; and the ids of the regions its htmx requests target."""
    bound: list[forms.BaseForm] = []
    original = forms.BaseForm.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        bound.append(self)

    monkeypatch.setattr(forms.BaseForm, "__init__", spy)
    try:
        # With a query, so that a form bound only to a non-empty one is bound too.
        response = client.get(path, {"nonsense": "1"})
    finally:
        monkeypatch.setattr(forms.BaseForm, "__init__", original)
    names = {form.add_prefix(name) for form in bound if form.is_bound for name in form.fields}
    targets: set[str] = set()
    if "html" in response.get("Content-Type", ""):
        html = response.content.decode(errors="replace")
        for link in re.findall(r'(?:href|hx-get)="([^"]*)"', html):
            where, _, query = link.partition("?")
            if where in ("", path):  # the page's own links: its pager, sort headers...
                names |= set(re.findall(r"(?:^|&|&amp;)([a-z_]+)=", query))
        targets = set(re.findall(r'hx-target="#([\w-]+)"', html))
    return names - {"csrfmiddlewaretoken"}, sorted(targets)


def status_of(client, url: str, headers: dict) -> int:
    """The status; a streamed export is read to its end (its rows are made as it is read)."""
    response = client.get(url, headers=headers)
    if response.streaming:
        try:
            b"".join(response.streaming_content)
        except Exception:  # noqa: BLE001 - a failure mid-stream is a server error too
            return 500
    return response.status_code


@pytest.fixture
def read_model(natural):
    """The read model built, so its tables and the review queue read real rows."""
    for resource in ("customers", "agent_invitations", "agent_delegations"):
        sync.sync(resource)
    return natural


@pytest.mark.parametrize(("name", "route"), PAGES, ids=[name for name, _ in PAGES])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_query_string_makes_a_page_fail(
    role, name, route, natural, client, make_user, monkeypatch
):
    # A refresh button hands its pass to a worker; no query string may start one here.
    monkeypatch.setattr("read_model.tasks.launch", lambda run: None)
    # An export reads one page of Natural's list past this: the query is used by then.
    monkeypatch.setattr("browse.views.export.MAX_ROWS", PAGE_OF_EXPORT)
    client.force_login(make_user(role))
    client.raise_request_exception = False
    path = sample_path(route, natural)
    if client.get(path).status_code in (403, 404, 405):
        return  # refused before any parameter is read
    names, targets = known_names(client, path, monkeypatch)
    # Each query string goes once, as the whole page or as one of its partials in turn.
    header_sets = [{}] + [{"HX-Request": "true", "HX-Target": target} for target in targets]
    failures = []
    for number, query in enumerate(query_strings(names)):
        headers = header_sets[number % len(header_sets)]
        status = status_of(client, f"{path}?{query}", headers)
        if status >= 500 and status not in UPSTREAM:
            failures.append(f"?{query[:70]} {headers.get('HX-Target', '')}: {status}")
    assert not failures, "\n".join(failures)


# The cases the issue names, each answered at its field.


@pytest.mark.parametrize("url", ["/customers/?q=a%00b", "/customers/search/?q=a%00b"])
def test_a_nul_in_the_customer_search_is_an_error_at_the_field(support_client, natural, url):
    response = support_client.get(url)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Search: Null characters are not allowed." in html
    assert 'name="q"' in html


def test_a_nul_in_the_security_logs_user_filter_is_an_error_at_the_field(admin_client):
    response = admin_client.get("/security/?user=ann%00&kind=sign_in")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Username: Null characters are not allowed." in html
    assert '<option value="sign_in" selected>' in html, "the rest of what was typed stays"


@pytest.mark.parametrize(
    "url",
    [
        reverse("invitation-list") + "?sort=email&offset=",
        reverse("delegation-invitation-list") + "?counts=on&offset=",
        reverse("delegation-list") + "?sort=created_at&offset=",
        reverse("customer-search") + "?q=a&offset=",
        reverse("delegation-review") + "?review=unreviewed&offset=",
    ],
    ids=["invitations", "delegation-invitations", "delegations", "customers", "review-queue"],
)
@pytest.mark.parametrize("offset", [2**63, 2**64])
def test_an_offset_past_any_page_is_an_error_not_an_overflow(
    manager_client, read_model, url, offset
):
    response = manager_client.get(f"{url}{offset}")

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to" in response.content.decode()
