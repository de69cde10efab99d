"""The shell's own pages: overview, health probes and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from dashboard import overview as overview_cards
from dashboard import roles
from delegations.services import natural_health


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is checked, so a load balancer never flaps on Natural."""
    return JsonResponse({"status": "ok"})


@require_GET
@login_not_required
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers and Natural is reachable with our credentials."""
    checks = {"database": _database_check(), "natural": _natural_check()}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


def _database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _natural_check() -> dict:
    ok, detail = natural_health()
    return {"ok": True} if ok else {"ok": False, "error": detail}


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (CSRF token expired in another tab): ask for a reload, never a blank swap."""
    return TemplateResponse(request, "403_csrf.html", {"reason": reason}, status=403)


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
    return TemplateResponse(
        request, "dashboard/overview.html", {"cards": overview_cards.all_cards()}
    )
