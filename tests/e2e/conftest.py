"""Browser journeys: Playwright drives Debian's chromium against pytest-django's live_server.

Skipped, with the reason, when no browser is installed. Screenshots go to
var/screenshots/ (or $E2E_SCREENSHOT_DIR) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser import DESKTOP, PHONE, skip_without_browser

SCREENSHOTS = Path(
    os.environ.get(
        "E2E_SCREENSHOT_DIR",
        Path(__file__).resolve().parents[2] / "var" / "screenshots",
    )
)

skip_without_browser()


def screenshot(page, name: str) -> Path:
    """Full-page shots at desktop and phone widths; returns the desktop one."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desktop = SCREENSHOTS / f"{name}-desktop.png"
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(desktop), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    return desktop


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
