"""The embedded one-command default: SQLite, an on-disk broker, console e-mail, DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A development-only key; production settings refuse to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-not-for-production")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
