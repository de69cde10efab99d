"""The Overview's four charts, drawn on the server as SVG (no script, so the strict CSP holds),
each with its numbers as a table for screen readers and as CSV.

- invitations by week: sent, and what became of them (accepted, declined, expired), from the
  read model, optionally for one agent;
- pending invitations expiring on each of the next 14 days, from the read model;
- calls to Natural per hour over the last day by outcome, with latency p50/p95, from the
  request log;
- batches in progress, with how many of their parts are settled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from natural.models import ApiCall
from operations.models import Batch, Operation, State
from read_model.models import IndexedAgentInvitation

WEEKS = 8
DAYS = 14
HOURS = 24
WIDTH, HEIGHT, BASE = 640, 180, 160  # the SVG's user units; it scales to its box
OUTCOMES = ("2xx", "4xx", "5xx", "no answer")
FUNNEL = ("sent", "accepted", "declined", "expired")


@dataclass
class Chart:
    name: str
    title: str
    columns: tuple[str, ...]  # the series (after the label column)
    rows: list[tuple[str, tuple[int, ...]]]  # (label, one value per series)
    note: str = ""
    bars: list[dict] = field(default_factory=list)  # drawn rectangles
    ticks: list[dict] = field(default_factory=list)  # labels under the bars
    max_value: int = 0

    def csv_rows(self) -> list[list]:
        return [["label", *self.columns], *([label, *values] for label, values in self.rows)]


def draw(chart: Chart, *, stacked: bool) -> Chart:
    """Rectangles for each row: side by side per series, or one stack per row."""
    count = max(len(chart.rows), 1)
    slot = WIDTH / count
    series = len(chart.columns)
    totals = [sum(v) if stacked else max(v, default=0) for _, v in chart.rows]
    chart.max_value = top = max(totals, default=0) or 1
    step = math.ceil(count / 8)
    chart.ticks = [
        {"x": f"{(index + 0.5) * slot:.1f}", "label": label}
        for index, (label, _) in enumerate(chart.rows)
        if index % step == 0
    ]
    for index, (label, values) in enumerate(chart.rows):
        x0 = index * slot + slot * 0.1
        if stacked:
            y = BASE
            for number, value in enumerate(values):
                height = BASE * value / top
                y -= height
                chart.bars.append(_bar(x0, y, slot * 0.8, height, number, label, value))
        else:
            width = slot * 0.8 / series
            for number, value in enumerate(values):
                height = BASE * value / top
                x = x0 + number * width
                chart.bars.append(_bar(x, BASE - height, width, height, number, label, value))
    return chart


def _bar(x, y, width, height, series, label, value) -> dict:
    return {
        "x": f"{x:.1f}",
        "y": f"{y:.1f}",
        "width": f"{max(width, 0.5):.1f}",
        "height": f"{height:.1f}",
        "series": series,
        "label": label,
        "value": value,
    }


def week_start(moment: datetime) -> datetime:
    day = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def invitations_by_week(agent_id: str = "", now: datetime | None = None) -> Chart:
    """Invitations sent each week (by their creation), and how many of those were accepted,
    declined or expired by now."""
    now = now or timezone.now()
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    rows = IndexedAgentInvitation.objects.filter(created_at__gte=first)
    if agent_id:
        rows = rows.filter(agent_id=agent_id)
    weeks = []
    for number in range(WEEKS):
        start = first + timedelta(weeks=number)
        week = rows.filter(created_at__gte=start, created_at__lt=start + timedelta(weeks=1))
        counted = week.aggregate(
            sent=Count("id"),
            accepted=Count("id", filter=Q(effective_status="ACCEPTED")),
            declined=Count("id", filter=Q(effective_status="DECLINED")),
            expired=Count("id", filter=Q(effective_status="EXPIRED")),
        )
        weeks.append((f"{start:%d %b}", tuple(counted[name] for name in FUNNEL)))
    note = "Weeks start on Monday; each invitation counts in the week it was sent."
    title = "Invitations by week" + (" for one agent" if agent_id else "")
    return draw(Chart("funnel", title, FUNNEL, weeks, note), stacked=False)


def expiring_by_day(now: datetime | None = None) -> Chart:
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    pending = IndexedAgentInvitation.objects.filter(effective_status="PENDING", expires_at__gte=now)
    days = []
    for number in range(DAYS):
        start = max(today + timedelta(days=number), now)
        end = today + timedelta(days=number + 1)
        count = pending.filter(expires_at__gte=start, expires_at__lt=end).count()
        days.append((f"{end - timedelta(days=1):%a %d}", (count,)))
    note = "Pending invitations by the day they expire, today first."
    chart = Chart("expiring", "Pending invitations expiring, next 14 days", ("expiring",), days)
    chart.note = note
    return draw(chart, stacked=True)


def outcome_of(status: int | None) -> str:
    if status is None:
        return "no answer"
    return f"{min(status // 100, 5)}xx" if status >= 400 else "2xx"


def calls_by_hour(now: datetime | None = None) -> Chart:
    now = now or timezone.now()
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    hours: dict[datetime, dict[str, int]] = {
        first + timedelta(hours=n): dict.fromkeys(OUTCOMES, 0) for n in range(HOURS)
    }
    durations = []
    calls = ApiCall.objects.filter(created_at__gte=first).values_list(
        "created_at", "status", "duration_ms"
    )
    for created_at, status, duration in calls.iterator():
        hour = created_at.replace(minute=0, second=0, microsecond=0)
        if hour in hours:
            hours[hour][outcome_of(status)] += 1
            durations.append(duration)
    rows = [
        (f"{timezone.localtime(hour):%H}:00", tuple(counts[o] for o in OUTCOMES))
        for hour, counts in hours.items()
    ]
    p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
    note = (
        f"{len(durations)} calls; latency p50 {p50} ms, p95 {p95} ms."
        if durations
        else "No call to Natural in the last 24 hours."
    )
    chart = Chart("calls", "Calls to Natural per hour, last 24 hours", OUTCOMES, rows, note)
    return draw(chart, stacked=True)


def percentile(values: list[int], fraction: float) -> int | None:
    """The nearest-rank percentile (None when there are no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


def batches_in_progress() -> Chart:
    """Batches with a part still pending or sending: settled parts against all parts."""
    active = (
        Batch.objects.filter(operations__state__in=(State.PENDING, State.SENDING))
        .distinct()
        .order_by("-created_at")[:10]
    )
    rows = []
    for batch in active:
        parts = Operation.objects.filter(batch=batch).aggregate(
            total=Count("id"),
            settled=Count("id", filter=~Q(state__in=(State.PENDING, State.SENDING))),
        )
        label = f"{batch.get_action_display()} · {timezone.localtime(batch.created_at):%d %b %H:%M}"
        rows.append((label, (parts["settled"], parts["total"])))
    chart = Chart("batches", "Batches in progress", ("settled parts", "parts"), rows)
    chart.note = "" if rows else "No batch is being sent."
    for label, (settled, total) in rows:
        chart.bars.append(
            {
                "label": label,
                "settled": settled,
                "total": total,
                "percent": _percent(settled, total),
            }
        )
    return chart


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


CHARTS = {
    "funnel": invitations_by_week,
    "expiring": expiring_by_day,
    "calls": calls_by_hour,
    "batches": batches_in_progress,
}


def all_charts(agent_id: str = "") -> list[Chart]:
    return [
        invitations_by_week(agent_id),
        expiring_by_day(),
        calls_by_hour(),
        batches_in_progress(),
    ]


def one_chart(name: str, agent_id: str = "") -> Chart:
    if name == "funnel":
        return invitations_by_week(agent_id)
    return CHARTS[name]()


def agent_choices() -> list[tuple[str, str]]:
    """The agents the read model's invitations name, for the funnel's agent picker."""
    pairs = (
        IndexedAgentInvitation.objects.exclude(agent_id="")
        .values_list("agent_id", "agent_name")
        .distinct()
        .order_by("agent_name", "agent_id")
    )
    return [(agent_id, name or agent_id) for agent_id, name in pairs]
