"""`manage.py doctor`: check that a deployment is configured to work, and say what to fix."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from queues.models import Queue
from tracker import rights
from tracker.models import SystemGroup
from tracker.ops.health import WORKERS_CACHE_KEY, Check, run_checks

OK, WARN, FAIL = "ok", "warn", "FAIL"


def _settings_findings() -> list[tuple[str, str]]:
    findings = []
    if settings.DEBUG:
        findings.append((WARN, "DEBUG is on: fine on a laptop, never in production."))
    elif not settings.WEB_BASE_URL.startswith("https://"):
        findings.append(
            (
                WARN,
                f"WEB_BASE_URL is {settings.WEB_BASE_URL}: links in mail should use https.",
            )
        )
    if not settings.DEBUG and not settings.CELERY_BROKER_URL:
        findings.append(
            (WARN, "No CELERY_BROKER_URL: notifications are sent inside web requests.")
        )
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        findings.append(
            (
                WARN,
                f"Mail is written to files in {settings.EMAIL_FILE_PATH}, not sent: set EMAIL_URL.",
            )
        )
    return findings or [(OK, "settings look like a deliberate deployment")]


def _queue_findings() -> list[tuple[str, str]]:
    findings = []
    queues = list(Queue.objects.active())
    addresses = Counter(
        address.lower()
        for queue in queues
        for address in (queue.correspond_address, queue.comment_address)
        if address
    )
    for address, count in addresses.items():
        if count > 1:
            findings.append(
                (
                    FAIL,
                    f"The address {address} belongs to {count} queues: mail to it cannot be routed.",
                )
            )
    for queue in queues:
        if not queue.correspond_address:
            findings.append(
                (
                    WARN,
                    f"Queue '{queue.name}' has no correspond address: replies by mail need one.",
                )
            )
            continue
        if not any(
            rights.system_group_has_right(group, rights.CREATE_TICKET, queue)
            for group in (SystemGroup.EVERYONE, SystemGroup.UNPRIVILEGED)
        ):
            findings.append(
                (
                    WARN,
                    f"Nobody outside your staff may create tickets in '{queue.name}' by mail: "
                    "grant CreateTicket (and ReplyToTicket) to Everyone or Unprivileged if it "
                    "takes mail from customers or monitoring.",
                )
            )
    return findings or [(OK, f"{len(queues)} active queues, addresses unique")]


def _from_check(check: Check) -> tuple[str, str]:
    if check.name == "workers" and not check.ok:
        # Not fatal for a load balancer, but a deployment without workers sends no mail.
        return (FAIL, f"workers: {check.detail}: start one (celery -A tracker worker)")
    level = OK if check.ok else (FAIL if check.critical else WARN)
    return (level, f"{check.name}: {check.detail}")


class Command(BaseCommand):
    help = "Check settings, services, queue addresses, mail-intake rights and workers."

    def handle(self, *args: Any, **options: Any) -> None:
        # A fresh worker count, not the one /healthz cached a moment ago.
        cache.delete(WORKERS_CACHE_KEY)
        findings = [_from_check(c) for c in run_checks()]
        if findings[0][0] == OK:
            findings += _settings_findings() + _queue_findings()
        for level, message in findings:
            style = {
                OK: self.style.SUCCESS,
                WARN: self.style.WARNING,
                FAIL: self.style.ERROR,
            }[level]
            self.stdout.write(f"{style(f'[{level:>4}]')} {message}")
        failures = sum(1 for level, _ in findings if level == FAIL)
        if failures:
            raise CommandError(f"{failures} problem(s) to fix.")
