"""Settings shared by every environment, read from the environment.

Safe for production by default: DEBUG is off, the secret key and allowed hosts must be
given, and the database is whatever DATABASE_URL names. ``local`` and ``test`` relax that.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Runtime data (SQLite file, broker folders, generated CA, signed documents). Ignored by git.
DATA_DIR = Path(env.str("CHENGNUO_DATA_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")  # production.py insists on one
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "config.views.csrf_failure"  # our page, in the visitor's language

INSTALLED_APPS = [
    "modeltranslation",  # before admin: catalogue data in Chinese and English (ADR 0015)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "csp",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "directory",
    "access",
    "signing",
    "credit",
    "notifications",
    "commitments",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database this request reads from (primary or replica); off without a replica.
    "config.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.api_errors.ApiErrorMiddleware",  # inside Locale: its messages are translated
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a request that met a lockout into the page or JSON that says when to retry.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
            ],
        },
    },
]

# A writer on SQLite waits this long for another's transaction before it gives up (seconds).
SQLITE_BUSY_TIMEOUT = 30


def database_settings(config: dict) -> dict:
    """Finish the settings of a database named by a URL so it takes concurrent work.

    PostgreSQL keeps each thread's connection for ``DATABASE_CONN_MAX_AGE`` seconds and checks
    it before a request first uses it (``CONN_HEALTH_CHECKS``): after a database restart the
    dead connection is replaced instead of failing one request per connection.

    SQLite (the embedded default, ADR 0003) runs in WAL mode, so readers never wait for the
    writer nor the writer for readers; every transaction begins ``IMMEDIATE``, taking the write
    lock up front, so a second writer waits for it (``SQLITE_BUSY_TIMEOUT``) instead of failing
    with "database is locked" when a deferred read would have to become a write.
    ``synchronous=FULL`` keeps a commit durable through a power cut, as signed records must be.
    """
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {**config.get("OPTIONS", {}), **dead_peer_options(config)}
    return config


def dead_peer_options(config: dict) -> dict:
    """Connection options that end a connection whose other end fell off the network.

    A worker that loses its network in the middle of a task sends no FIN: without these, its
    server session stays "idle in transaction" for the kernel's two hours of keepalive and
    keeps the rows it locked, and every worker that touches them waits as long (a test cut a
    worker host's cable mid-signing: both processes of the other worker then waited on its
    locks, and no background work ran). Both ends probe an idle connection and give up on
    unacknowledged data after ``DATABASE_DEAD_PEER_SECONDS``: the server rolls the dead
    client's transaction back and its locks go (ADR 0037). 0 leaves it to the server's and
    the kernel's settings (e.g. behind PgBouncer, which refuses the ``options`` parameter).
    """
    seconds = env.int("DATABASE_DEAD_PEER_SECONDS", default=30)
    if seconds <= 0:
        return {}
    idle, interval, count = max(1, seconds // 3), max(1, seconds // 6), 4
    server = (
        f"-c tcp_keepalives_idle={idle} -c tcp_keepalives_interval={interval} "
        f"-c tcp_keepalives_count={count} -c tcp_user_timeout={seconds * 1000}"
    )
    given = config.get("OPTIONS", {}).get("options", "")
    return {
        "keepalives": 1,
        "keepalives_idle": idle,
        "keepalives_interval": interval,
        "keepalives_count": count,
        "tcp_user_timeout": seconds * 1000,
        "options": f"{given} {server}".strip(),
    }


def with_replica(databases: dict) -> dict:
    """Add the read replica named by ``DATABASE_REPLICA_URL`` (if any) as alias ``replica``.

    A PostgreSQL streaming replica of the primary (``config.replicas``, ADR 0028): never
    migrated, never written; the tests mirror it onto the primary. It gives up connecting
    after ``DATABASE_REPLICA_CONNECT_TIMEOUT`` seconds and reads go to the primary.
    """
    url = env.str("DATABASE_REPLICA_URL", default="")
    if not url:
        return databases
    replica = database_settings(env.db_url_config(url))
    if "postgresql" not in replica["ENGINE"] or "postgresql" not in databases["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL as primary and replica.")
    replica["OPTIONS"] = {
        **replica.get("OPTIONS", {}),
        "connect_timeout": env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2),
    }
    replica["TEST"] = {"MIRROR": "default"}
    return {**databases, "replica": replica}


DATABASES = with_replica(
    {
        "default": database_settings(
            env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
        ),
    }
)
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
# Safe requests to these paths (regular expressions, from the start of the path) read from
# the replica when one is configured: the public portal and its API, public verification and
# the register, the public credit record, the regulators' statistics.
DATABASE_REPLICA_PATHS = env.list(
    "DATABASE_REPLICA_PATHS",
    default=[
        r"/portal/",
        r"/api/v1/portal/",
        r"/verify/",
        r"/register/",
        r"/credit/[^/]+/public/",
        r"/regulator/credit/statistics",
    ],
)
# A replica that failed to answer is not asked again for this long (seconds, per process).
DATABASE_REPLICA_RETRY_SECONDS = env.int("DATABASE_REPLICA_RETRY_SECONDS", default=5)
# How long a browser's "my last write" position is kept (seconds): past the worst lag.
DATABASE_REPLICA_COOKIE_AGE = env.int("DATABASE_REPLICA_COOKIE_AGE", default=24 * 3600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# A signed-in session lasts a working day (not Django's two weeks) and ends with the browser.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection (access.lockout, django-axes): failed logins, admin logins, API tokens
# and identity-provider verifications count per account and per address; this many within the
# cool-off lock that account or address out until the cool-off after the last failure.
AUTHENTICATION_BACKENDS = [
    "access.lockout.LockoutBackend",  # first: refuses a locked-out client before any password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ACCESS_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ACCESS_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = "access.lockout.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "access.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # an audit row for every failure, shown in the admin
AXES_RESET_ON_SUCCESS = False  # one good login must not wipe an attacker's count on an address
AXES_VERBOSE = False
# The client's address (access.lockout.client_address): REMOTE_ADDR, or with this many trusted
# proxies in front, the address the outermost of them saw (X-Forwarded-For, from the right).
# Never trust more proxies than there are: a client could forge its address out of a lockout.
AXES_CLIENT_IP_CALLABLE = "access.lockout.client_address"
ACCESS_PROXY_COUNT = env.int("ACCESS_PROXY_COUNT", default=0)

# API tokens (access.ApiToken): default lifetime, how long a rotated token keeps working beside
# its successor, and how often its last use is written (seconds).
ACCESS_TOKEN_DAYS = env.int("ACCESS_TOKEN_DAYS", default=90)
ACCESS_TOKEN_ROTATION_OVERLAP_HOURS = env.float("ACCESS_TOKEN_ROTATION_OVERLAP_HOURS", default=24)
ACCESS_TOKEN_LAST_USED_INTERVAL = env.int("ACCESS_TOKEN_LAST_USED_INTERVAL", default=60)
# Signing asks for the password (or the identity provider) again past this many minutes since
# the session last proved who its user is (access.reauth).
ACCESS_REAUTH_MINUTES = env.int("ACCESS_REAUTH_MINUTES", default=15)
# A signature itself needs a proof made for it (access.ceremony): the password in the signing
# request, or a fresh login at the identity provider used within this many minutes, once.
ACCESS_SIGNING_PROOF_MINUTES = env.int("ACCESS_SIGNING_PROOF_MINUTES", default=5)
# How many drafts one batch signature may take (each is signed and sealed on its own).
SIGNING_BATCH_MAX = env.int("SIGNING_BATCH_MAX", default=20)
# The identity provider (OpenID Connect): its authentication backends, and where its sessions
# go to re-authenticate (empty: they are asked for a password, if they have one).
ACCESS_IDENTITY_PROVIDER_BACKENDS = env.list("ACCESS_IDENTITY_PROVIDER_BACKENDS", default=[])
ACCESS_IDENTITY_PROVIDER_REAUTH_URL = env.str("ACCESS_IDENTITY_PROVIDER_REAUTH_URL", default="")

# Why a record changed is free text: a breach reason must never be cut or refused for length.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Simplified Chinese by default, English on request (LocaleMiddleware, /i18n/setlang/).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Catalogue data (measures, categories, rule sets, lists, matters, departments, templates)
# carries both languages; the page shows the active one (ADR 0015).
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en")
MODELTRANSLATION_TRANSLATION_FILES = (
    "directory.translation",
    "credit.record.translation",
    "commitments.catalogue.translation",
    "commitments.obligations.translation",
    "workflows.verification.translation",
)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files a browser asks for at the site's root: /favicon.ico (for documents without an icon
# link: JSON, PDF, the API), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "config" / "site_root"
# Uploaded evidence and attachments (never served publicly: views check who may see them).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Absolute address of the site, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="chengnuo@localhost")

# Celery: any Redis or RabbitMQ broker in production; tasks are idempotent and sent on commit.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
# The broker's high availability (docs/deployment.md), the same in every deployment and in
# the tests that prove it (tests/notifications/test_broker_failover.py): Redis behind Sentinel
# (CELERY_BROKER_URL=sentinel://h1:26379;sentinel://h2:26379;sentinel://h3:26379 and
# CELERY_BROKER_TRANSPORT_OPTIONS={"master_name": "chengnuo"}), or RabbitMQ with quorum
# queues (CELERY_TASK_DEFAULT_QUEUE_TYPE=quorum: replicated by Raft, the messages of a lost
# node are not lost; Celery then leaves out global QoS and countdowns through the broker).
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={})
CELERY_TASK_DEFAULT_QUEUE_TYPE = env.str("CELERY_TASK_DEFAULT_QUEUE_TYPE", default="classic")
if CELERY_TASK_DEFAULT_QUEUE_TYPE not in ("classic", "quorum"):
    raise ImproperlyConfigured("CELERY_TASK_DEFAULT_QUEUE_TYPE is 'classic' or 'quorum'.")
# A queue named only on a worker's command line (-Q) is declared the same type.
CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = CELERY_TASK_DEFAULT_QUEUE_TYPE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000  # pyHanko's memory creeps slowly
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Signed webhooks to other systems (docs/webhooks.md): how long a worker waits for one
# receiver, and whether loopback, private and link-local addresses may receive them (never
# in production: a subscriber must not make the platform call into its own network).
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Webhooks are delivered in batches of up to WEBHOOK_BATCH_SIZE rows per transaction, posted
# by WEBHOOK_CONCURRENCY threads per worker process over kept-alive connections (ADR 0031).
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=100)
WEBHOOK_CONCURRENCY = env.int("WEBHOOK_CONCURRENCY", default=16)
# Subscribers' webhook secrets are encrypted at rest (notifications.encryption) under the
# Fernet keys in this file, one per line: the first encrypts, all decrypt (rotation). Only the
# embedded default and the tests create it (under the data folder) when it is missing.
WEBHOOK_SECRET_KEYS_PATH = env.str(
    "WEBHOOK_SECRET_KEYS_PATH", default=str(DATA_DIR / "keys" / "webhook-secrets.keys")
)
WEBHOOK_SECRET_KEYS_AUTOCREATE = env.bool("WEBHOOK_SECRET_KEYS_AUTOCREATE", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # viewflow timers (verification windows, escalation) are rows; this fires the due ones.
    "fire-workflow-timers": {
        "task": "workflows.tasks.workflow_timers_fire_task",
        "schedule": timedelta(seconds=env.int("WORKFLOW_TIMER_INTERVAL", default=60)),
    },
    # Every side effect is an outbox row written with its cause; a kick after the commit
    # delivers it at once when the broker answers, this beat delivers whatever the kick missed.
    "deliver-outbox": {
        "task": "notifications.tasks.outbox_deliver_task",
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_INTERVAL", default=60)),
    },
    # Signatures that waited for the timestamp service (pending SigningRequest rows) are tried
    # again once their back-off has passed, also when their first kick found no broker.
    "resume-signing-requests": {
        "task": "workflows.verification.tasks.signing_requests_resume_task",
        "schedule": timedelta(seconds=env.int("SIGNING_RESUME_INTERVAL", default=60)),
    },
    # Obligation warnings and breaches: settles the due ladder steps, then delivers the outbox.
    "sweep-obligation-warnings": {
        "task": "commitments.obligations.tasks.obligation_warnings_sweep_task",
        "schedule": timedelta(seconds=env.int("OBLIGATION_SWEEP_INTERVAL", default=60)),
    },
    # Regulators are warned before a verification falls due (once per task).
    "send-verification-reminders": {
        "task": "workflows.verification.tasks.verification_reminders_send_task",
        "schedule": timedelta(seconds=env.int("WORKFLOW_TIMER_INTERVAL", default=60)),
    },
    # Absences that have begun hand their open tasks to the delegate.
    "apply-delegations": {
        "task": "workflows.verification.tasks.delegations_apply_task",
        "schedule": timedelta(seconds=env.int("WORKFLOW_TIMER_INTERVAL", default=60)),
    },
}
# Beat (the scheduler): Celery's own file-backed scheduler unless told otherwise; the
# embedded default runs it inside its one worker (`worker -B`). Production runs RedBeat
# (production.py, ADR 0029): the schedule and its last runs live in Redis, and a lock lets
# one beat among several send, so any number may run on as many machines. A standby polls
# the lock every CELERY_BEAT_MAX_LOOP_INTERVAL seconds and takes over when the active one
# has not renewed it for REDBEAT_LOCK_TIMEOUT seconds (it crashed or lost its network).
CELERY_BEAT_SCHEDULER = env.str("CELERY_BEAT_SCHEDULER", default="celery.beat:PersistentScheduler")
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=5)
# RedBeat's Redis (a Sentinel set too: redis-sentinel:// with REDBEAT_REDIS_OPTIONS as JSON,
# {"sentinels": [["host", 26379], ...], "service_name": "mymaster", "socket_timeout": 1,
# "socket_connect_timeout": 1}; never "retry_period", see config/beat.py); the broker if Redis.
CELERY_REDBEAT_REDIS_URL = env.str("REDBEAT_REDIS_URL", default=CELERY_BROKER_URL)
CELERY_REDBEAT_REDIS_OPTIONS = env.json("REDBEAT_REDIS_OPTIONS", default={})
CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="chengnuo:redbeat")
CELERY_REDBEAT_LOCK_TIMEOUT = env.int("REDBEAT_LOCK_TIMEOUT", default=30)
# Attempts at a signature that waits for the timestamp service before it is given up (the
# applicant can then sign again); 30 s, 1 min, 2 min … one hour apart.
SIGNING_MAX_ATTEMPTS = env.int("SIGNING_MAX_ATTEMPTS", default=12)
# Working days before a verification's due date when its regulator is warned.
VERIFICATION_REMINDER_WORKING_DAYS = env.int("VERIFICATION_REMINDER_WORKING_DAYS", default=3)
# SMS warnings go through an HTTP gateway (POST JSON, bearer token, Idempotency-Key header).
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "access.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}
# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images
# from this site only, no inline script or style, no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "TITLE": "Chengnuo API",
    "DESCRIPTION": "Credit commitments: sign, verify and query.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_errors.schema_error_responses",
    ],
    # Fields named "status" carry different choice sets; each set has its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "PledgeStatusEnum": "commitments.pledges.models.BidPledge.Status",
        "RectificationStatusEnum": "workflows.verification.models.Rectification.Status",
    },
}

# Signing: production reads the platform CA from these files; the embedded default creates
# them under DATA_DIR on first start (see signing.ca).
SIGNING_CA_CERT_PATH = env.str("SIGNING_CA_CERT_PATH", default=str(DATA_DIR / "ca" / "ca.crt"))
SIGNING_CA_KEY_PATH = env.str("SIGNING_CA_KEY_PATH", default=str(DATA_DIR / "ca" / "ca.key"))
SIGNING_CA_KEY_PASSWORD = env.str("SIGNING_CA_KEY_PASSWORD", default="")
SIGNING_CA_AUTOCREATE = env.bool("SIGNING_CA_AUTOCREATE", default=False)
# The CA key on a PKCS#11 device instead of SIGNING_CA_KEY_PATH (signing.ca.pkcs11).
SIGNING_CA_PKCS11 = env.json("SIGNING_CA_PKCS11", default=None)
SIGNING_DOCUMENT_ROOT = env.str("SIGNING_DOCUMENT_ROOT", default=str(DATA_DIR / "documents"))
SIGNING_STORAGE_BACKEND = env.str(
    "SIGNING_STORAGE_BACKEND", default="signing.storage.FileSystemStorage"
)
# Rare characters outside the shipped GB2312 subset fall back to a full system font.
SIGNING_PDF_FALLBACK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
SIGNING_SIGNER_CERT_VALIDITY = timedelta(minutes=env.int("SIGNING_SIGNER_CERT_MINUTES", default=30))
# Evidence (issue 3). Without SIGNING_CA_KEY_PASSWORD the embedded default writes a random
# one to SIGNING_CA_KEY_PASSWORD_FILE (default <CA key>.password) and encrypts every key.
SIGNING_CA_KEY_PASSWORD_FILE = env.str("SIGNING_CA_KEY_PASSWORD_FILE", default="")
# Any RFC 3161 service; empty = the embedded authority (also served at /tsa/), in-process.
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Who /tsa/ answers: "loopback" (this machine's own processes, not forwarded by a proxy) or
# "off". It signs with the platform's authority, so it is never open to the world.
SIGNING_TSA_SERVE = env.str("SIGNING_TSA_SERVE", default="loopback")
if SIGNING_TSA_SERVE not in ("loopback", "off"):
    raise ImproperlyConfigured("SIGNING_TSA_SERVE is 'loopback' or 'off'.")

# ``manage.py demo_load`` creates accounts with published passwords: only the embedded default
# and the tests allow it (their settings set this to True); production refuses.
CHENGNUO_DEMO_DATA = False
SIGNING_TSA_TIMEOUT = env.int("SIGNING_TSA_TIMEOUT", default=10)
SIGNING_TSA_POLICY_OID = env.str("SIGNING_TSA_POLICY_OID", default="1.3.6.1.4.1.59075.1.1")
# Written into new certificates; the CRL itself is embedded in every sealed PDF.
SIGNING_CRL_URL = env.str("SIGNING_CRL_URL", default=f"{SITE_URL.rstrip('/')}/signing/ca.crl")
SIGNING_CRL_DAYS = env.int("SIGNING_CRL_DAYS", default=7)
# Trust list for signatures made elsewhere (PEM/DER root files) and CRLs for them.
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
SIGNING_TRUST_CRLS = env.list("SIGNING_TRUST_CRLS", default=[])
# The furthest date any input may name, in years from today (directory.inputs).
CHENGNUO_DATE_HORIZON_YEARS = env.int("CHENGNUO_DATE_HORIZON_YEARS", default=5)
SIGNING_UPLOAD_MAX_BYTES = env.int("SIGNING_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Keep the seal key on a PKCS#11 device: {"module", "token_label", "key_label", "user_pin"}.
SIGNING_SEAL_PKCS11 = env.json("SIGNING_SEAL_PKCS11", default=None)
# S3-compatible document storage (SIGNING_STORAGE_BACKEND=signing.storage.S3Storage).
SIGNING_S3_BUCKET = env.str("SIGNING_S3_BUCKET", default="")
SIGNING_S3_ENDPOINT_URL = env.str("SIGNING_S3_ENDPOINT_URL", default="")
SIGNING_S3_REGION = env.str("SIGNING_S3_REGION", default="us-east-1")
SIGNING_S3_ACCESS_KEY_ID = env.str("SIGNING_S3_ACCESS_KEY_ID", default="")
SIGNING_S3_SECRET_ACCESS_KEY = env.str("SIGNING_S3_SECRET_ACCESS_KEY", default="")
SIGNING_S3_PREFIX = env.str("SIGNING_S3_PREFIX", default="documents/")
# Renew archive timestamps this long before their certificate chain ends.
SIGNING_RETIMESTAMP_MARGIN_DAYS = env.int("SIGNING_RETIMESTAMP_MARGIN_DAYS", default=365)
SIGNING_LOG_ORIGIN = env.str("SIGNING_LOG_ORIGIN", default="chengnuo-register")
# Request bodies: uploads stream to disk past 2.5 MB; other bodies stop at the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2621440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2621440)
CELERY_BEAT_SCHEDULE["signing-archive-retimestamp"] = {
    "task": "signing.tasks.archive_retimestamp_task",
    "schedule": timedelta(hours=env.int("SIGNING_RETIMESTAMP_INTERVAL_HOURS", default=24)),
}
# Credit records: publication stops at the maximum period; designation follows prior notice;
# a designation ends with its listing period (credit.record.tasks, found through credit.tasks).
CELERY_BEAT_SCHEDULE["credit-publication-end"] = {
    "task": "credit.record.tasks.breach_publication_end_due_task",
    "schedule": timedelta(hours=1),
}
CELERY_BEAT_SCHEDULE["credit-list-entries-enter"] = {
    "task": "credit.record.tasks.list_entries_enter_due_task",
    "schedule": timedelta(hours=1),
}
CELERY_BEAT_SCHEDULE["credit-list_entries_exit_due_task"] = {
    "task": "credit.record.tasks.list_entries_exit_due_task",
    "schedule": timedelta(hours=1),
}
# Time-partitioned append-only tables (PostgreSQL, pg_partman; ADR 0035): partitions made
# PARTITION_PREMAKE intervals ahead, rows of a month without a partition moved out of the
# default partition, partitions past their retention period (RetentionPeriod rows) dropped.
PARTITION_PREMAKE = env.int("PARTITION_PREMAKE", default=4)
CELERY_BEAT_SCHEDULE["partitions-maintain"] = {
    "task": "directory.partitions.tasks.partitions_maintain_task",
    "schedule": timedelta(seconds=env.int("PARTITION_MAINTENANCE_INTERVAL", default=3600)),
}
# Repair notices get their sealed PDF after the decision commits (kicked then); this catches
# the notices whose kick the broker missed or whose seal waited for the time-stamping service.
CELERY_BEAT_SCHEDULE["credit-repair-notices-seal"] = {
    "task": "credit.reports.tasks.repair_notices_seal_due_task",
    "schedule": timedelta(minutes=5),
}
# The open data CSV: one file per day of the log, built and sealed once (ADR 0030). Hourly, so
# a day is built soon after it ends plus the grace (a transaction open at midnight commits
# first) and a beat that was down catches up; a finished day is never rewritten. The files are
# kept in the document store; OPEN_DATA_ROOT is only the folder where earlier releases built
# them, read by `manage.py open_data_days_import`.
OPEN_DATA_ROOT = env.str("OPEN_DATA_ROOT", default=str(DATA_DIR / "opendata"))
OPEN_DATA_DAY_GRACE_MINUTES = env.int("OPEN_DATA_DAY_GRACE_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["credit-open-data-days-build"] = {
    "task": "credit.opendata.tasks.open_data_days_build_task",
    "schedule": timedelta(hours=1),
}
# Pledge defaulters (repair/objection limits are flow timers).
# A package's tasks: Celery's autodiscovery finds <app>.tasks only.
CELERY_IMPORTS = [
    "directory.partitions.tasks",
    "commitments.obligations.tasks",
    "commitments.pledges.tasks",
    "commitments.associations.tasks",
    "workflows.verification.tasks",
]
CELERY_BEAT_SCHEDULE["credit-bid_pledge_defaults_sweep_task"] = {
    "task": "commitments.pledges.tasks.bid_pledge_defaults_sweep_task",
    "schedule": timedelta(hours=1),
}

# A supervisor is told when an unverified task passes its window.
VIEWFLOW = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # pikepdf announces its qpdf logger bridge at import (INFO): noise in every command
    "loggers": {"pikepdf": {"level": "WARNING"}},
}

# "Check every case" runs one prepared statement per PostgreSQL connection; turn this off
# behind a connection pooler in transaction mode that cannot keep prepared statements.
CREDIT_CHECK_PREPARED = env.bool("CREDIT_CHECK_PREPARED", default=True)
# Checks asked at the same moment in one process share one statement and one durable commit
# of their log rows (credit.check.postgres.batch); off, each check commits alone.
CREDIT_CHECK_GROUP_COMMIT = env.bool("CREDIT_CHECK_GROUP_COMMIT", default=True)

# Logging in through an identity provider over OpenID Connect (a provincial unified identity
# platform, the electronic business licence): the provider's claims prove whom the user acts
# for (directory.oidc). Off unless CHENGNUO_OIDC_ISSUER and the client are configured.
CHENGNUO_OIDC_ISSUER = env.str("CHENGNUO_OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("CHENGNUO_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("CHENGNUO_OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("CHENGNUO_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("CHENGNUO_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("CHENGNUO_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("CHENGNUO_OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("CHENGNUO_OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_RP_SCOPES = env.str("CHENGNUO_OIDC_SCOPES", default="openid profile")
# The client authenticates at the token endpoint with HTTP Basic (client_secret_basic); off,
# the secret goes in the form (client_secret_post).
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("CHENGNUO_OIDC_TOKEN_USE_BASIC_AUTH", default=True)
OIDC_USE_PKCE = env.bool("CHENGNUO_OIDC_USE_PKCE", default=True)
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.float("CHENGNUO_OIDC_TIMEOUT", default=10.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
OIDC_CREATE_USER = True
LOGIN_REDIRECT_URL_FAILURE = "login"
# Which claim carries what: the subject's code (unified social credit code), its name, the
# user's role for it and the person's name. JSON, e.g. {"subject_code": "uscc", ...}.
CHENGNUO_OIDC_CLAIMS = {
    "subject_code": "subject_code",
    "subject_name": "subject_name",
    "role": "role",
    "person_name": "name",
    **env.json("CHENGNUO_OIDC_CLAIMS", default={}),
}
# Which values of the role claim mean a legal representative and which an agent.
CHENGNUO_OIDC_ROLES = env.json(
    "CHENGNUO_OIDC_ROLES",
    default={
        "legal_representative": ["legal_representative", "法定代表人"],
        "agent": ["agent", "经办人", "代理人"],
    },
)
# An ID token older than this (seconds since its "iat") is refused even before its "exp":
# the code flow hands it over within moments. Clocks may differ by the skew.
CHENGNUO_OIDC_TOKEN_MAX_AGE = env.int("CHENGNUO_OIDC_TOKEN_MAX_AGE", default=600)
CHENGNUO_OIDC_CLOCK_SKEW = env.int("CHENGNUO_OIDC_CLOCK_SKEW", default=60)
CHENGNUO_OIDC_ENABLED = bool(CHENGNUO_OIDC_ISSUER and OIDC_RP_CLIENT_ID)
if CHENGNUO_OIDC_ENABLED:
    _missing = [
        name
        for name, value in {
            "CHENGNUO_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "CHENGNUO_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "CHENGNUO_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "CHENGNUO_OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"The identity provider also needs {', '.join(_missing)}.")
if CHENGNUO_OIDC_ENABLED:
    # After the lockout backend (above), which must stay first.
    AUTHENTICATION_BACKENDS.append("directory.oidc.IdentityProviderBackend")
    # A session that came from the provider proves itself there again before signing, with
    # the provider asked to see the person log in now (prompt=login, max_age=0).
    if "directory.oidc.IdentityProviderBackend" not in ACCESS_IDENTITY_PROVIDER_BACKENDS:
        ACCESS_IDENTITY_PROVIDER_BACKENDS.append("directory.oidc.IdentityProviderBackend")
    ACCESS_IDENTITY_PROVIDER_REAUTH_URL = (
        ACCESS_IDENTITY_PROVIDER_REAUTH_URL or "/accounts/oidc/login/?reauthenticate=1"
    )

# Associations' bulk issue: rows committed together, and the sweep that resumes a file a
# killed worker left half processed.
ASSOCIATION_BULK_CHUNK_ROWS = env.int("ASSOCIATION_BULK_CHUNK_ROWS", default=200)
CELERY_BEAT_SCHEDULE["associations-bulk_issues_resume_task"] = {
    "task": "commitments.associations.tasks.bulk_issues_resume_task",
    "schedule": timedelta(minutes=5),
}
