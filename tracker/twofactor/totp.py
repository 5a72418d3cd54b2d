"""HOTP (RFC 4226) and TOTP (RFC 6238) with the standard library.

Codes are 6 digits over HMAC-SHA1 with a 30-second step: what authenticator apps
assume when the otpauth:// URI names nothing else.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Steps either side of the current one a code may come from: clocks drift, and a code
# typed in its last second arrives in the next step.
WINDOW = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226 section 4's recommended shared-secret length


def new_secret() -> str:
    """A random secret as unpadded base32, the form authenticator apps read."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    (value,) = struct.unpack(">I", mac[offset : offset + 4])
    return str((value & 0x7FFFFFFF) % 10**digits).zfill(digits)


def step_at(unix_time: float, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def totp(
    key: bytes,
    unix_time: float,
    *,
    digits: int = DIGITS,
    digest: str = "sha1",
    step: int = STEP_SECONDS,
) -> str:
    """RFC 6238: HOTP over the number of whole steps since the Unix epoch."""
    return hotp(key, step_at(unix_time, step), digits, digest)


def matching_step(
    key: bytes, code: str, unix_time: float, window: int = WINDOW
) -> int | None:
    """The step (within ±window of now) whose code is `code`, or None.

    Every candidate is compared, in constant time, so the answer's timing does not
    say which step matched.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_at(unix_time)
    found = None
    for candidate in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(key, candidate), code) and found is None:
            found = candidate
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps import (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
