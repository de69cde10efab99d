"""Helpers shared by the operations pages."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def posted_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return None


def upstream_error_page(request: HttpRequest, template: str, error, context=None) -> HttpResponse:
    """Natural could not answer a read the page needs: say so, with the status a proxy expects."""
    context = {**(context or {}), "upstream_error": error}
    return TemplateResponse(request, template, context, status=error.status_code_for_page)
