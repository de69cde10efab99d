"""The Overview's charts: their numbers are the read model's and the request log's counts, as
SVG, as a table for screen readers, and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from browse import charts
from natural.models import ApiCall
from read_model import sync
from read_model.models import IndexedAgentInvitation


@pytest.fixture
def synced(natural):
    for resource in ("agent_invitations", "agent_delegations", "customers"):
        sync.sync(resource)
    return natural


def test_the_funnel_counts_what_the_read_model_holds(synced):
    chart = charts.invitations_by_week()
    first = charts.week_start(timezone.now()) - timedelta(weeks=charts.WEEKS - 1)
    invitations = IndexedAgentInvitation.objects.filter(created_at__gte=first)
    totals = [sum(values[i] for _, values in chart.rows) for i in range(4)]
    assert totals == [
        invitations.count(),
        invitations.filter(effective_status="ACCEPTED").count(),
        invitations.filter(effective_status="DECLINED").count(),
        invitations.filter(effective_status="EXPIRED").count(),
    ]
    assert totals[0] > 0


def test_the_funnel_for_one_agent(synced):
    agent_id, _ = charts.agent_choices()[0]
    chart = charts.invitations_by_week(agent_id)
    first = charts.week_start(timezone.now()) - timedelta(weeks=charts.WEEKS - 1)
    sent = sum(values[0] for _, values in chart.rows)
    assert sent == (
        IndexedAgentInvitation.objects.filter(created_at__gte=first, agent_id=agent_id).count()
    )
    assert sent < sum(v[0] for _, v in charts.invitations_by_week().rows)


def test_expiring_days_add_up_to_the_pending_ones_within_14_days(synced):
    now = timezone.now()
    chart = charts.expiring_by_day(now)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    expected = IndexedAgentInvitation.objects.filter(
        effective_status="PENDING", expires_at__gte=now, expires_at__lt=today + timedelta(days=14)
    ).count()
    assert len(chart.rows) == 14
    assert sum(values[0] for _, values in chart.rows) == expected > 0


def test_calls_per_hour_by_outcome_with_latency(db):
    now = timezone.now()
    for status, ms in ((200, 10), (201, 20), (404, 30), (503, 40), (None, 5000)):
        ApiCall.objects.create(
            method="GET", path="/customers", status=status, duration_ms=ms, created_at=now
        )
    ApiCall.objects.create(
        method="GET", path="/old", status=200, duration_ms=1, created_at=now - timedelta(days=2)
    )
    chart = charts.calls_by_hour(now)
    assert len(chart.rows) == 24
    assert chart.rows[-1][1] == (2, 1, 1, 1)
    assert chart.note == "5 calls; latency p50 30 ms, p95 5000 ms."


def test_the_overview_draws_the_charts_with_their_numbers_as_text(synced, support_client):
    page = support_client.get("/").content.decode()
    for title in (
        "Invitations by week",
        "Pending invitations expiring, next 14 days",
        "Calls to Natural per hour, last 24 hours",
        "Batches in progress",
    ):
        assert f"<caption>{title}</caption>" in page
    assert page.count('<svg class="chart-svg"') == 3
    assert "<script" not in page.split('<section class="charts"')[1]


def test_a_chart_as_csv(synced, support_client):
    response = support_client.get("/overview/expiring.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["label", "expiring"]
    assert len(rows) == 15
    assert sum(int(count) for _, count in rows[1:]) == sum(
        values[0] for _, values in charts.expiring_by_day().rows
    )


def test_a_bad_agent_is_refused_clearly(db, support_client):
    response = support_client.get("/?agent=robert')")
    assert response.status_code == 400
    assert "agt_ followed by 32 hexadecimal digits" in response.content.decode()
    assert support_client.get("/overview/nothing.csv").status_code == 404
