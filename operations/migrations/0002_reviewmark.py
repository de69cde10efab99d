"""Review marks move here from the former manager-actions app, keeping their table and rows.

A database made before the move already has `actions_reviewmark` (and its indexes): only the
model state changes. A new database gets the table created. Works on SQLite and PostgreSQL.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class CreateModelUnlessTableExists(migrations.CreateModel):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        existing = schema_editor.connection.introspection.table_names()
        if model._meta.db_table not in existing:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # The table predates this app's ownership of it: leave the rows where they are.
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModelUnlessTableExists(
            name="ReviewMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("delegation_id", models.CharField(db_index=True, max_length=40)),
                ("customer_party_id", models.CharField(db_index=True, max_length=40)),
                ("agent_id", models.CharField(max_length=40)),
                (
                    "verdict",
                    models.CharField(
                        choices=[("reviewed", "Reviewed"), ("flagged", "Flagged")], max_length=10
                    ),
                ),
                ("comment", models.TextField(blank=True, default="")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_marks",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "actions_reviewmark",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["delegation_id", "-created_at"], name="mark_by_delegation")
                ],
            },
        ),
    ]
