"""Crafted messages for the gateway tests (fixtures copied from the corpus live in
tests/fixtures/mail/)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_mail(
    *,
    sender: str = "Alice Customer <alice@customer.example>",
    to: str = "support@tracker.example",
    subject: str = "Printer on fire",
    body: str = "It is on fire.\n",
    message_id: str | None = "<m1@customer.example>",
    extra: str = "",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    head = "\n".join(lines) + ("\n" + extra.strip("\n") if extra else "")
    return (head + "\n\n" + body).encode()


def nested_multipart(depth: int) -> bytes:
    head = "From: a@b.example\nSubject: nest\nMIME-Version: 1.0\n"
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'
        for i in range(depth)
    )
    closing = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    return (head + opening + "Content-Type: text/plain\n\ndeep" + closing).encode()


def many_parts(count: int) -> bytes:
    head = (
        "From: a@b.example\nSubject: parts\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="XX"\n\n'
    )
    parts = "".join(
        f"--XX\nContent-Type: text/plain\n\npart {i}\n" for i in range(count)
    )
    return (head + parts + "--XX--\n").encode()
