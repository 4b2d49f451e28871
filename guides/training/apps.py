from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "guides.training"
    label = "training"
    verbose_name = "Training modules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guides.core import caching
        from guides.core.signals import content_loaded
        from guides.training import charts, panels, receivers
        from guides.training.models import Module, ModuleItem

        caching.watch(Module, ModuleItem)
        panels.register()
        charts.register()  # "Add this chart to a training module" on the maker's page
        content_loaded.connect(receivers.rerender_module_text, dispatch_uid="training-rerender")
