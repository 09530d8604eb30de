"""Test settings: PostgreSQL when DATABASE_URL says so (CI does), SQLite otherwise."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

DATA_DIR = Path(tempfile.mkdtemp(prefix="chengnuo-test-"))
SIGNING_CA_AUTOCREATE = True
SIGNING_CA_CERT_PATH = str(DATA_DIR / "ca" / "ca.crt")
SIGNING_CA_KEY_PATH = str(DATA_DIR / "ca" / "ca.key")
SIGNING_DOCUMENT_ROOT = str(DATA_DIR / "documents")
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = False
LANGUAGE_CODE = "zh-hans"

# Each xdist worker has its own database, so it gets its own queue: a worker started by one
# test process must never run another process's tasks against the wrong database.
CELERY_TASK_DEFAULT_QUEUE = f"chengnuo-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
