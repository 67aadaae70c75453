"""Decoding a feed page a slice at a time, so the interpreter lock is never held for a whole page.

A page of 5,000 changes is about 2 MB of JSON; ``orjson.loads`` decodes it in one C call that
holds the interpreter lock for 10 ms on a quiet machine and 30 to 90 ms on a busy one, and no other
thread (the window's among them) runs a line of Python meanwhile. The reference server writes a
page with one change per line::

    {"changes":[
    {…},
    {…}
    ],"cursor":…}

(a raw line feed can only be whitespace in JSON, never part of a string), so
:func:`decode_feed_body` cuts the array at a ``,`` + line feed every :data:`SLICE_BYTES` or so and
decodes each slice as an array of its own: a few hundred changes, 1 to 2 ms, after which the lock
can go to another thread. The page's other members are decoded from the envelope with the array
left empty.

The answer is exactly what ``orjson.loads`` of the whole body gives, or the body is decoded whole:
a body of another shape (another bank's server may write the page differently, e.g. all on one
line or with other whitespace), a slice that does not decode or is empty, or a member after the
array named ``changes`` again, all fall back to one ``orjson.loads`` of the body, which then
answers — or fails — as it always did. Why a cut in the wrong place can never decode: the slice
is wrapped in ``[`` … ``]``; a cut inside an element leaves that element's brackets unbalanced,
and a cut past the array's end takes its ``]`` into the slice, either way not one JSON value.
"""

from __future__ import annotations

from typing import Any

import orjson

SLICE_BYTES = 128 * 1024
"""About how much of a page one ``orjson.loads`` decodes (some 300 changes of the reference
server's, 1 to 2 ms); a body no larger than this is decoded whole."""

_HEAD = b'{"changes":[\n'
_SEPARATOR = b",\n"
_ARRAY_END = b"\n]"
_ENVELOPE_HEAD = b'{"changes":[]'


def decode_feed_body(body: bytes) -> Any:
    """The JSON value of a ``GET /changes`` body, as ``orjson.loads(body)`` gives it.

    Raises:
        orjson.JSONDecodeError: The body is not JSON (raised by the whole decode).
    """
    if len(body) > SLICE_BYTES and body.startswith(_HEAD):
        answer = _sliced(body)
        if answer is not None:
            return answer
    return orjson.loads(body)


def _sliced(body: bytes) -> dict[str, Any] | None:
    """The body decoded in slices, or ``None`` when it is not of the one-change-per-line shape."""
    start = len(_HEAD)
    end = body.rfind(_ARRAY_END)
    rest = body[end + len(_ARRAY_END) :]
    if end <= start or b'"changes"' in rest or b"\\" in rest:
        # No array body, or a member after it that could be a second "changes" (also written
        # with escapes): whichever a whole decode keeps is its business.
        return None
    try:
        envelope = orjson.loads(_ENVELOPE_HEAD + rest)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(envelope, dict) or envelope.get("changes") != []:
        return None
    changes: list[Any] = []
    position = start
    while True:
        cut = body.find(_SEPARATOR, position + SLICE_BYTES, end)
        last = cut == -1
        if last:
            cut = end
        try:
            part = orjson.loads(b"".join((b"[", body[position:cut], b"]")))
        except orjson.JSONDecodeError:
            return None
        if not part:  # "[ ]" between two separators: a whole decode refuses the stray comma
            return None
        changes += part
        if last:
            break
        position = cut + len(_SEPARATOR)
    envelope["changes"] = changes
    return envelope


__all__ = ["SLICE_BYTES", "decode_feed_body"]
