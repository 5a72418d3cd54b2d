"""The request tracker: project package and ticket domain."""

from tracker.celery import app as celery_app

__all__ = ["celery_app"]
