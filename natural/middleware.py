"""Each request to the dashboard gets one time budget for all its reads of Natural."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from natural import budget, client


class PageBudgetMiddleware:
    """Each request gets one time budget for all its reads of Natural (natural/budget.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with budget.page_budget(client.monotonic()):
            return self.get_response(request)
