"""Where the server is and how to authenticate: environment first, then a config file.

`TRACKER_URL` and `TRACKER_TOKEN`, or an INI file (`$TRACKER_CONFIG`, else
`$XDG_CONFIG_HOME/tracker/config`, else `~/.config/tracker/config`) such as:

    [tracker]
    url = https://tracker.example.org
    token = 1-abcdef...
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """The server or the token is missing, or the file cannot be read."""


@dataclass(frozen=True)
class Settings:
    url: str
    token: str


def config_path(env: dict[str, str]) -> Path:
    if env.get("TRACKER_CONFIG"):
        return Path(env["TRACKER_CONFIG"])
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "tracker" / "config"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    url, token = env.get("TRACKER_URL", ""), env.get("TRACKER_TOKEN", "")
    path = config_path(env)
    if (not url or not token) and path.exists():
        parser = configparser.ConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        section = parser["tracker"] if parser.has_section("tracker") else {}
        url = url or section.get("url", "")
        token = token or section.get("token", "")
    if not url:
        raise ConfigError(f"no server: set TRACKER_URL or 'url' in {path}")
    if not token:
        raise ConfigError(f"no token: set TRACKER_TOKEN or 'token' in {path}")
    return Settings(url=url.rstrip("/"), token=token.strip())
