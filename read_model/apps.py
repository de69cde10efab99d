from django.apps import AppConfig


class ReadModelConfig(AppConfig):
    name = "read_model"
    # The label the tables and the migration history were made under.
    label = "customer_index"
    verbose_name = "The read model of Natural's lists"

    def ready(self) -> None:
        from read_model import checks  # noqa: F401  (registers the system check)
