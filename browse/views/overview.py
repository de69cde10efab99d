"""The Overview: what needs attention now, each card loaded on its own."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

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
    return TemplateResponse(request, "browse/overview.html", {"cards": overview_cards.all_cards()})
