"""Times given by users: unix seconds from an int, a date/datetime or an ISO 8601 string."""

from __future__ import annotations

from datetime import date, datetime, timezone
from datetime import time as dtime
from typing import Any

from medchain.core.errors import InvalidInputError

#: Contracts keep times in uint40.
MAX_TIME = 2**40 - 1


def to_unix(value: Any, what: str = "time", *, end: bool = False) -> int:
    """Unix seconds from an int (or digit string), a datetime/date, or an ISO 8601 string.

    A bare date means its first second, or its last second when ``end`` is true (so an inclusive
    end bound ``"2024-12-31"`` covers the whole last day). Naive times are UTC.

    Args:
        value: The time.
        what: The field's name, for the error message.
        end: Read a bare date as its last second.

    Raises:
        InvalidInputError: unparsable, negative, or beyond 2**40 - 1 (naming ``what``).
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
                value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInputError(f"{what} {text!r} is not unix seconds or an ISO 8601 date/time") from None
    if isinstance(value, datetime):
        seconds = int((value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp())
    elif isinstance(value, date):
        seconds = int(datetime.combine(value, dtime.max if end else dtime.min, timezone.utc).timestamp())
    elif isinstance(value, int):
        seconds = value
    else:
        raise InvalidInputError(f"{what} must be unix seconds or an ISO 8601 date, not {type(value).__name__}")
    if not 0 <= seconds <= MAX_TIME:
        raise InvalidInputError(f"{what} {seconds} is out of range (0 .. 2**40 - 1)")
    return seconds
