from django.apps import AppConfig


class BrowseConfig(AppConfig):
    name = "browse"
    verbose_name = "The read pages"
