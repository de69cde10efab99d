"""Natural's webhooks: the endpoint Natural delivers to, and the Webhooks tab of the Logs.

The endpoint needs no login and no CSRF token (both exempted here and nowhere else): a
delivery is authenticated by its Standard Webhooks signature, checked by the library in
natural/webhooks.py. It answers at once; the event's sync is a task (read_model/tasks.py).
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts import security_log
from accounts.models import SecurityEvent
from browse import webhook_log
from dashboard import roles
from natural import webhooks
from read_model import tasks

SENDER = "Natural webhooks"


@csrf_exempt
@login_not_required
@require_POST
def natural_webhook(request: HttpRequest) -> HttpResponse:
    if not webhooks.is_enabled():
        return JsonResponse({"error": "Webhooks are not configured here."}, status=404)
    headers = {name: request.headers.get(name, "") for name in webhooks.HEADERS}
    address = get_client_ip_address(request) or None
    try:
        envelope = webhooks.verify(request.body, headers)
    except webhooks.Refused as refused:
        webhooks.record_refused(headers, refused.reason, address)
        claimed = headers["webhook-id"][:60] or "none"
        security_log.record(
            SecurityEvent.Kind.WEBHOOK_REFUSED,
            actor=SENDER,
            request=request,
            detail=f"{refused.reason} (webhook-id {claimed})",
        )
        return JsonResponse({"error": refused.reason}, status=401)
    delivery, new = webhooks.record_verified(envelope, headers, address)
    if new:
        tasks.process_delivery.enqueue(delivery.pk)
    return JsonResponse({"received": envelope.id, "repeat": not new})


@require_GET
@permission_required(roles.AUDIT, raise_exception=True)
def webhook_log_page(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "browse/webhooks.html", webhook_log.context(request.GET))
