from django.apps import AppConfig


class RtimportConfig(AppConfig):
    name = "rtimport"
    verbose_name = "Import from RT"
    default_auto_field = "django.db.models.BigAutoField"
