from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from directory.field_names import derived_field_names_translate


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        """Every model is loaded by now: name the fields Django named in English."""
        derived_field_names_translate()
