"""Prometheus metrics: request latency measured in each process, and domain numbers
read from the database at scrape time.

Domain numbers (tickets created and resolved, mail ingested and quarantined, outbox
depth and age) come from the database rather than from in-process counters, so every
web process reports the same totals however many there are, and restarts lose nothing.
They are cached for METRICS_CACHE_SECONDS so that frequent scrapes stay cheap.

Request latency is a histogram kept per process. Under gunicorn with several workers,
set PROMETHEUS_MULTIPROC_DIR to an empty directory writable by every worker; the
/metrics view then merges the files of all workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from lifecycles import registry as lifecycle_registry
from tracker.models import Ticket, Transaction, TransactionType

REQUEST_LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "Time to answer an HTTP request, by view and status class.",
    ["method", "view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

DOMAIN_CACHE_KEY = "metrics:domain"


def inactive_statuses() -> set[str]:
    """Statuses some lifecycle calls inactive: entering one counts as resolving."""
    names: set[str] = set()
    for name in lifecycle_registry.lifecycle_names():
        names |= set(lifecycle_registry.get_lifecycle(name).inactive)
    return names


def read_domain_numbers() -> dict[str, Any]:
    """The numbers behind the domain metrics, as plain data (cacheable)."""
    now = timezone.now()
    numbers: dict[str, Any] = {
        "tickets_created": Transaction.objects.filter(
            type=TransactionType.CREATE, ticket__isnull=False
        ).count(),
        "tickets_resolved": Transaction.objects.filter(
            type=TransactionType.STATUS,
            ticket__isnull=False,
            new_value__in=sorted(inactive_statuses()),
        ).count(),
        "tickets_by_status": dict(
            Ticket.objects.filter(merged_into__isnull=True)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        ),
        "inbound_by_status": {},
        "outbox_pending": 0,
        "outbox_oldest_age": 0.0,
        "outbox_failed": 0,
    }
    if apps.is_installed("mailgate"):
        inbound = apps.get_model("mailgate", "InboundEmail")
        numbers["inbound_by_status"] = dict(
            inbound.objects.values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    if apps.is_installed("scrips"):
        notification = apps.get_model("scrips", "Notification")
        pending = notification.objects.filter(status="pending").aggregate(
            n=Count("id"), oldest=Min("created")
        )
        numbers["outbox_pending"] = pending["n"]
        if pending["oldest"] is not None:
            numbers["outbox_oldest_age"] = (now - pending["oldest"]).total_seconds()
        numbers["outbox_failed"] = notification.objects.filter(status="failed").count()
    return numbers


def cached_domain_numbers() -> dict[str, Any]:
    numbers = cache.get(DOMAIN_CACHE_KEY)
    if numbers is None:
        numbers = read_domain_numbers()
        cache.set(DOMAIN_CACHE_KEY, numbers, timeout=settings.METRICS_CACHE_SECONDS)
    return numbers


class DomainCollector(Collector):
    """Turns the domain numbers into metric families at each scrape."""

    def collect(self) -> Iterator[Metric]:
        numbers = cached_domain_numbers()
        yield CounterMetricFamily(
            "tracker_tickets_created",
            "Tickets created (Create transactions).",
            value=numbers["tickets_created"],
        )
        yield CounterMetricFamily(
            "tracker_tickets_resolved",
            "Status changes into an inactive status (resolved, rejected, ...).",
            value=numbers["tickets_resolved"],
        )
        by_status = GaugeMetricFamily(
            "tracker_tickets", "Tickets now in each status.", labels=["status"]
        )
        for status, count in sorted(numbers["tickets_by_status"].items()):
            by_status.add_metric([status], count)
        yield by_status
        inbound = numbers["inbound_by_status"]
        mails = CounterMetricFamily(
            "tracker_mails_ingested",
            "Inbound mail stored by the gateway, by outcome.",
            labels=["status"],
        )
        for status, count in sorted(inbound.items()):
            mails.add_metric([status], count)
        yield mails
        yield GaugeMetricFamily(
            "tracker_mail_quarantine_size",
            "Inbound mail waiting for an administrator (quarantined or failed).",
            value=inbound.get("quarantined", 0) + inbound.get("failed", 0),
        )
        yield GaugeMetricFamily(
            "tracker_outbox_pending",
            "Notifications written but not yet sent.",
            value=numbers["outbox_pending"],
        )
        yield GaugeMetricFamily(
            "tracker_outbox_oldest_pending_age_seconds",
            "Age of the oldest unsent notification (0 when none).",
            value=numbers["outbox_oldest_age"],
        )
        yield GaugeMetricFamily(
            "tracker_outbox_failed",
            "Notifications given up on after their retries.",
            value=numbers["outbox_failed"],
        )


def render_metrics() -> bytes:
    """The text exposition: this process's (or all workers') request metrics plus the
    domain numbers."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry = _ProcessRegistry(REGISTRY)
    registry.register(DomainCollector())
    return generate_latest(registry)


class _ProcessRegistry(CollectorRegistry):
    """The process-wide default registry plus collectors added for one scrape only,
    so DomainCollector is never registered globally twice."""

    def __init__(self, base: CollectorRegistry) -> None:
        super().__init__(auto_describe=False)
        self._base = base
        self._extra: list[Collector] = []

    def register(self, collector: Collector) -> None:
        self._extra.append(collector)

    def collect(self) -> Iterator[Metric]:
        yield from self._base.collect()
        for collector in self._extra:
            yield from collector.collect()
