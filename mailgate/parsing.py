"""Pure parsing of inbound mail: bytes in, a ParsedEmail out. No ORM, no settings.

Real mail is often broken: missing boundaries, bogus charsets, raw 8-bit or NUL bytes in
headers, sendmail's "unlisted-recipients:;" group, Outlook .msg files piped by mistake.
Nothing here raises on such input; the worst outcome is a ParsedEmail whose `verdict`
says why it cannot be used, so the caller can quarantine the raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.errors
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from tracker.mail import is_auto_generated as shared_is_auto_generated
from tracker.mail import sanitize_header_value

# Hostile-input caps checked before (or right after) the expensive parse.
MAX_HEADER_BYTES = 1024 * 1024
MAX_BOUNDARIES = 2000
MAX_PARTS = 1000
MAX_DEPTH = 40
LONG_HEADER = 8192

OK = "ok"
UNPARSEABLE = "unparseable"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOM = b"\xef\xbb\xbf"
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|autoreply|out of (the )?office|vacation)\b",
    re.IGNORECASE,
)
_HEADER_ERRORS = (
    AttributeError,
    RecursionError,  # deeply nested comments in an address (RT CVE-2015-7686 class)
    IndexError,
    KeyError,
    LookupError,
    TypeError,
    ValueError,
    email.errors.MessageError,
)


_FETCHED: dict[tuple[str, str], str] = {}
_CACHED_HEADERS = 1024
_CACHED_VALUE_LENGTH = 512


class _SafePolicy(EmailPolicy):
    """policy.default, except that reading a header never raises and never yields NUL.

    The stock header parser raises on some real headers (an address group with no
    members, for one); those fall back to the sanitized raw text.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        # Parsed headers are immutable str subclasses, and the same header is read
        # many times per message (and the same To or Content-Type across a batch):
        # the stock parser is the gateway's largest CPU cost, so results are kept.
        key = (name, value)
        cached = _FETCHED.get(key)
        if cached is not None:
            return cached
        parsed = self._fetch_parse(name, value)
        if len(value) <= _CACHED_VALUE_LENGTH:
            if len(_FETCHED) >= _CACHED_HEADERS:
                _FETCHED.clear()
            _FETCHED[key] = parsed
        return parsed

    def _fetch_parse(self, name: str, value: str) -> str:
        if len(value) > LONG_HEADER:
            # The stock parser is quadratic on long runs of encoded words (a 300 KB
            # Subject takes many seconds): long values get the linear decoder.
            return sanitize_header_value(decode_words_linear(value))
        try:
            parsed = super().header_fetch_parse(name, value)
            if "\x00" not in str(parsed):
                return parsed
        except _HEADER_ERRORS:
            pass
        return sanitize_header_value(_decode_words(str(value)))


SAFE_POLICY = _SafePolicy()


