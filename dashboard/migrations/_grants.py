"""The data step of a migration that adds a permission: give it to the roles that hold it.

(A leading underscore: Django's migration loader passes this module over.)"""

from django.contrib.auth.management import create_permissions

from dashboard.roles import ROLES


def grant(codename: str):
    """A RunPython function that creates the dashboard's permissions as the migration's
    models know them, then adds `codename` to every role that lists it."""

    def run(apps, schema_editor):
        app_config = apps.get_app_config("dashboard")
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        permission = Permission.objects.get(content_type__app_label="dashboard", codename=codename)
        for role, codenames in ROLES.items():
            if codename in codenames:
                Group.objects.get_or_create(name=role)[0].permissions.add(permission)

    return run
