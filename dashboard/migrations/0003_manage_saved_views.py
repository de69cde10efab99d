from django.contrib.auth.management import create_permissions
from django.db import migrations

from dashboard.roles import ROLES


def grant(apps, schema_editor):
    app_config = apps.get_app_config("dashboard")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="dashboard", codename="manage_saved_views"
    )
    for role, codenames in ROLES.items():
        if "manage_saved_views" in codenames:
            Group.objects.get_or_create(name=role)[0].permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_view_security_log")]
    operations = [
        migrations.AlterModelOptions(
            name="access",
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("view_natural", "Can view customers, invitations and delegations"),
                    ("invite_customers", "Can create customer and delegation invitations"),
                    ("revoke_delegations", "Can revoke an agent's access to a customer"),
                    ("cancel_invitations", "Can cancel pending invitations"),
                    ("review_delegations", "Can mark delegations reviewed or flagged"),
                    ("view_audit", "Can read the operations audit log"),
                    ("refresh_index", "Can refresh the customer search index"),
                    (
                        "view_security_log",
                        "Can read the security log (sign-ins, lockouts, second factors)",
                    ),
                    ("manage_saved_views", "Can delete any saved view shared with the team"),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
