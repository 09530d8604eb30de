"""Settings of a real worker started by a test: the test settings, but mail goes over SMTP
(to the test's local server named by EMAIL_HOST / EMAIL_PORT in the environment)."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
