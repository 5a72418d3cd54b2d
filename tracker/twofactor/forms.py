from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Authentication code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )
