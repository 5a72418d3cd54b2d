"""Plain RFC 5322 messages for the mail benchmarks."""

from __future__ import annotations

import base64
import uuid


def new_ticket_mail(
    n: int, *, to: str = "general@bench.example", tag: str = ""
) -> bytes:
    subject = f"{tag} " if tag else ""
    return (
        f"From: Bench Sender {n} <sender{n % 50}@customers.example>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}Printer on floor {n % 9} is jammed again ({n})\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@customers.example>\r\n"
        "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hello,\r\n\r\nthe printer shows error E-42 and the queue is stuck since this\r\n"
        "morning. Could someone have a look?\r\n\r\nThanks\r\n"
    ).encode()


def large_mail(megabytes: int = 20) -> bytes:
    """A message of about `megabytes` MB: a short text part and one base64 attachment."""
    payload = base64.encodebytes(bytes(range(256)) * (megabytes * 1024 * 3 // 4 * 4))
    boundary = "bench-" + uuid.uuid4().hex
    head = (
        "From: Big Sender <big@customers.example>\r\n"
        "To: general@bench.example\r\n"
        "Subject: Core dump attached\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@customers.example>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nThe dump is attached.\r\n"
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="core.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    return head + payload.replace(b"\n", b"\r\n") + f"\r\n--{boundary}--\r\n".encode()
