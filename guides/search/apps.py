from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "guides.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guides.search import receivers

        receivers.connect()
