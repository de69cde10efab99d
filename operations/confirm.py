"""The one way a confirm page sends its write: the form's key decides, never the click count.

    sent = send_once(key, submit=lambda: perform.cancel_invitation(...), same=lambda op: ...)

- A key never seen: the operation is committed, then sent (operations.engine).
- The same key for the same request (a double click, Back and submit, two tabs): the first
  operation is returned as it is now; while the first submit is still on the wire it is
  `sending`, and the page says "being sent now" rather than "may or may not have happened".
- The same key for something else (an edited old form, or two different submits racing):
  `sent.reused` is set and the page says the form was already used, linking to what was sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect

from dashboard.htmx import HtmxHttpRequest
from operations import catalog, engine
from operations.models import Operation

LEVELS = {
    "success": messages.SUCCESS,
    "info": messages.INFO,
    "warning": messages.WARNING,
    "error": messages.ERROR,
}


@dataclass(frozen=True)
class Sent:
    operation: Operation
    # The key already belonged to a different request: nothing was sent now.
    reused: bool = False


def new_key() -> uuid.UUID:
    """The key a confirm form is born with (the only place keys are made)."""
    return uuid.uuid4()


def send_once(
    key: uuid.UUID,
    *,
    submit: Callable[[], Operation],
    same: Callable[[Operation], bool],
) -> Sent:
    existing = Operation.objects.filter(key=key).first()
    if existing is not None:
        return Sent(existing, reused=not same(existing))
    try:
        operation = submit()
    except engine.KeyReused:
        return Sent(Operation.objects.get(key=key), reused=True)
    return Sent(operation, reused=not same(operation))


def outcome(operation: Operation) -> tuple[str, str]:
    """(level, sentence): the outcome in the words the write declares."""
    return catalog.declared(operation.action).outcome(operation)


def tell(request: HtmxHttpRequest, operation: Operation) -> None:
    level, sentence = outcome(operation)
    messages.add_message(request, LEVELS[level], sentence)


def go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def key_reused(request: HtmxHttpRequest, operation: Operation) -> HttpResponse:
    """This form's key already sent something else: say so, and link to what it sent."""
    response = TemplateResponse(
        request, "operations/form_used.html", {"operation": operation}, status=409
    )
    response["X-Natural-Error"] = "This form was already used; nothing was sent now."
    return response
