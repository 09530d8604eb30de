"""Production: PostgreSQL, Redis or RabbitMQ, a configured CA; everything from the environment."""

from config.settings.base import *  # noqa: F403
from config.settings.base import database_settings, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DATABASES = {"default": database_settings(env.db("DATABASE_URL"))}
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
