"""RT 1.0 answers: a status line (`RT/5.0.3 200 Ok`), a blank line, then text.

RT's 1.0 clients read the real outcome from that status line, so the HTTP status is
200 even for errors; only a failed HTTP basic login answers 401 at the HTTP level.
"""

from __future__ import annotations

from django.http import HttpResponse

from tracker.api.rest1.forms import Form, compose_forms

# The RT version this interface imitates; `rt` only checks the line's shape.
RT_VERSION = "5.0.3"

OK = "200 Ok"
BAD_REQUEST = "400 Bad Request"
UNAUTHORIZED = "401 Credentials required"
FORBIDDEN = "403 Permission denied"
NOT_FOUND = "404 Ticket not found"
SYNTAX_ERROR = "409 Syntax Error"

TEXT = "text/plain; charset=utf-8"


def rt_response(
    status: str = OK, body: str = "", *, http_status: int = 200
) -> HttpResponse:
    text = f"RT/{RT_VERSION} {status}\n\n{body}"
    if not text.endswith("\n"):
        text += "\n"
    return HttpResponse(text, content_type=TEXT, status=http_status)


def forms_response(forms: list[Form], status: str = OK) -> HttpResponse:
    return rt_response(status, compose_forms(forms) + "\n")


def comment_response(status: str, *lines: str) -> HttpResponse:
    """An answer made of `# ...` comment lines."""
    return rt_response(status, "".join(f"# {line}\n" for line in lines))


def raw_response(content: bytes, content_type: str) -> HttpResponse:
    """An attachment's bytes after the status line (binary parts keep their type)."""
    head = f"RT/{RT_VERSION} {OK}\n\n".encode()
    is_text = content_type.startswith("text/")
    return HttpResponse(
        head + content + b"\n",
        content_type=f"{content_type}; charset=utf-8" if is_text else content_type,
    )
