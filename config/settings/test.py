"""Test settings: PostgreSQL when DATABASE_URL says so (CI does), SQLite otherwise."""

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = "test-only"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

DATA_DIR = Path(tempfile.mkdtemp(prefix="chengnuo-test-"))
SIGNING_CA_AUTOCREATE = True
SIGNING_CA_CERT_PATH = str(DATA_DIR / "ca" / "ca.crt")
SIGNING_CA_KEY_PATH = str(DATA_DIR / "ca" / "ca.key")
SIGNING_DOCUMENT_ROOT = str(DATA_DIR / "documents")
OPEN_DATA_ROOT = str(DATA_DIR / "opendata")
# A worker a test starts reads the test's key file (named in its environment).
WEBHOOK_SECRET_KEYS_PATH = env.str(
    "WEBHOOK_SECRET_KEYS_PATH", default=str(DATA_DIR / "keys" / "webhook-secrets.keys")
)
WEBHOOK_SECRET_KEYS_AUTOCREATE = True
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()  # WhiteNoise warns on every request about a missing folder
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = False
LANGUAGE_CODE = "zh-hans"

# Each test process has its own database, so it gets its own queue: a worker started by one
# process must never run another process's tasks against the wrong database. A worker in a
# separate process (started by a test) is told the queue through the environment.
CELERY_TASK_DEFAULT_QUEUE = env.str("CHENGNUO_TEST_QUEUE", default=f"chengnuo-test-{os.getpid()}")

# The demo data (published passwords) may be loaded here.
CHENGNUO_DEMO_DATA = True

# Webhook tests run their receivers on loopback, with a short wait for a silent one.
WEBHOOK_ALLOW_PRIVATE = True
WEBHOOK_TIMEOUT = 1.0
