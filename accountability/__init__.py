"""The project package: settings, urls, the Celery app and the shared registry app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
