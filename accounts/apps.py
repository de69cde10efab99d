from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and security"

    def ready(self) -> None:
        from django.conf import settings

        from accounts import adapters, security_log  # noqa: F401 - connect the signal receivers
        from accounts.role_map import parse_role_map

        if settings.SSO_ENABLED:
            parse_role_map(settings.OIDC_ROLE_MAP)  # a typo stops the start, not a sign-in
