"""The HTTP side of `mailgate --url`: post a message to a gateway endpoint the way RT's
rt-mailgate does, and read its plain-text answer. No ORM: the mail host needs no
database access."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

ENDPOINT = "/REST/1.0/NoAuth/mail-gateway"


@dataclass(frozen=True)
class Answer:
    """The gateway's verdict: 'ok', 'not ok' (permanent) or 'temporary' (retry)."""

    verdict: str
    detail: str = ""


def encode_multipart(fields: dict[str, str | bytes]) -> tuple[bytes, str]:
    boundary = "----mailgate" + secrets.token_hex(16)
    chunks: list[bytes] = []
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        chunks += [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode(),
            data,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def read_answer(text: str) -> Answer:
    """RT's convention: the first non-empty line is 'ok', 'not ok - why' or
    'temporary failure - why'; anything else is treated as temporary."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    detail = first.partition(" - ")[2] or " ".join(lines[1:2])
    lowered = first.lower()
    if lowered == "ok" or lowered.startswith("ok "):
        return Answer("ok", detail)
    if lowered.startswith("not ok"):
        return Answer("not ok", detail)
    return Answer("temporary", detail or "unexpected answer from the gateway")


def post_message(
    *,
    url: str,
    message: bytes,
    queue: str,
    action: str,
    ticket: str = "",
    timeout: float = 180,
) -> Answer:
    """POST to `url` (a site root, or the endpoint itself). Network trouble, HTTP errors
    and odd answers all come back as 'temporary', so the mail server retries."""
    target = url.rstrip("/")
    if not target.endswith(ENDPOINT):
        target += ENDPOINT
    if not target.startswith(("http://", "https://")):
        return Answer("temporary", f"not an http(s) URL: {url}")
    fields: dict[str, str | bytes] = {
        "queue": queue,
        "action": action,
        "message": message,
        # Asks for `not ok - 5.x.x` on permanent refusals (see mailgate.views).
        "client": "tracker-mailgate",
    }
    if ticket:
        fields["ticket"] = ticket
    body, content_type = encode_multipart(fields)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        target, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            text = response.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return Answer("temporary", f"HTTP {exc.code} from {target}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Answer("temporary", f"cannot reach {target}: {exc}")
    return read_answer(text)
