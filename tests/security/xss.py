"""The XSS payload set, the channels that carry it in, and a checker for HTML answers.

Every payload carries a token (xss0, xss1, ...) so that a hit can be traced to the
payload and channel that caused it. A payload "lands" in a page when, after HTML
parsing, its token sits somewhere a browser would run it: inside a script element,
in an on* attribute, in a javascript:/data:/vbscript: URL, or on an element that
should never come from user input (iframe, object, embed, base, meta, form, svg,
math, style, link). Escaped text is harmless and is not counted.
"""

from __future__ import annotations

import base64
import json
from email.headerregistry import Address
from email.message import EmailMessage
from html.parser import HTMLParser

from django.test import Client

from mailgate.services import ingest
from queues.models import Queue
from tracker.models import Ticket

PAYLOADS = [
    '<script>alert("{t}")</script>',
    '"><script>alert("{t}")</script>',
    "'><img src=x onerror=alert('{t}')>",
    '<img src=x onerror=alert("{t}")>',
    '<svg onload=alert("{t}")>',
    '<svg><script>alert("{t}")</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("{t}")>',
    '<xmp><img src=x onerror=alert("{t}")></xmp>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{t}')>\">",
    "<a href=\"javascript:alert('{t}')\">click {t}</a>",
    "<a href=\"data:text/html,<script>alert('{t}')</script>\">data {t}</a>",
    "<iframe src=\"javascript:alert('{t}')\"></iframe>",
    '<details open ontoggle=alert("{t}")>',
    '<input autofocus onfocus=alert("{t}")>',
    "<style>@import 'javascript:alert(\"{t}\")';</style>",
    '&lt;script&gt;alert("{t}")&lt;/script&gt;',
    '%3Cscript%3Ealert("{t}")%3C%2Fscript%3E',
    '<scr<script>ipt>alert("{t}")</scr</script>ipt>',
    "javascript:alert('{t}')",
    "<a href=\"jav&#x09;ascript:alert('{t}')\">tab {t}</a>",
    '<base href="https://evil.example/{t}/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{t}\')">',
    '"onmouseover="alert(\'{t}\')"',
    "<svg><a xlink:href=\"javascript:alert('{t}')\"><text>{t}</text></a></svg>",
]

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "base",
    "meta",
    "form",
    "svg",
    "math",
    "style",
    "link",
    "frame",
    "frameset",
    "applet",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


def payloads(prefix: str = "xss") -> list[tuple[str, str]]:
    """(token, payload) pairs."""
    return [
        (f"{prefix}{n}", p.format(t=f"{prefix}{n}")) for n, p in enumerate(PAYLOADS)
    ]


class _Landing(HTMLParser):
    def __init__(self, tokens: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens = tokens
        self.stack: list[str] = []
        self.hits: set[tuple[str, str]] = set()

    def _tokens_in(self, text: str) -> list[str]:
        low = text.lower()
        return [t for t in self.tokens if t in low]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        for name, value in attrs:
            value = value or ""
            found = self._tokens_in(value) + self._tokens_in(name)
            if not found:
                continue
            compact = "".join(value.split()).lower()
            if name.startswith("on"):
                self.hits.update((t, f"{tag}[{name}]") for t in found)
            elif name in URL_ATTRIBUTES and compact.startswith(BAD_SCHEMES):
                self.hits.update((t, f"{tag}[{name}] url") for t in found)
            elif tag in DANGEROUS_TAGS:
                self.hits.update((t, f"<{tag}>") for t in found)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("script", "style"):
            self.hits.update(
                (t, f"<{self.stack[-1]}> text") for t in self._tokens_in(data)
            )


def landings(html: str, tokens: list[str]) -> set[tuple[str, str]]:
    """(token, where) for every token placed where a browser would run it."""
    parser = _Landing(tokens)
    parser.feed(html)
    parser.close()
    return parser.hits


# --- channels ------------------------------------------------------------------------


def _mail_with(token: str, payload: str) -> bytes:
    message = EmailMessage()
    message["From"] = Address(
        display_name=payload, username=token, domain="customer.example"
    )
    message["To"] = "support@tracker.example"
    message["Subject"] = f"{token} {payload}"
    message["Message-ID"] = f"<{token}@customer.example>"
    message.set_content(f"Text part {token}: {payload}\n")
    message.add_alternative(
        f"<html><body><p>HTML part {token}</p>{payload}</body></html>", subtype="html"
    )
    message.add_attachment(
        f"file {token} {payload}".encode(),
        maintype="text",
        subtype="html",
        filename=f"{token}{payload}.html",
    )
    attachment = message.get_payload()[-1]
    attachment.set_param("name", f"{token}{payload}")
    attachment["Content-Location"] = f"javascript:alert('{token}')"
    message.add_attachment(
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        maintype="image",
        subtype="svg+xml",
        filename=f"{token}.svg",
    )
    return message.as_bytes()


def by_email(token: str, payload: str) -> Ticket:
    result = ingest(raw=_mail_with(token, payload), queue="General")
    assert result.ticket_id, result
    return Ticket.objects.get(pk=result.ticket_id)


def by_web_form(client: Client, queue: Queue, token: str, payload: str) -> Ticket:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        f"{token}{payload}.html", f"<b>{payload}</b>".encode(), "text/html"
    )
    response = client.post(
        f"/ticket/new/?queue={queue.pk}",
        {
            "queue": queue.pk,
            "subject": f"{token} {payload}"[:200],
            "body": f"Web body {token}: {payload}",
            "status": "new",
            "attachments": [upload],
        },
    )
    assert response.status_code == 302, response.content[:500]
    return Ticket.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def by_api(client: Client, queue: Queue, token: str, payload: str) -> Ticket:
    body = {
        "Queue": queue.name,
        "Subject": f"{token} {payload}",
        "Content": f"<p>API body {token}</p>{payload}",
        "ContentType": "text/html",
        "Attachments": [
            {
                "FileName": f"{token}{payload}.svg",
                "FileType": "image/svg+xml",
                "FileContent": base64.b64encode(payload.encode()).decode(),
            }
        ],
    }
    response = client.post(
        "/REST/2.0/ticket", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content[:500]
    return Ticket.objects.get(pk=int(response.json()["id"]))
