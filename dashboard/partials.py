"""The one rule for htmx partials: a page answers with only the region htmx asked for.

A history restore (the user pressed Back and htmx lost its cached copy) wants the whole page,
so it never gets a region, whatever target it names.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.template.response import TemplateResponse

from dashboard.htmx import HtmxHttpRequest


def wants_partial(request: HtmxHttpRequest, target: str) -> bool:
    htmx = request.htmx
    return bool(htmx) and htmx.target == target and not htmx.history_restore_request


def render_partial_response(
    request: HtmxHttpRequest,
    template_name: str,
    context: Mapping | None = None,
    *,
    target: str,
    partial: str | None = None,
    status: int = 200,
) -> TemplateResponse:
    """`template_name`, or only its partial (named `partial`, else `target`) when htmx asks for
    the region `target`. A page showing an upstream failure says so in `X-Natural-Error`, which
    the global banner reads when htmx refuses to swap an error status."""
    context = {"target": target, **(context or {})}
    if wants_partial(request, target):
        template_name = f"{template_name}#{partial or target}"
    response = TemplateResponse(request, template_name, context, status=status)
    failure = context.get("upstream_error")
    if failure:
        response["X-Natural-Error"] = " ".join(str(failure.message).split())
    return response
