"""Scrips: conditions, actions and templates run on Celery workers (its own issue)."""
