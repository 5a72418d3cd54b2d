"""Suite-wide settings: fast hashing, mail in memory, tasks in-process."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _fresh_lifecycle_cache():
    from lifecycles import registry

    registry.clear_cache()
    yield
    registry.clear_cache()


@pytest.fixture(autouse=True)
def _keep_initial_data(django_db_serialized_rollback):
    """Transactional tests (live servers, real workers) flush the database afterwards,
    which would wipe the rows the data migrations made (lifecycles, General, Nobody,
    system groups, stock scrips). Serialized rollback puts them back for each such test."""
