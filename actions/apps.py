from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Manager actions: revoke, cancel, review"

    def ready(self) -> None:
        from actions import reconcilers

        reconcilers.register()