class HeaderMap(Mapping[str, str]):
    """Case-insensitive, read-only view of the first value of each header."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._data: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            self._data.setdefault(name.lower(), (name, value))

    def __getitem__(self, key: str) -> str:
        return self._data[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._data


@dataclass(frozen=True)
class ParsedEmail:
    """What the gateway needs from one message. `message` is the MIME tree to store."""

    verdict: str
    reason: str = ""
    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    text_body: str = ""
    is_auto_generated: bool = False
    headers: HeaderMap = field(default_factory=lambda: HeaderMap([]), compare=False)
    message: Message | None = field(default=None, compare=False, repr=False)

    @property
    def is_usable(self) -> bool:
        return self.verdict == OK


def parse_message(raw: bytes, *, envelope_sender: str = "") -> ParsedEmail:
    """Parse raw RFC 5322 bytes. Never raises; see ParsedEmail.verdict."""
    problem = _precheck(raw)
    if problem:
        return ParsedEmail(verdict=UNPARSEABLE, reason=problem)
    # PostgreSQL text columns cannot hold NUL; the raw bytes are kept elsewhere intact.
    # Leading blank lines, indentation or a byte-order mark would make the first header
    # a continuation line; real files arrive like that.
    cleaned = raw.replace(b"\x00", b"").removeprefix(_BOM).lstrip(b" \t\r\n")
    try:
        message = email.message_from_bytes(cleaned, policy=SAFE_POLICY)
    except (RecursionError, *_HEADER_ERRORS) as exc:
        return ParsedEmail(verdict=UNPARSEABLE, reason=f"MIME parse error: {exc!r}")
    if not message.keys():
        return ParsedEmail(verdict=UNPARSEABLE, reason="no header fields")
    parts, depth = _count_parts(message)
    if parts > MAX_PARTS:
        return ParsedEmail(verdict=UNPARSEABLE, reason=f"too many MIME parts ({parts})")
    if depth > MAX_DEPTH:
        return ParsedEmail(
            verdict=UNPARSEABLE, reason=f"MIME nested too deep ({depth})"
        )

    headers = HeaderMap([(k, _header(message, k)) for k in message])
    sender_name, sender = _sender(message, envelope_sender)
    parsed = ParsedEmail(
        verdict=OK,
        message_id=_first_message_id(headers.get("Message-ID", "")),
        in_reply_to=tuple(_MESSAGE_ID.findall(headers.get("In-Reply-To", ""))),
        references=tuple(_MESSAGE_ID.findall(headers.get("References", ""))),
        subject=headers.get("Subject", ""),
        sender=sender,
        sender_name=sender_name,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        text_body=pick_text_body(message),
        headers=headers,
        message=message,
    )
    if not sender:
        return _replace(parsed, verdict=UNPARSEABLE, reason="no usable sender address")
    return _replace(parsed, is_auto_generated=is_auto_generated(parsed))


def _replace(parsed: ParsedEmail, **changes: object) -> ParsedEmail:
    values = {f: getattr(parsed, f) for f in parsed.__dataclass_fields__}
    values.update(changes)
    return ParsedEmail(**values)


def _precheck(raw: bytes) -> str:
    if not raw.strip():
        return "empty message"
    if raw.startswith(_OLE2_MAGIC):
        return "an Outlook .msg (OLE2) file, not an RFC 5322 message"
    end = _header_end(raw)
    if end > MAX_HEADER_BYTES:
        return f"header block too large ({end} bytes)"
    if raw.count(b"boundary=") + raw.count(b"BOUNDARY=") > MAX_BOUNDARIES:
        return "too many MIME boundaries"
    parts, depth = mime_shape(raw)
    if parts > MAX_PARTS:
        return f"too many MIME parts ({parts})"
    if depth > MAX_DEPTH:
        return f"MIME nested too deep ({depth})"
    return ""


_BOUNDARY_PARAM = re.compile(
    rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.I
)


def mime_shape(raw: bytes) -> tuple[int, int]:
    """(parts, nesting depth) of a message, estimated in one pass over its lines.

    The stdlib parser tests every line against every open boundary, so a thousand
    nested multiparts or thousands of parts cost seconds to minutes; this scan is
    linear and lets such messages be refused before the real parse. Only boundaries
    declared in the message count, and a level opens at its first delimiter line.
    """
    if b"boundary" not in raw.lower():
        return 1, 1
    declared: set[bytes] = set()
    open_levels: list[bytes] = []
    parts, deepest = 1, 1
    for line in raw.splitlines():
        if line.startswith(b"--"):
            token = line[2:].rstrip()
            if token.endswith(b"--") and token[:-2] in declared:
                closing = token[:-2]
                if closing in open_levels:
                    del open_levels[open_levels.index(closing) :]
                continue
            if token in declared:
                parts += 1
                if token not in open_levels:
                    open_levels.append(token)
                    deepest = max(deepest, len(open_levels) + 1)
                continue
        if b"oundary" in line or b"OUNDARY" in line:
            for quoted, bare in _BOUNDARY_PARAM.findall(line):
                declared.add(quoted or bare)
    return parts, deepest


def raw_message_id(raw: bytes) -> str:
    """The Message-ID read from the header block without a MIME parse, so that it is
    known (for deduplication) before anything that could trip on odd input."""
    head = raw[: _header_end(raw)].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = head.split(b"\n")
    for index, line in enumerate(lines):
        if line[:11].lower() != b"message-id:":
            continue
        value = line[11:]
        for more in lines[index + 1 :]:
            if not more[:1].isspace():
                break
            value += more
        return _first_message_id(value.decode("ascii", "replace").replace("\x00", ""))
    return ""


# Header fields that mail servers add or change on the way (a redelivery through another
# hop differs only in these).
_TRACE_FIELDS = (
    b"received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"x-envelope-from",
    b"x-envelope-to",
    b"x-spam-",
    b"x-virus-",
    b"authentication-results",
    b"arc-",
    b"dkim-signature",
)


def content_digest(raw: bytes) -> str:
    """sha256 of the message without trace header fields, line endings normalized.

    Two deliveries of the same message agree on it; two different messages that
    happen to share a Message-ID (senders do reuse them) do not.
    """
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = text.find(b"\n\n")
    head, body = (text, b"") if end < 0 else (text[:end], text[end:])
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower().startswith(_TRACE_FIELDS)
        if not skipping:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + body).hexdigest()


def _header_end(raw: bytes) -> int:
    positions = [p for p in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if p >= 0]
    return min(positions) if positions else len(raw)


def _count_parts(message: Message) -> tuple[int, int]:
    """(number of parts, deepest nesting), iteratively: deep trees must not recurse."""
    count, deepest = 0, 0
    stack = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if count > MAX_PARTS or deepest > MAX_DEPTH:
            break
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload)
    return count, deepest


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except _HEADER_ERRORS:
        return ""
    return sanitize_header_value(str(value or ""))


_ANGLE_ADDRESS = re.compile(r"<([^<>@\s]+@[^<>@\s]+)>")
_BARE_ADDRESS = re.compile(r"[\w.+=-]+@[\w-]+(?:\.[\w-]+)+")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def decode_words_linear(value: str) -> str:
    """RFC 2047 decoding in one pass. Adjacent encoded words in the same charset are
    joined before decoding (a character may be split across two words); whitespace
    between encoded words is dropped, as the RFC says."""
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    position = 0

    def flush() -> None:
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset)[0])
            pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between.strip() or not pending:
            flush()
            out.append(between)
        charset = match.group(1).split("*")[0].lower()
        data = _decode_word(match.group(2), match.group(3))
        if data is None:
            flush()
            out.append(match.group(0))
        else:
            if charset != pending_charset:
                flush()
            pending_charset = charset
            pending.append(data)
        position = match.end()
    flush()
    out.append(value[position:])
    return "".join(out)


def _decode_word(encoding: str, text: str) -> bytes | None:
    try:
        if encoding in "bB":
            return base64.b64decode(text + "=" * (-len(text) % 4))
        return binascii.a2b_qp(text.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return None


def _decode_words(value: str) -> str:
    """RFC 2047 decoding that survives bogus charsets."""
    if len(value) > LONG_HEADER:
        return decode_words_linear(value)
    try:
        chunks = decode_header(value)
    except _HEADER_ERRORS:
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset)[0])
        else:
            out.append(chunk)
    return "".join(out)


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Text from bytes: the declared charset, then UTF-8, then cp1252 with replacement.

    Returns (text, fell_back). NUL characters are dropped.
    """
    declared = (charset or "").strip().strip('"').lower()
    candidates = [c for c in (declared, "utf-8") if c and c != "unknown-8bit"]
    for index, candidate in enumerate(candidates):
        try:
            text = data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
        return text.replace("\x00", ""), index > 0 or not declared
    return data.decode("cp1252", errors="replace").replace("\x00", ""), True


