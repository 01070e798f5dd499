"""Times given by users: unix seconds from an int, a date/datetime or an ISO 8601 string.

One rule for the whole project (consent and claims dates, cold-chain readings, ...):

* unix seconds (an int or ASCII digits) are absolute;
* a bare date (``2026-01-01``, a ``datetime.date``) is a calendar day in UTC: its first second,
  or its last when it ends a range;
* a time of day must say its zone: ``2026-01-01T09:30:00Z`` or ``2026-01-01T09:30:00+01:00``
  (an aware ``datetime``). A zone-less time is refused, not read as UTC: a hospital's CSV in local
  time silently read as UTC would shift every reading by hours.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from datetime import time as dtime
from typing import Any

from medchain.core.errors import InvalidInputError

__all__ = ["MAX_TIME", "to_unix"]

#: Contracts keep times in uint40.
MAX_TIME = 2**40 - 1


def to_unix(value: Any, what: str = "time", *, end: bool = False, dates: bool = True) -> int:
    """Unix seconds from an int (or digit string), an aware datetime, a date, or an ISO 8601 string.

    A bare date means its first second (UTC), or its last second when ``end`` is true (so an
    inclusive end bound ``"2024-12-31"`` covers the whole last day). A time of day without a zone
    (``"2024-12-31T10:00"``, a naive ``datetime``) is refused: add ``Z`` or an offset.

    Args:
        value: The time.
        what: The field's name, for the error message.
        end: Read a bare date as its last second.
        dates: Accept a bare date (``False``: a time is required, e.g. a sensor reading's).

    Raises:
        InvalidInputError: unparsable, zone-less, negative, or beyond 2**40 - 1 (naming ``what``).
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"{what} must be unix seconds or an ISO 8601 date, not {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():  # not "²" or other Unicode digits; no 5,000-digit ints
            digits = text.lstrip("0") or "0"
            value = int(digits) if len(digits) <= len(str(MAX_TIME)) else MAX_TIME + 1
        else:
            try:
                value = date.fromisoformat(text)
            except ValueError:
                try:
                    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
                except ValueError:
                    raise InvalidInputError(f"{what} {text!r} is not unix seconds or an ISO 8601 date/time") from None
            if isinstance(value, datetime) and value.tzinfo is None:
                raise InvalidInputError(f"{what} {text!r} has no time zone: add Z (UTC) or an offset such as +01:00")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInputError(f"{what} {value.isoformat()} has no time zone: give the datetime a tzinfo")
        seconds = int(value.timestamp())
    elif isinstance(value, date):
        if not dates:
            raise InvalidInputError(f"{what} {value.isoformat()} is a date: give a time with Z or an offset, or unix seconds")
        seconds = int(datetime.combine(value, dtime.max if end else dtime.min, timezone.utc).timestamp())
    elif isinstance(value, int):
        seconds = value
    else:
        raise InvalidInputError(f"{what} must be unix seconds or an ISO 8601 date, not {type(value).__name__}")
    if not 0 <= seconds <= MAX_TIME:
        raise InvalidInputError(f"{what} {seconds} is out of range (0 .. 2**40 - 1)")
    return seconds
