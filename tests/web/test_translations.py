"""The German translation: complete, compiled, and used for users who prefer it."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tracker.models import User

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES"


def _po_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of the .po file, multi-line strings joined."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        msgid = "".join(
            re.findall(r'^(?:msgid |)"(.*)"$', block.split("msgstr")[0], re.M)
        )
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if msgid:
            entries.append(
                (msgid, "".join("".join(re.findall(r'"(.*)"', s)) for s in strs))
            )
    return entries


def test_every_german_message_is_translated():
    entries = _po_entries()

    assert len(entries) > 300
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))

    for msgid, msgstr in _po_entries():
        if "\\" not in msgid:
            assert catalogue.gettext(msgid) != msgid or msgid == msgstr, msgid


@pytest.mark.django_db
def test_home_page_is_german_for_a_user_who_prefers_it(client, staff):
    User.objects.filter(pk=staff.pk).update(language="de")
    client.force_login(staff)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "Meine offenen Tickets" in html
    assert "Abmelden" in html


@pytest.mark.django_db
def test_search_page_and_its_builder_are_german(client, staff):
    User.objects.filter(pk=staff.pk).update(language="de")
    client.force_login(staff)

    html = client.get(reverse("ticket-search")).content.decode()

    assert "Tickets suchen" in html
    assert "Abfrage-Baukasten" in html


@pytest.mark.django_db
def test_service_errors_are_german_too(client, staff):
    from tracker.services.dashboards import create_dashboard

    User.objects.filter(pk=staff.pk).update(language="de")
    dashboard = create_dashboard(actor=staff, name="Board")
    client.force_login(staff)

    response = client.post(
        reverse("dashboard-item-add", args=[dashboard.pk]),
        {"chart": "custom_field", "days": 30, "rows": 5, "queue": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Wählen Sie das benutzerdefinierte Feld für die Aufschlüsselung." in html


@pytest.mark.django_db
def test_english_stays_the_default(client, staff):
    client.force_login(staff)

    assert "My open tickets" in client.get(reverse("home")).content.decode()
