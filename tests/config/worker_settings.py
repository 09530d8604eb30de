"""Settings of a real worker started by a test: the test settings, but the files (platform CA,
signed documents, media) are the test process's own, named by CHENGNUO_TEST_DATA_DIR, so the
worker signs with the same CA and reads the documents the test stored."""

from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import env

DATA_DIR = Path(env.str("CHENGNUO_TEST_DATA_DIR"))
SIGNING_CA_CERT_PATH = str(DATA_DIR / "ca" / "ca.crt")
SIGNING_CA_KEY_PATH = str(DATA_DIR / "ca" / "ca.key")
SIGNING_DOCUMENT_ROOT = str(DATA_DIR / "documents")
MEDIA_ROOT = DATA_DIR / "media"
