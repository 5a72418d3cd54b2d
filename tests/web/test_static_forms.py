"""Empty forms shown on every ticket page are rendered once per language."""

from __future__ import annotations

from django.utils import translation

from tracker.web.forms import AddWatcherForm, MergeForm, static_form


def test_static_form_renders_like_the_form():
    form = MergeForm()

    fields = static_form(MergeForm)

    assert fields["target"] == str(form["target"])
    assert fields["target"].id_for_label == form["target"].id_for_label
    assert fields["target"].label == str(form["target"].label)


def test_static_form_follows_the_active_language():
    with translation.override("en"):
        english = static_form(AddWatcherForm)["role"]
    with translation.override("de"):
        german = static_form(AddWatcherForm)["role"]
        expected = str(AddWatcherForm()["role"])

    assert german == expected
    assert english is not german
