"""Custom fields and the values a select field offers (read-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import rights
from tracker.api.base import ApiView, paginate, ref, requested_fields
from tracker.api.search import json_search
from tracker.errors import NotFound
from tracker.models import CustomField, CustomFieldChoice, User

SEARCH_FIELDS = {
    "id": "pk",
    "Name": "name",
    "Description": "description",
    "Type": "type",
}
FIELDS = (
    "Name",
    "Description",
    "Type",
    "LookupType",
    "MaxValues",
    "Pattern",
    "Disabled",
)


def _may_see_fields(user: User) -> bool:
    return user.is_privileged or rights.has_right(user, rights.ADMIN_CUSTOM_FIELDS)


def visible_fields(request: Request) -> QuerySet[CustomField]:
    if not _may_see_fields(request.user):
        return CustomField.objects.none()
    fields = CustomField.objects.order_by("sort_order", "name")
    if request.query_params.get("find_disabled_rows") not in ("1", "true"):
        fields = fields.filter(is_active=True)
    return fields


def get_field_for(request: Request, pk: int) -> CustomField:
    field = CustomField.objects.filter(pk=pk).first()
    if field is None or not _may_see_fields(request.user):
        raise NotFound(f"No custom field #{pk} that you may see.")
    return field


def field_value(field: CustomField, name: str) -> Any:
    return {
        "Name": field.name,
        "Description": field.description,
        "Type": field.type,
        "LookupType": field.lookup_type,
        "MaxValues": field.max_values,
        "Pattern": field.pattern,
        "Disabled": 0 if field.is_active else 1,
    }[name]


def field_item(
    request: Request, field: CustomField, names: list[str]
) -> dict[str, Any]:
    record = ref(request, "customfield", field.pk)
    for name in names:
        if name in FIELDS:
            record[name] = field_value(field, name)
    return record


def choice_record(request: Request, choice: CustomFieldChoice) -> dict[str, Any]:
    return {
        **ref(request, "customfield", choice.custom_field_id),
        "_url": ref(request, "customfield", choice.custom_field_id)["_url"]
        + f"/value/{choice.pk}",
        "type": "customfieldvalue",
        "id": choice.pk,
        "name": choice.name,
        "description": choice.description,
        "sort_order": choice.sort_order,
    }


class CustomFieldsView(ApiView):
    """GET /customfields; POST /customfields (JSON search)."""

    def get(self, request: Request) -> Response:
        names = requested_fields(request)
        return Response(
            paginate(
                request,
                visible_fields(request),
                lambda f: field_item(request, f, names),
            )
        )

    def post(self, request: Request) -> Response:
        fields = json_search(visible_fields(request), request.data, SEARCH_FIELDS)
        names = requested_fields(request)
        return Response(
            paginate(request, fields, lambda f: field_item(request, f, names))
        )


class CustomFieldView(ApiView):
    """GET /customfield/:id"""

    def get(self, request: Request, pk: int) -> Response:
        field = get_field_for(request, pk)
        record: dict[str, Any] = {"id": field.pk}
        for name in FIELDS:
            record[name] = field_value(field, name)
        record["Values"] = list(field.choices.values_list("name", flat=True))
        record["_hyperlinks"] = [
            {"ref": "self", **ref(request, "customfield", field.pk)},
            {
                "ref": "customfieldvalues",
                "_url": ref(request, "customfield", field.pk)["_url"] + "/values",
            },
        ]
        return Response(record)


class CustomFieldValuesView(ApiView):
    """GET /customfield/:id/values"""

    def get(self, request: Request, pk: int) -> Response:
        field = get_field_for(request, pk)
        choices = field.choices.order_by("sort_order", "name")
        return Response(paginate(request, choices, lambda c: choice_record(request, c)))


class CustomFieldValueView(ApiView):
    """GET /customfield/:id/value/:value_id"""

    def get(self, request: Request, pk: int, value_id: int) -> Response:
        field = get_field_for(request, pk)
        choice = field.choices.filter(pk=value_id).first()
        if choice is None:
            raise NotFound(f"No value #{value_id} of custom field '{field.name}'.")
        return Response(choice_record(request, choice))
