"""Names people know instead of Natural's internal ids."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from natural.agent_names import AgentNames

register = template.Library()


@register.filter
def agent(agent_id: str | None):
    """The agent's name, its id in the title; the bare id when Natural cannot say."""
    if not agent_id:
        return "—"
    name = AgentNames().get(agent_id, agent_id)
    if name == agent_id:
        return format_html('<span class="id">{}</span>', agent_id)
    return format_html('<span title="{}">{}</span>', agent_id, name)
