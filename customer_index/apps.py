from django.apps import AppConfig


class CustomerIndexConfig(AppConfig):
    name = "customer_index"
    verbose_name = "Customer search index"
