from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guides.core"
    label = "core"
    verbose_name = "Site core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_migrate

        from guides.core import accounts, caching, checks, layout  # noqa: F401 (checks registers)

        caching.connect_signals()
        user_logged_in.connect(accounts.seen_at_sign_in, dispatch_uid="session-seen")
        pre_migrate.connect(layout.refuse_old_layout, sender=self, dispatch_uid="old-layout")
