"""Agent names for ids, from Natural's agents list (cached by natural.reads)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from natural import reads
from natural.errors import NaturalError


class AgentNames(Mapping[str, str]):
    """Agent id -> name from the cached agents list, fetched only if a row needs it."""

    def __init__(self, load: Callable[[], Iterable] | None = None) -> None:
        self._agents = load or agents_or_nothing
        self._names: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._names is None:
            self._names = {agent.id: agent.name for agent in self._agents()}
        return self._names

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def agents_or_nothing() -> tuple:
    """The cached agents list; empty when Natural is down (the table will say so itself)."""
    try:
        return reads.list_agents()
    except NaturalError:
        return ()
