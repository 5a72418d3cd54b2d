"""docker-compose.yml cannot run here (no Docker engine), so its content is checked:
it parses, each service runs a command this project has, and every variable it sets is
one the settings read."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "tracker" / "settings.py").read_text()
APP_SERVICES = ("web", "worker", "beat")


def _settings_variables() -> set[str]:
    calls = re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE)
    return set(calls)


def test_compose_has_the_production_services():
    assert set(COMPOSE["services"]) >= {"web", "worker", "beat", "postgres", "redis"}


def test_app_services_wait_for_healthy_database_and_broker():
    for name in APP_SERVICES:
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_backing_services_have_health_checks():
    for name in ("postgres", "redis"):
        assert COMPOSE["services"][name]["healthcheck"]["test"]


def test_every_app_command_exists_in_the_project():
    for name in APP_SERVICES:
        command = COMPOSE["services"][name]["command"]
        words = shlex.split(command)
        text = " ".join(words)
        if "celery" in words:
            assert "-A tracker" in text
            assert (ROOT / "tracker" / "celery.py").exists()
        if "gunicorn" in text:
            assert "tracker.wsgi" in text
            assert (ROOT / "tracker" / "wsgi.py").exists()
        for management_command in re.findall(r"manage\.py (\w+)", text):
            builtin = {"migrate", "collectstatic", "check"}
            assert (
                management_command in builtin
                or (
                    ROOT
                    / "tracker"
                    / "management"
                    / "commands"
                    / f"{management_command}.py"
                ).exists()
            )


def test_every_variable_compose_sets_is_read_by_the_settings():
    read = _settings_variables()
    for name in APP_SERVICES:
        for variable in COMPOSE["services"][name].get("environment", {}):
            assert variable in read, (
                f"{name} sets {variable}, which settings.py never reads"
            )


def test_env_example_lists_only_variables_the_settings_read():
    example = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert names, "no variables found in .env.example"
    gunicorn_conf = (ROOT / "tracker" / "ops" / "gunicorn_conf.py").read_text()
    unknown = (
        names
        - _settings_variables()
        - set(re.findall(r'"([A-Z][A-Z0-9_]+)"', gunicorn_conf))
        - {
            "POSTGRES_PASSWORD",
            "DJANGO_SUPERUSER_USERNAME",
            "DJANGO_SUPERUSER_EMAIL",
            "DJANGO_SUPERUSER_PASSWORD",
        }
    )
    assert not unknown, f".env.example names variables the settings ignore: {unknown}"


def test_web_service_health_check_probes_healthz():
    probe = " ".join(COMPOSE["services"]["web"]["healthcheck"]["test"])
    assert "/healthz" in probe


def test_web_processes_start_with_the_gunicorn_config():
    web = COMPOSE["services"]["web"]["command"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "-c python:tracker.ops.gunicorn_conf" in web
    assert '"-c", "python:tracker.ops.gunicorn_conf"' in dockerfile
