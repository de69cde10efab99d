from django.db import migrations

from dashboard.migrations._grants import grant


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
        migrations.RunPython(grant("manage_saved_views"), migrations.RunPython.noop),
    ]
