from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "guides.library"
    label = "library"
    verbose_name = "Library content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guides.core.signals import content_loaded
        from guides.library import context_processors

        # The footer's content version and review date are worked out again after a load.
        content_loaded.connect(context_processors.forget, dispatch_uid="library-identity")
