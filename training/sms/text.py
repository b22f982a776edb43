"""Chinese SMS length rules. Pure: no I/O.

Carriers and both providers count characters, not bytes: every character (Chinese, Latin, digit, punctuation,
space) is one, the signature 【签名】 included. Up to 70 characters go as one message; a longer one is split
into parts of 67 (the other 3 carry the concatenation header) and billed per part. Characters outside the Basic
Multilingual Plane (emoji) take two UCS-2 units, so they count twice.
"""

from __future__ import annotations

SINGLE = 70
PART = 67
ELLIPSIS = "…"


def units(text: str) -> int:
    """UCS-2 code units: what the 70 / 67 limits count."""
    return len(text.encode("utf-16-le")) // 2


def signed_length(text: str, sign_name: str = "") -> int:
    """The length as the carrier counts it, with the signature the provider prepends (【sign】)."""
    return units(text) + (units(sign_name) + 2 if sign_name else 0)


def segments(text: str, sign_name: str = "") -> int:
    """How many messages (and charges) the text becomes."""
    length = signed_length(text, sign_name)
    if length <= SINGLE:
        return 1
    return -(-length // PART)


def fit(body: str, sign_name: str = "", *, tail: str = "", max_segments: int = 1) -> str:
    """`body` + `tail`, shortened (body cut, with …) so that it fits in `max_segments` messages. The tail (a link,
    a code) is never cut: a teacher can still open the page for the rest."""
    limit = SINGLE if max_segments <= 1 else PART * max_segments
    room = limit - signed_length(tail, sign_name)
    if room <= 0:
        raise ValueError("the tail alone does not fit")
    if units(body) <= room:
        return body + tail
    cut = body
    while cut and units(cut) + units(ELLIPSIS) > room:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS + tail
