"""Reading RT-shaped request values: dates, numbers, principal lists, attachments.

Every malformed value becomes a ValidationFailed (400) naming the field, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from queues.models import Queue
from tracker.errors import NotFound, ValidationFailed
from tracker.models import User
from tracker.services import Upload
from tracker.services.principals import resolve_user


def text(name: str, value: Any, *, allow_empty: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValidationFailed(f"{name} must be a string.")
    result = str(value)
    if not allow_empty and not result.strip():
        raise ValidationFailed(f"{name} cannot be empty.")
    return result


# Database integer columns: 32 bits for numbers, 64 bits for ids.
INT_LIMIT = 2**31 - 1
ID_LIMIT = 2**63 - 1


def integer(name: str, value: Any, *, limit: int = INT_LIMIT) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{name} must be a whole number.")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValidationFailed(f"{name} must be a whole number.")
    if abs(value) > limit:
        raise ValidationFailed(f"{name} is out of range.")
    return value


def identifier(name: str, value: Any) -> int:
    number = integer(name, value, limit=ID_LIMIT)
    if number <= 0:
        raise ValidationFailed(f"{name} must be a positive number.")
    return number


def date(name: str, value: Any, user: User) -> datetime | None:
    """ISO 8601 or 'YYYY-MM-DD HH:MM:SS'; naive values are in the user's time zone.

    Empty and RT's epoch placeholder clear the date.
    """
    if value in (None, "") or value in ("1970-01-01T00:00:00Z", "1970-01-01 00:00:00"):
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a date string.")
    try:
        moment = parse_datetime(value.strip())
        if moment is None:
            day = parse_date(value.strip())
            moment = datetime.combine(day, time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationFailed(f"{name}: '{value}' is not a date.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, _user_zone(user))
    return moment


def _user_zone(user: User) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if user.time_zone:
        try:
            return ZoneInfo(user.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def string_list(name: str, value: Any) -> list[str]:
    """A single string (comma-separated allowed) or a list of strings."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValidationFailed(f"{name} must be a string or a list of strings.")


def queue(value: Any) -> Queue:
    """A queue by id or by (case-insensitive) name."""
    if isinstance(value, dict):  # a reference copied from a GET
        value = value.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationFailed("Queue must be a queue name or id.")
    found = None
    if isinstance(value, int) or str(value).strip().isdigit():
        pk = integer("Queue", value, limit=ID_LIMIT)
        found = Queue.objects.select_related("lifecycle").filter(pk=pk).first()
    if found is None and isinstance(value, str):
        found = (
            Queue.objects.select_related("lifecycle")
            .filter(name__iexact=value.strip())
            .first()
        )
    if found is None:
        raise ValidationFailed(f"Invalid queue: '{value}'.")
    return found


def user(name: str, value: Any) -> User:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        found = User.objects.filter(pk=identifier(name, value)).first()
        if found is None:
            raise ValidationFailed(f"{name}: no user #{value}.")
        return found
    try:
        return resolve_user(text(name, value, allow_empty=False).strip())
    except NotFound as exc:
        raise ValidationFailed(f"{name}: {exc.message}") from None


MAX_NAME = 255


def _clean_filename(name: str) -> str:
    """The last path element only: a client's directories mean nothing here."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[-MAX_NAME:] if base not in ("", ".", "..") else "attachment"


def _clean_content_type(value: str) -> str:
    kind = value.strip().lower() or "application/octet-stream"
    if len(kind) > MAX_NAME or "/" not in kind or any(c.isspace() for c in kind):
        raise ValidationFailed(f"'{value[:80]}' is not a MIME type.")
    return kind


def _check_size(filename: str, size: int) -> None:
    limit = settings.TRACKER_MAX_ATTACHMENT_SIZE
    if size > limit:
        raise ValidationFailed(
            f"Attachment '{filename}' is {size} bytes; the limit is {limit} bytes."
        )


def json_attachments(value: Any) -> list[Upload]:
    """`[{"FileName", "FileType", "FileContent" (base64)}]` as in RT."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationFailed("Attachments must be a list.")
    uploads = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationFailed("Each attachment must be an object.")
        filename = _clean_filename(
            text("FileName", item.get("FileName"), allow_empty=False)
        )
        content_type = _clean_content_type(text("FileType", item.get("FileType")))
        encoded = text("FileContent", item.get("FileContent"))
        # base64 grows by 4/3: refuse before decoding something far too large.
        _check_size(filename, len(encoded) * 3 // 4)
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                f"Attachment '{filename}': FileContent is not valid base64."
            ) from None
        _check_size(filename, len(content))
        uploads.append(Upload(filename, content_type, content))
    return uploads


def file_uploads(files: list[UploadedFile]) -> list[Upload]:
    """Files of a multipart request, checked for size before being read."""
    uploads = []
    for upload in files:
        name = upload.name or "attachment"
        _check_size(name, upload.size or 0)
        uploads.append(
            Upload(
                name, upload.content_type or "application/octet-stream", upload.read()
            )
        )
    return uploads
