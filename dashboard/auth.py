"""Who the signed-in user is and what they may do, in three small queries per request.

Every request loads its session and its user, and every page checks a permission. Building
the ORM's queries for these cost several times more than running them (about 150 µs each
against 10 µs), so the hot reads here are plain SQL over the models' own tables and columns.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router


@cache
def _access_sql() -> str:
    """The user's group names and permissions in one statement (kind, first, second)."""
    group = Group._meta.db_table
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    user_permissions = User.user_permissions.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    # Only table names from the models' metadata are formatted in; the user id is a parameter.
    return (
        f"SELECT 'group', g.name, '' FROM {group} g "  # noqa: S608
        f"JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = %s "
        f"UNION ALL SELECT 'permission', ct.app_label, p.codename FROM {permission} p "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {user_permissions} WHERE user_id = %s "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )


def load_access(user) -> None:
    """Fill the user's group names (`_group_names`) and, where Django's model backend would
    hold the same set, its permission cache (`_perm_cache`): one query for the role and the
    permission checks of a request."""
    with connections[router.db_for_read(User)].cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk] * 3)
        found = cursor.fetchall()
    user._group_names = frozenset(first for kind, first, _ in found if kind == "group")
    if user.is_active and not user.is_superuser and not hasattr(user, "_perm_cache"):
        user._perm_cache = {
            f"{first}.{second}" for kind, first, second in found if kind == "permission"
        }


@cache
def _user_sql() -> tuple[str, tuple[str, ...]]:
    fields = User._meta.concrete_fields
    columns = ", ".join(f'"{field.column}"' for field in fields)
    table = User._meta.db_table
    # Column and table names come from the model's metadata; the id is a parameter.
    sql = f'SELECT {columns} FROM "{table}" WHERE "{User._meta.pk.column}" = %s'  # noqa: S608
    return sql, tuple(field.attname for field in fields)


def _converters(connection) -> list[tuple[int, list]]:
    """Per column, what the ORM would apply to turn the driver's value into the field's."""
    found = []
    for index, field in enumerate(User._meta.concrete_fields):
        column = field.get_col(User._meta.db_table)
        converters = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if converters:
            found.append((index, converters))
    return found


_CONVERTERS: dict[str, list[tuple[int, list]]] = {}


def load_user(user_id) -> User | None:
    """The user with this id, as `User.objects.get` would build it, or None."""
    sql, attnames = _user_sql()
    using = router.db_for_read(User)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if using not in _CONVERTERS:
        _CONVERTERS[using] = _converters(connection)
    values = list(row)
    fields = User._meta.concrete_fields
    for index, converters in _CONVERTERS[using]:
        for converter in converters:
            values[index] = converter(values[index], fields[index], connection)
    return User.from_db(using, attnames, values)


class FastReadsMixin:
    """The user and its permissions read with the plain queries above."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PermissionBackend(FastReadsMixin, ModelBackend):
    """Django's model backend; a user's own and group permissions come from one plain query
    that also names the user's groups (the role)."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            load_access(user_obj)
        return user_obj._perm_cache
