"""The delegation invitation form as a person fills it: its address and its fields."""

from __future__ import annotations

import re

URL = "/delegation-invitations/new/"


def form_data(page: str, agent_id: str, **overrides) -> dict:
    data = {
        "key": re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1),
        "customer_email": "new.person@example.com",
        "permissions": ["payments.create", "wallets.read"],
        "expires_in_days": "7",
        "agents-TOTAL_FORMS": "3",
        "agents-INITIAL_FORMS": "0",
        "agents-MIN_NUM_FORMS": "1",
        "agents-MAX_NUM_FORMS": "10",
        "agents-0-agent": agent_id,
        "agents-0-permissions": ["payments.create"],
        "agents-0-per_transaction": "50",
    }
    data.update(overrides)
    return data
