from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "guides.measurement"
    label = "measurement"
    verbose_name = "Measurement charts"
    default_auto_field = "django.db.models.BigAutoField"
