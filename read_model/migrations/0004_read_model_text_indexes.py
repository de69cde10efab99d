"""Text indexes for substring search on the agent invitations, delegation invitations and agent
delegations, built as migration 0002 builds the customers' one (FTS5 trigram tables kept in step
by triggers on SQLite, pg_trgm GIN indexes on PostgreSQL)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from read_model.checks import trigram_problem

TABLES = {
    "adi": ("customer_index_indexedagentinvitation", ("email_folded", "agent_name_folded", "invitation_id")),
    "din": ("customer_index_indexeddelegationinvitation", ("email_folded", "invitation_id")),
    "adl": (
        "customer_index_indexedagentdelegation",
        ("customer_name_folded", "agent_name_folded", "agent_delegation_id"),
    ),
}


def sqlite_create(code, table, columns):
    fts = f"customer_index_{code}_fts"
    names = ", ".join(columns)
    new = ", ".join("new." + c for c in columns)
    old = ", ".join("old." + c for c in columns)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5(
            {names}, content='{table}', content_rowid='id', tokenize='trigram')""",
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN
            INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});
            INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});
        END""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def sqlite_drop(code, table, columns):
    fts = f"customer_index_{code}_fts"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TABLE IF EXISTS {fts}",
    ]


def postgres_create(code, table, columns):
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        *(
            f"CREATE INDEX customer_index_{code}_{c}_trgm ON {table} USING gin ({c} gin_trgm_ops)"
            for c in columns
        ),
    ]


def postgres_drop(code, table, columns):
    return [f"DROP INDEX IF EXISTS customer_index_{code}_{c}_trgm" for c in columns]


BUILDERS = {
    ("sqlite", True): sqlite_create,
    ("sqlite", False): sqlite_drop,
    ("postgresql", True): postgres_create,
    ("postgresql", False): postgres_drop,
}


def run(schema_editor, *, create):
    vendor = schema_editor.connection.vendor
    build = BUILDERS.get((vendor, create))
    if build is None:
        raise ImproperlyConfigured(f"The read model supports SQLite and PostgreSQL, not {vendor}.")
    if create and (problem := trigram_problem(vendor)):
        raise ImproperlyConfigured(problem)
    for code, (table, columns) in TABLES.items():
        for sql in build(code, table, columns):
            schema_editor.execute(sql)


def create_text_indexes(apps, schema_editor):
    run(schema_editor, create=True)


def drop_text_indexes(apps, schema_editor):
    run(schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [
        ("customer_index", "0003_read_model"),
    ]

    operations = [
        migrations.RunPython(create_text_indexes, drop_text_indexes),
    ]
