"""The Overview: what needs attention now, each card loaded on its own."""

from __future__ import annotations

import csv
import re

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from browse import charts as overview_charts
from browse import overview as overview_cards
from dashboard import roles


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    """What needs attention now; `?card=<name>` renders one card (the lazy load of a slow one)."""
    name = request.GET.get("card")
    if name is not None:
        if name not in overview_cards.CARD_NAMES:
            return HttpResponse("Unknown card.", status=404, content_type="text/plain")
        card = overview_cards.one_card(name)
        return TemplateResponse(request, card.template, {"card": card})
    agent = request.GET.get("agent", "")
    if agent and not AGENT_ID.fullmatch(agent):
        return HttpResponse(BAD_AGENT, status=400, content_type="text/plain")
    context = {
        "cards": overview_cards.all_cards(),
        "charts": overview_charts.all_charts(agent),
        "agent": agent,
        "agent_choices": overview_charts.agent_choices(),
    }
    return TemplateResponse(request, "browse/overview.html", context)


AGENT_ID = re.compile(r"agt_[0-9a-f]{32}")
BAD_AGENT = "agent must be an agent id: agt_ followed by 32 hexadecimal digits."


@require_GET
@permission_required(roles.VIEW, raise_exception=True)
def chart_csv(request: HttpRequest, name: str) -> HttpResponse:
    """One chart's numbers as CSV (the funnel for one agent with ?agent=)."""
    if name not in overview_charts.CHARTS:
        return HttpResponse("Unknown chart.", status=404, content_type="text/plain")
    agent = request.GET.get("agent", "")
    if agent and not AGENT_ID.fullmatch(agent):
        return HttpResponse(BAD_AGENT, status=400, content_type="text/plain")
    chart = overview_charts.one_chart(name, agent)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="overview-{name}.csv"'
    csv.writer(response).writerows(chart.csv_rows())
    return response
