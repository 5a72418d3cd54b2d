"""The commands that README and docs/DEPLOYMENT.md tell an operator to run exist: every
`manage.py <command>`, every `-c python:<module>` and every `import_rt` option."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
DOCS = {
    "README.md": (ROOT / "README.md").read_text(),
    "docs/DEPLOYMENT.md": (ROOT / "docs" / "DEPLOYMENT.md").read_text(),
}


def _code(text: str) -> str:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
    inline = re.findall(r"`([^`\n]+)`", text)
    return "\n".join(blocks + inline)


def test_every_documented_management_command_exists():
    commands = get_commands()
    for name, text in DOCS.items():
        for command in set(re.findall(r"manage\.py (\w+)", _code(text))):
            assert command in commands, f"{name} runs manage.py {command}"


def test_every_documented_gunicorn_config_module_exists():
    # Found, not imported: a gunicorn config sets environment variables on import.
    for name, text in DOCS.items():
        for module in set(re.findall(r"-c python:([\w.]+)", _code(text))):
            assert importlib.util.find_spec(module), f"{name} names {module}"


def test_every_documented_import_rt_option_exists():
    parser = load_command_class("rtimport", "import_rt").create_parser(
        "manage.py", "import_rt"
    )
    known = {s for action in parser._actions for s in action.option_strings}
    for name, text in DOCS.items():
        for line in _code(text).splitlines():
            if "import_rt" not in line:
                continue
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line):
                assert option in known, f"{name}: import_rt {option}"
