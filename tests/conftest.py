"""Suite-wide settings: fast hashing, mail in memory, tasks in-process."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.browser"]


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


# The data migrations a fresh database runs, re-applied when a flush has removed them.
INITIAL_DATA_MIGRATIONS = [
    ("lifecycles.migrations.0002_shipped_lifecycles", "create_shipped"),
    ("tracker.migrations.0002_initial_data", "forwards"),
    ("scrips.migrations.0002_stock_templates_and_scrips", "forwards"),
]


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _keep_initial_data(request, django_db_serialized_rollback):
    """Transactional tests (live servers, real workers) flush the database afterwards,
    which wipes the rows the data migrations made (lifecycles, General, Nobody, system
    groups, stock scrips). Serialized rollback puts them back when the session
    serialized the database; when it did not (or a live server thread raced the
    flush), they are re-created here so no test depends on the order of others."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    from queues.models import Queue

    if Queue.objects.filter(name="General").exists():
        return
    for module, function in INITIAL_DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)
