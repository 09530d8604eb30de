"""The embedded default: SQLite, a file-system Celery broker, generated keys. No servers needed."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, env

# Off by default, so `make run` shows people the site's own 404 and 500 pages (ADR 0016);
# DJANGO_DEBUG=true brings Django's debug pages back for a developer.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="embedded-default-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

SIGNING_CA_AUTOCREATE = True
WEBHOOK_SECRET_KEYS_AUTOCREATE = env.bool("WEBHOOK_SECRET_KEYS_AUTOCREATE", default=True)

# Without DEBUG, runserver serves no static files: WhiteNoise (already in the middleware)
# serves them straight from the source folders, and picks up edits without a restart.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Kombu's file-system transport: a real worker and beat without a broker server.
_BROKER_DIR = DATA_DIR / "broker"
# The transport lists these folders on every send: they must exist before the first task.
for _folder in ("queue", "processed", "control"):
    (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(_BROKER_DIR / "queue"),
    "data_folder_out": str(_BROKER_DIR / "queue"),
    "processed_folder": str(_BROKER_DIR / "processed"),
    # Broadcast/control messages; the transport defaults to ./control in the working directory.
    "control_folder": str(_BROKER_DIR / "control"),
    "store_processed": False,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# Mail goes to the console unless an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# The demo data (published passwords) may be loaded here.
CHENGNUO_DEMO_DATA = True

# The embedded default runs on one machine: its receivers are on loopback too.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=True)
