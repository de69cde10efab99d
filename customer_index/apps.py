from django.apps import AppConfig


class CustomerIndexConfig(AppConfig):
    name = "customer_index"
    verbose_name = "Customer search index"

    def ready(self) -> None:
        from customer_index import checks  # noqa: F401  (registers the system check)
