"""The X-PIM-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC's key is the subscription's secret, its message the timestamp, a dot
and the exact request body: `f"{t}.".encode() + body`. A receiver recomputes it,
compares in constant time, and refuses a timestamp too far from its clock
(a replayed request). The README shows the same check for receivers.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    return f"t={int(timestamp)},v1={_digest(body, secret, int(timestamp))}"


def verify(body: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    """Whether the header signs this body with this secret, within `tolerance`
    seconds of now. Several v1= values (during a secret's rotation) may be given."""
    try:
        pairs = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in pairs if key.strip() == "t"))
    except (ValueError, StopIteration, AttributeError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = _digest(body, secret, timestamp)
    return any(
        hmac.compare_digest(expected, value.strip()) for key, value in pairs if key.strip() == "v1"
    )
