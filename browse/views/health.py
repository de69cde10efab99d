"""Health probes for load balancers and orchestrators (no login)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from natural.reads import natural_health


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
