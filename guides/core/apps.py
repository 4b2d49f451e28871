from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guides.core"
    label = "core"
    verbose_name = "Site core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_migrate

        from guides.core import caching, layout

        caching.connect_signals()
        pre_migrate.connect(layout.refuse_old_layout, sender=self, dispatch_uid="old-layout")
