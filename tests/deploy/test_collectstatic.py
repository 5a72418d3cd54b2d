"""The production static files step (the Dockerfile runs it on every build)."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    return settings.STATIC_ROOT


def test_collectstatic_with_the_production_manifest_storage_succeeds(
    manifest_storage,
):
    call_command("collectstatic", interactive=False, verbosity=0)

    assert (manifest_storage / "staticfiles.json").exists()
    assert list(manifest_storage.glob("vendor/chartjs/chart.umd.min.*.js"))