def _sender(message: Message, envelope_sender: str) -> tuple[str, str]:
    """(display name, address) of the author: From, then Sender, then the envelope.

    Reply-To is deliberately not trusted as an identity: anyone can set it.
    """
    for name in ("From", "Sender"):
        for real_name, address in _address_pairs(message, name):
            if "@" in address:
                return real_name, address
    _, address = parseaddr(envelope_sender or "")
    return ("", address) if "@" in address else ("", "")


def _address_pairs(message: Message, name: str) -> list[tuple[str, str]]:
    try:
        values = message.get_all(name) or []
        text = [str(v) for v in values]
    except _HEADER_ERRORS:
        return []
    fixed = _unambiguous_pairs(message, name)
    if fixed is not None:
        return fixed
    try:
        found = getaddresses(text)
    except RecursionError:
        # email.utils recurses per address; a header with thousands of them is read
        # with a plain pattern instead.
        found = [("", a) for a in _BARE_ADDRESS.findall(" ".join(text))]
    pairs = []
    for real_name, address in found:
        address = sanitize_header_value(address).strip("<>").strip()
        if address and " " not in address:
            pairs.append((sanitize_header_value(real_name), address))
    return pairs


def _unambiguous_pairs(message: Message, name: str) -> list[tuple[str, str]] | None:
    """None when the raw header reads as the mailboxes it names; else what to use.

    `alice@example.org <mallory@x>` is one mailbox to a mail client (mallory's), but
    Python 3.11's header parsers yield alice, or both (the CVE-2023-27043 class). A
    value whose mailbox count differs from its comma-separated parts is ambiguous: its
    one angle-bracket address is taken, as a mail client would, and with several
    nothing is read.
    """
    try:
        raw = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
        ambiguous = []
        for value in raw:
            value = " ".join(value.split())
            named = [pair for pair in getaddresses([value]) if any(pair)]
            if len(named) != _top_level_segments(value):
                ambiguous.append(value)
    except (*_HEADER_ERRORS, RecursionError):
        return None
    if not ambiguous:
        return None
    angled = _ANGLE_ADDRESS.findall(ambiguous[0])
    if len(raw) == 1 and len(angled) == 1:
        return [("", sanitize_header_value(angled[0]))]
    return []


