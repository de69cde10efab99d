"""The invite form as a person fills it: its address, its key, its fields, preview then confirm."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

URL = "/invitations/new/"


def form_key(page: str) -> str:
    return re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1)


def form_data(agent_id, key, recipients="a@example.com\n+14155550123", **overrides) -> dict:
    data = {
        "key": key,
        "agent": agent_id,
        "recipients": recipients,
        "permissions": ["payments.create", "payments.read"],
        "per_transaction": "250.50",
        "expires_on": (timezone.now().date() + timedelta(days=7)).isoformat(),
    }
    data.update(overrides)
    return data


def preview_then_confirm(client, data) -> tuple:
    preview = client.post(URL, {**data, "step": "preview"})
    assert preview.status_code == 200, preview.text
    digest = re.search(r'name="preview_digest" value="([0-9a-f]+)"', preview.text).group(1)
    recipients = re.search(r'<textarea name="recipients"[^>]*>(.*?)</textarea>', preview.text, re.S)
    confirm = {**data, "recipients": recipients.group(1), "step": "confirm"}
    confirm["preview_digest"] = digest
    return preview, confirm
