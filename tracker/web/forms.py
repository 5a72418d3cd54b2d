"""Forms of the web UI. They validate input shape only; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import get_script_prefix, reverse_lazy
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tracker.services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def uploads_from(files: list[UploadedFile]) -> list[Upload]:
    return [
        Upload(
            filename=f.name or "file",
            content_type=f.content_type or "application/octet-stream",
            content=f.read(),
        )
        for f in files
    ]


REPLY, COMMENT = "reply", "comment"


class UpdateForm(forms.Form):
    """Reply or comment, with files and time, and status / owner in the same update."""

    kind = forms.ChoiceField(
        label=_("Type"), widget=forms.RadioSelect, choices=(), initial=REPLY
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(label=_("Attach files"))
    time_taken = forms.IntegerField(
        label=_("Time worked (minutes)"), required=False, min_value=0, max_value=100000
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=150,
        help_text=_("Username; leave as is to keep the owner."),
        widget=forms.TextInput(attrs={"list": "owner-candidates"}),
    )
    last_updated = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        statuses: list[tuple[str, str]],
        can_set_owner: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        if kinds and self.fields["kind"].initial not in dict(kinds):
            self.fields["kind"].initial = kinds[0][0]
        self.fields["status"].choices = statuses
        if len(statuses) <= 1:
            del self.fields["status"]
        if not can_set_owner:
            del self.fields["owner"]


class BasicsForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    queue = forms.ChoiceField(label=_("Queue"), choices=())
    priority = forms.IntegerField(label=_("Priority"))
    final_priority = forms.IntegerField(label=_("Final priority"))
    time_estimated = forms.IntegerField(label=_("Time estimated (min)"), min_value=0)
    time_worked = forms.IntegerField(label=_("Time worked (min)"), min_value=0)
    time_left = forms.IntegerField(label=_("Time left (min)"), min_value=0)
    starts = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    due = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    last_updated = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, queues: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = queues


WATCHER_ROLE_CHOICES = [
    ("Requestor", _("Requestor")),
    ("Cc", _("Cc")),
    ("AdminCc", _("AdminCc")),
]


class AddWatcherForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=WATCHER_ROLE_CHOICES)
    who = forms.CharField(
        label=_("Email or username"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "list": "people-options",
                "placeholder": _("email or username"),
                "autocomplete": "off",
                "hx-get": reverse_lazy("autocomplete-people"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#people-options",
                "hx-swap": "innerHTML",
            }
        ),
    )


LINK_CHOICES = [
    ("DependsOn", _("Depends on")),
    ("DependedOnBy", _("Depended on by")),
    ("MemberOf", _("Child of")),
    ("HasMember", _("Parent of")),
    ("RefersTo", _("Refers to")),
    ("ReferredToBy", _("Referred to by")),
]


class AddLinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Link"), choices=LINK_CHOICES)
    other = forms.CharField(
        label=_("Ticket number or URL"),
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "list": "ticket-options",
                "placeholder": _("#123 or URL"),
                "autocomplete": "off",
                "hx-get": reverse_lazy("autocomplete-tickets"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#ticket-options",
                "hx-swap": "innerHTML",
            }
        ),
    )


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into ticket number"),
        min_value=1,
        widget=forms.NumberInput(attrs={"placeholder": "#"}),
    )


class CreateTicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    requestors = forms.CharField(
        label=_("Requestors"),
        required=False,
        max_length=2000,
        help_text=_("Email addresses, separated by commas."),
    )
    cc = forms.CharField(
        label=_("Cc"),
        required=False,
        max_length=2000,
        help_text=_("Email addresses, separated by commas."),
    )
    body = forms.CharField(
        label=_("Describe the issue"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label=_("Attach files"))
    status = forms.ChoiceField(label=_("Status"), choices=())
    due = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    time_estimated = forms.IntegerField(
        label=_("Time estimated (minutes)"), required=False, min_value=0
    )

    def __init__(
        self,
        *args: Any,
        statuses: list[tuple[str, str]],
        is_staff_form: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = statuses
        if not is_staff_form:
            for name in ("requestors", "cc", "status", "due", "time_estimated"):
                del self.fields[name]

    @staticmethod
    def addresses(value: str) -> list[str]:
        return [a.strip() for a in value.replace(";", ",").split(",") if a.strip()]

    def clean_requestors(self) -> list[str]:
        return self._clean_addresses("requestors")

    def clean_cc(self) -> list[str]:
        return self._clean_addresses("cc")

    def _clean_addresses(self, name: str) -> list[str]:
        found = self.addresses(self.cleaned_data.get(name) or "")
        validator = forms.EmailField()
        for address in found:
            if "@" in address:
                validator.clean(address)
        return found


class BulkUpdateForm(forms.Form):
    status = forms.CharField(label=_("New status"), required=False, max_length=64)
    owner = forms.CharField(
        label=_("New owner"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("username")}),
    )
    kind = forms.ChoiceField(
        label=_("Message type"),
        choices=[(REPLY, _("Reply")), (COMMENT, _("Comment"))],
        initial=COMMENT,
    )
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("status") or data.get("owner") or data.get("body")):
            raise forms.ValidationError(_("Choose at least one change."))
        return data


class SaveSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Save as"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Name this search")}),
    )
    group = forms.ChoiceField(label=_("Share with"), required=False, choices=())
    q = forms.CharField(widget=forms.HiddenInput, required=False)
    order_by = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    order = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4)
    columns = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(
        self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups


class RenderedField(SafeString):
    """A field's widget HTML that also answers `.label` and `.id_for_label`, as a
    bound field does in a template."""

    label: str
    id_for_label: str


_static_forms: dict[tuple, dict[str, RenderedField]] = {}


def static_form(form_class: type[forms.Form]) -> dict[str, RenderedField]:
    """The fields of an empty form whose HTML is the same for every user and ticket,
    rendered once per language and URL prefix: widget templates were a quarter of the
    ticket page's rendering time. Only for forms that are never shown bound."""
    key = (form_class, translation.get_language(), get_script_prefix())
    fields = _static_forms.get(key)
    if fields is None:
        fields = {}
        for bound in form_class():
            item = RenderedField(str(bound))
            item.label = str(bound.label)
            item.id_for_label = bound.id_for_label
            fields[bound.name] = item
        _static_forms[key] = fields
    return fields
