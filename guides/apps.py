from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "Improvement Leaders' Guides"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import caching, search

        caching.connect_signals()
        search.connect_signals()
