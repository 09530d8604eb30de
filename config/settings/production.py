"""Production: PostgreSQL, Redis or RabbitMQ, a configured CA; everything from the environment."""

from config.settings.base import *  # noqa: F403
from config.settings.base import database_settings, env, with_replica

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DATABASES = with_replica({"default": database_settings(env.db("DATABASE_URL"))})
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that proxy REMOTE_ADDR is the proxy's: the lockout by address counts the address the
# proxy saw (X-Forwarded-For), or every client would share one count (access.lockout).
ACCESS_PROXY_COUNT = env.int("ACCESS_PROXY_COUNT", default=1)

# HTTPS only: plain HTTP is redirected, browsers are told to use HTTPS for a year (HSTS),
# cookies travel only over HTTPS. Each can be relaxed from the environment, e.g. while a
# domain is first moved to HTTPS (a short DJANGO_SECURE_HSTS_SECONDS).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# "preload" only consents to the browsers' preload list; a domain is listed once submitted.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True

# Several schedulers, one active (RedBeat's lock in Redis, ADR 0029): run `celery -A config
# beat` on two or more machines; whichever holds the lock sends the timers. config.beat's
# scheduler is RedBeat's, waiting out a failover of its Redis instead of exiting.
CELERY_BEAT_SCHEDULER = env.str("CELERY_BEAT_SCHEDULER", default="config.beat.Scheduler")

# The broker's high availability (Sentinel or quorum queues): config/settings/base.py.
