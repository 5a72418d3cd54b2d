"""The tracker's settings for benchmark runs, with one change.

`collectstatic` with the manifest storage currently stops on a missing source map of the
vendored chart script (vendor/chartjs/chart.umd.min.js.map), so the bench serves static
files through WhiteNoise without a manifest. Pages render the same; only the hashed file
names differ.
"""

from tracker.settings import *  # noqa: F403
from tracker.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
