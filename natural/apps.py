from django.apps import AppConfig


class NaturalConfig(AppConfig):
    name = "natural"
    # The label the tables and the migration history were made under.
    label = "delegations"
    verbose_name = "The Natural API"
