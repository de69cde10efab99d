"""Refuse to start on a SQLite without the FTS5 trigram tokenizer, rather than search slowly."""

from __future__ import annotations

import sqlite3

from django.core import checks
from django.db import connections

MINIMUM_SQLITE = (3, 34, 0)


def trigram_problem(vendor: str) -> str | None:
    """Why the text index cannot be built on this database, or None when it can."""
    if vendor != "sqlite":
        return None
    if sqlite3.sqlite_version_info < MINIMUM_SQLITE:
        return (
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; the customer "
            "search index needs SQLite 3.34 or newer (or use PostgreSQL via DATABASE_URL)."
        )
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
    except sqlite3.OperationalError as error:
        return f"This SQLite was built without FTS5 trigram support ({error})."
    finally:
        probe.close()
    return None


@checks.register(checks.Tags.database)
def check_trigram_support(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        problem = trigram_problem(connections[alias].vendor)
        if problem:
            errors.append(checks.Error(problem, id="customer_index.E001"))
    return errors