def _top_level_segments(value: str) -> int:
    """Non-empty comma-separated parts, commas inside quotes, comments and angle
    brackets excepted: how many mailboxes the value names."""
    segments = depth = 0
    quoted = escaped = in_angle = filled = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = filled = True
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth:
            continue
        elif char == "<":
            in_angle = filled = True
        elif char == ">":
            in_angle = False
        elif char == "," and not in_angle:
            segments += filled
            filled = False
        elif not char.isspace():
            filled = True
    return segments + filled


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    return tuple(addr for _, addr in _address_pairs(message, name) if "@" in addr)


def _first_message_id(value: str) -> str:
    value = " ".join(value.split())
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group(0)[:255]
    # Some senders omit the angle brackets; keep the bare token as the identity.
    return value.strip().split(" ")[0][:255] if value.strip() else ""


def _walk(message: Message) -> Iterator[Message]:
    stack = [message]
    while stack:
        part = stack.pop(0)
        yield part
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack[0:0] = payload


def _is_attachment(part: Message) -> bool:
    try:
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
    except _HEADER_ERRORS:
        return True
    return disposition == "attachment" or bool(filename)


def part_text(part: Message) -> str:
    """A leaf part's content as text, whatever its declared charset or encoding."""
    try:
        payload = part.get_payload(decode=True)
    except _HEADER_ERRORS:
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw.replace("\x00", "") if isinstance(raw, str) else ""
    try:
        charset = part.get_content_charset()
    except _HEADER_ERRORS:
        charset = None
    return decode_bytes(payload, charset)[0]


def pick_text_body(message: Message) -> str:
    """The text shown and searched: the first inline text/plain part, else the first
    HTML part converted to text, else a top-level non-multipart body of any text type."""
    html = None
    for part in _walk(message):
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        if part is not message and _is_attachment(part):
            continue
        if content_type == "text/plain":
            return part_text(part)
        if content_type == "text/html" and html is None:
            html = part
    if html is not None:
        return html_to_text(part_text(html))
    if not message.is_multipart() and message.get_content_maintype() in (
        "text",
        "multipart",
    ):
        # A multipart whose boundary is missing is really one text blob.
        return part_text(message)
    return ""


def drop_nul_from_text_parts(message: Message) -> int:
    """Re-encode text parts whose decoded content holds NUL characters (a quoted-printable
    `=00`, say) as UTF-8 without them: databases refuse NUL in text. Mutates `message`;
    returns the number of parts changed."""
    changed = 0
    for part in _walk(message):
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        try:
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
        except _HEADER_ERRORS:
            continue
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("utf-8", errors="replace")
        if "\x00" not in text:
            continue
        clean = text.replace("\x00", "").encode("utf-8")
        del part["Content-Transfer-Encoding"]
        part.set_payload(base64.encodebytes(clean).decode("ascii"))
        part["Content-Transfer-Encoding"] = "base64"
        part.set_param("charset", "utf-8")
        changed += 1
    return changed


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "table",
            "ul",
            "ol",
            "hr",
        ]
    )
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def is_auto_generated(parsed: ParsedEmail) -> bool:
    """Bounces, auto-replies and bulk mail, by headers and the usual heuristics.

    Headers alone miss many real ones (iCloud vacation replies carry none of the
    standard headers; some DSNs show themselves only as multipart/report).
    """
    headers = parsed.headers
    if shared_is_auto_generated(headers):
        return True
    if headers.get("Return-Path", "").strip() == "<>":
        return True
    if parsed.sender.lower().startswith(_BOUNCE_SENDERS) or not parsed.sender:
        return True
    if headers.get("X-FC-Machinegenerated", "").strip().lower() == "true":
        return True
    if headers.get("X-Apple-Action", "").strip().upper() == "VACATION":
        return True
    if headers.get("List-Id") or headers.get("List-Unsubscribe"):
        return True
    if parsed.message is not None and parsed.message.get_content_type() in (
        "multipart/report",
        "message/delivery-status",
    ):
        return True
    return bool(_AUTO_REPLY_SUBJECT.match(parsed.subject))
