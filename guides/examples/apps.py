from django.apps import AppConfig


class ExamplesConfig(AppConfig):
    name = "guides.examples"
    label = "examples"
    verbose_name = "Local examples"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guides.core import caching
        from guides.core.signals import content_loaded, content_loading
        from guides.examples import chart_panel, panels, receivers
        from guides.examples.models import LocalExample

        caching.watch(LocalExample)
        panels.register()
        chart_panel.register()  # "Add this chart to a local example" on the maker's page
        content_loading.connect(receivers.keep_local_examples, dispatch_uid="examples-keep")
        content_loaded.connect(receivers.rerender_examples, dispatch_uid="examples-rerender")
