"""The Natural requests page and its retention: the call log someone can actually read."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from natural import reads
from natural.models import ApiCall

pytestmark = pytest.mark.django_db
URL = "/natural-requests/"


def call(**fields) -> ApiCall:
    values = {"method": "GET", "path": "/customers", "status": 200, "duration_ms": 12}
    values.update(fields)
    values.setdefault("created_at", timezone.now())
    return ApiCall.objects.create(**values)


def test_the_reads_a_page_makes_show_up_with_their_support_id(natural, admin_client):
    natural.faults.add("error", status=503, count=3, path="^/customers$")
    admin_client.get("/customers/")
    body = admin_client.get(URL + "?status=503").content.decode()
    assert body.count("<td>GET</td>") == 3
    assert "/customers" in body


def test_filters_by_method_path_status_and_support_id(admin_client):
    call(path="/agents/invitations", support_id="req_aaa111")
    call(method="POST", path="/agents/agt_1/customers", status=502, support_id="req_bbb222")
    call(path="/agent-delegations", status=None, error="ReadTimeout")

    def shown(query: str) -> set[str]:
        response = admin_client.get(URL + query)
        assert response.status_code == 200
        return {c.support_id or c.error for c in response.context["rows"]}

    assert shown("?support_id=req_bbb222") == {"req_bbb222"}
    assert shown("?method=POST") == {"req_bbb222"}
    assert shown("?status=5xx") == {"req_bbb222"}
    assert shown("?status=none") == {"ReadTimeout"}
    assert shown("?path=invitations") == {"req_aaa111"}
    assert shown("") == {"req_aaa111", "req_bbb222", "ReadTimeout"}


def test_a_bad_status_filter_is_a_clear_error_and_keeps_what_was_typed(admin_client):
    response = admin_client.get(URL + "?status=abc&path=%2Fcustomers")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Use a status such as 404, a class such as 5xx, or none." in body
    assert 'value="/customers"' in body


def test_older_pages_follow_the_newest_with_the_one_pager(admin_client):
    ids = [call(support_id=f"req_{n}").id for n in range(51)]
    first = admin_client.get(URL + "?limit=50")
    assert [c.id for c in first.context["rows"]][:2] == [ids[50], ids[49]]
    body = first.content.decode()
    assert "1–50 of 51" in body
    assert "Next →" in body
    assert "Older" not in body
    second = admin_client.get(URL + first.context["pager"].next)
    assert [c.id for c in second.context["rows"]] == [ids[0]]
    assert second.context["pager"].next is None


def test_the_table_alone_for_htmx(admin_client):
    call()
    headers = {"HX-Request": "true", "HX-Target": "natural-requests-table"}
    body = admin_client.get(URL, headers=headers).content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_support_cannot_read_it(support_client):
    assert support_client.get(URL).status_code == 403


def test_prune_keeps_30_days_by_default(natural):
    reads.list_customers()
    old = call(created_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("prune", stdout=out)
    assert not ApiCall.objects.filter(id=old.id).exists()
    assert ApiCall.objects.count() == 1
    assert "Removed 1" in out.getvalue()


def test_prune_takes_another_retention(natural):
    call(created_at=timezone.now() - timedelta(days=3))
    call_command("prune", "--days", "2", stdout=StringIO())
    assert ApiCall.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("prune", "--days", "0")
