from __future__ import annotations

from django.apps import AppConfig


class ScripsConfig(AppConfig):
    name = "scrips"
    verbose_name = "Scrips"

    def ready(self) -> None:
        from scrips.receivers import enqueue_scrips
        from tracker.signals import transaction_committed

        transaction_committed.connect(
            enqueue_scrips, dispatch_uid="scrips.enqueue_scrips"
        )
