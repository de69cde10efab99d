"""The text index behind substring search, for whichever database is in use.

SQLite: an FTS5 table with the trigram tokenizer over the folded columns, external content
(it stores only the index), kept in step by triggers, so every write path (the sync's bulk
upsert, a delete, the admin shell) updates it in the same transaction.
PostgreSQL: pg_trgm GIN indexes, which serve `LIKE '%q%'` on the folded columns (the sync
flushes their pending lists when a pass completes: see sync.refresh_search_indexes).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from read_model.checks import trigram_problem

TABLE = "customer_index_indexedcustomer"
COLUMNS = ("name_folded", "email_folded", "agent_names_folded")

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE customer_index_fts USING fts5(
        {", ".join(COLUMNS)}, content='{TABLE}', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER customer_index_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO customer_index_fts(rowid, {", ".join(COLUMNS)})
        VALUES (new.id, {", ".join("new." + c for c in COLUMNS)});
    END""",
    f"""CREATE TRIGGER customer_index_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO customer_index_fts(customer_index_fts, rowid, {", ".join(COLUMNS)})
        VALUES ('delete', old.id, {", ".join("old." + c for c in COLUMNS)});
    END""",
    # Only when searched text changed: a sync that finds nothing new leaves the index alone.
    f"""CREATE TRIGGER customer_index_fts_update AFTER UPDATE ON {TABLE}
        WHEN {" OR ".join(f"old.{c} IS NOT new.{c}" for c in COLUMNS)} BEGIN
        INSERT INTO customer_index_fts(customer_index_fts, rowid, {", ".join(COLUMNS)})
        VALUES ('delete', old.id, {", ".join("old." + c for c in COLUMNS)});
        INSERT INTO customer_index_fts(rowid, {", ".join(COLUMNS)})
        VALUES (new.id, {", ".join("new." + c for c in COLUMNS)});
    END""",
    "INSERT INTO customer_index_fts(customer_index_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customer_index_fts_update",
    "DROP TRIGGER IF EXISTS customer_index_fts_delete",
    "DROP TRIGGER IF EXISTS customer_index_fts_insert",
    "DROP TABLE IF EXISTS customer_index_fts",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX customer_index_{c}_trgm ON {TABLE} USING gin ({c} gin_trgm_ops)"
        for c in COLUMNS
    ),
]
POSTGRES_DROP = [
    *(f"DROP INDEX IF EXISTS customer_index_{c}_trgm" for c in COLUMNS),
]


def statements(vendor, *, create):
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    raise ImproperlyConfigured(f"The customer index supports SQLite and PostgreSQL, not {vendor}.")


def create_text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    problem = trigram_problem(vendor)
    if problem:
        raise ImproperlyConfigured(problem)
    for sql in statements(vendor, create=True):
        schema_editor.execute(sql)


def drop_text_index(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("customer_index", "0001_customers"),
    ]

    operations = [
        migrations.RunPython(create_text_index, drop_text_index),
    ]
