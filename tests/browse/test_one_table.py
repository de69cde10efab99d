"""Every list is drawn by the one table component: a new user finds the same controls in the
same place on every page, reads one date format, and can export any list."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from natural import writes
from natural.models import ApiCall
from operations import engine
from operations.models import Operation, OperationAttempt

pytestmark = pytest.mark.django_db

# Every list and the region each one swaps.
LISTS = [
    ("/customers/", "customers-table"),
    ("/invitations/", "invitations-table"),
    ("/invitations/delegation/", "delegation-invitations-table"),
    ("/delegations/", "delegations-table"),
    ("/delegations/review/", "review-table"),
    ("/audit/", "audit-table"),
    ("/natural-requests/", "natural-requests-table"),
    ("/security/", "security-table"),
    ("/views/", "saved-views-table"),
]


@pytest.mark.parametrize(("url", "target"), LISTS)
def test_every_list_has_the_same_controls(natural, admin_client, url, target):
    body = admin_client.get(url).content.decode()
    # Search as you type, debounced the same way everywhere.
    search = re.search(r'<input type="search" name="q"[^>]*>', body, re.S)
    assert search, url
    assert 'hx-trigger="input changed delay:300ms, search"' in search.group(0), url
    assert f'hx-target="#{target}"' in search.group(0), url
    # One word for the page size, one Clear filters, one pager, one export.
    assert "Rows per page" in body, url
    assert "Page size" not in body, url
    assert body.count(">Clear filters</a>") == 1, url
    assert "← Previous" in body, url
    assert "Next →" in body, url
    assert "Older →" not in body, url
    assert re.search(r'<a class="small" href="[^"]*export\.csv[^"]*"[^>]*>Export CSV</a>', body), (
        url
    )
    # Columns and saved views above every table.
    assert 'class="view-bar"' in body, url
    assert f'<div id="{target}" class="table-wrap' in body, url


@pytest.mark.parametrize(("url", "target"), LISTS)
def test_every_list_offers_the_same_page_sizes(natural, admin_client, url, target):
    body = admin_client.get(url).content.decode()
    select = re.search(r'<select name="limit"[^>]*>(.*?)</select>', body, re.S)
    assert select, url
    assert re.findall(r'<option value="(\d+)"', select.group(1)) == ["20", "50", "100"], url
    # Nothing chosen, the select shows its first option: the page size every list uses.
    assert not re.search(r'<option value="(?!20")\d+"[^>]*selected', select.group(1)), url
    assert re.search(r'<label for="id_limit"[^>]*>Rows per page', body), url


def test_the_review_queue_pages_like_every_list(natural, admin_client):
    response = admin_client.get("/delegations/review/", {"review": "unreviewed"})
    assert response.context["queue"].limit == 20
    assert str(response.context["form"]["limit"].value()) == "20"


@pytest.mark.parametrize(("url", "target"), LISTS)
def test_the_table_partial_is_the_same_region_everywhere(natural, admin_client, url, target):
    headers = {"HX-Request": "true", "HX-Target": target}
    body = admin_client.get(url, headers=headers).content.decode()
    assert "<html" not in body
    assert '<table class="data" data-table=' in body
    assert '<caption tabindex="-1" data-focus-after-swap>' in body
    assert '<nav class="pager" aria-label="Pages">' in body


def test_one_label_per_idea(natural, admin_client):
    delegations = admin_client.get("/delegations/").content.decode()
    review = admin_client.get("/delegations/review/").content.decode()
    assert "Delegating party" not in delegations
    assert ">Customer<" in delegations or ">Customer <" in delegations
    assert "All agents" not in review
    assert "Any agent" in review


@pytest.fixture
def keyed_write(admin_client, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    engine.prepare(
        key="00000000-0000-4000-8000-0000000000aa",
        actor=admin,
        action="invite_customers",
        method="POST",
        path="/agents/agt_1/customers",
        body=writes.encode({"data": {"n": 1}}),
        idempotent=True,
    )
    operation = Operation.objects.get()
    call = ApiCall.objects.create(
        method="POST",
        path="/agents/agt_1/customers?status=PENDING&limit=20",
        status=201,
        duration_ms=30,
        idempotency_key=str(operation.key),
        created_at=timezone.now(),
    )
    return operation, call


def test_a_request_links_to_its_audit_entry_and_back(admin_client, keyed_write):
    operation, call = keyed_write
    requests = admin_client.get("/natural-requests/").content.decode()
    assert f'href="/audit/{operation.pk}/"' in requests
    # The whole path, never cut.
    assert call.path.replace("&", "&amp;") in requests
    audit = admin_client.get("/audit/").content.decode()
    back = f'href="/natural-requests/?key={operation.key}"'
    assert back in audit
    only_its_requests = admin_client.get(f"/natural-requests/?key={operation.key}")
    assert [c.pk for c in only_its_requests.context["rows"]] == [call.pk]


def test_the_logs_read_moments_like_every_table(admin_client, keyed_write):
    requests = admin_client.get("/natural-requests/").content.decode()
    assert re.search(
        r'<time datetime="[^"]+Z" title="\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC">', requests
    )
    assert not re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}<", requests)


def test_the_audit_date_fields_say_their_format(admin_client):
    body = admin_client.get("/audit/").content.decode()
    assert body.count("YYYY-MM-DD") >= 2
    assert 'type="date"' not in body


@pytest.mark.parametrize(
    ("url", "first_line"),
    [
        ("/natural-requests/export.csv", "created_at,method,path,status"),
        ("/audit/export.csv", "created_at,finished_at,key"),
        ("/security/export.csv", "at,event,username"),
        ("/delegations/review/export.csv", "agent_delegation_id,agent,customer"),
    ],
)
def test_every_log_and_the_review_queue_export(natural, admin_client, keyed_write, url, first_line):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(first_line)


def test_the_logs_sort_by_a_column(admin_client):
    for index, method in enumerate(("GET", "POST", "DELETE")):
        ApiCall.objects.create(
            method=method,
            path=f"/p{index}",
            status=200,
            duration_ms=index,
            created_at=timezone.now(),
        )
    ascending = admin_client.get("/natural-requests/?sort=method")
    assert [c.method for c in ascending.context["rows"]] == ["DELETE", "GET", "POST"]
    body = ascending.content.decode()
    assert 'aria-sort="ascending"' in body
    assert admin_client.get("/natural-requests/?sort=nonsense").status_code == 400


def test_the_logs_search(admin_client):
    ApiCall.objects.create(
        method="GET",
        path="/customers",
        status=500,
        duration_ms=1,
        support_id="req_findme",
        created_at=timezone.now(),
    )
    ApiCall.objects.create(
        method="GET", path="/agents", status=200, duration_ms=1, created_at=timezone.now()
    )
    found = admin_client.get("/natural-requests/?q=findme")
    assert [c.path for c in found.context["rows"]] == ["/customers"]
    assert "<mark>findme</mark>" in found.content.decode()


def test_the_audit_detail_reads_every_moment_one_way(admin_client, keyed_write):
    operation, _call = keyed_write
    now = timezone.now()
    Operation.objects.filter(pk=operation.pk).update(
        state="unknown",
        first_sent_at=now,
        finished_at=now,
        reconciliation={"by": "admin", "at": now.isoformat(), "outcome": "absent"},
    )
    OperationAttempt.objects.create(
        operation=operation, number=1, started_at=now, body_sha256=operation.body_sha256
    )
    body = admin_client.get(f"/audit/{operation.pk}/").content.decode()
    moment = r'<time datetime="[^"]+Z" title="\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC">[^<]+</time>'
    for label in ("Created", "First sent", "Finished"):
        assert re.search(rf"<dt>{label}</dt><dd>{moment}</dd>", body), label
    # The attempt, the reconciliation and the replay window: the same <time>, no raw stamps.
    assert len(re.findall(moment, body)) >= 6
    text = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", text)
    assert not re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", text)
