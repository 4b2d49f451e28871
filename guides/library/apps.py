from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "guides.library"
    label = "library"
    verbose_name = "Library content"
    default_auto_field = "django.db.models.BigAutoField"
