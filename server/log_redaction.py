"""No secret in a log line: bearer tokens and customer ticket tokens are blanked out.

uvicorn logs every request's path with its query string (the access log, and the WebSocket
handshake on ``uvicorn.error``), and integrations may still open the event stream with the
documented ``?token=``; a customer's link carries their ticket token in its path. The filter
sits on the loggers themselves, so it holds whatever handlers a deployment configures.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

REDACTED = "[redacted]"
_PATTERNS = (
    # ?token=… / &access_token=… in a query string.
    (re.compile(r"([?&](?:access_)?token=)[^&\s\"'#]+", re.IGNORECASE), r"\1" + REDACTED),
    # A customer's ticket token in a path: /api/v1/tickets/by-token/T…, /t/T (their phone page).
    (re.compile(r"(/by-token/|(?<![\w.~-])/t/)[^/?#\s\"']+"), r"\1" + REDACTED),
    # A pairing id (a device's secret until it has its token): /api/v1/pairing/ID.
    (re.compile(r"(/api/v1/pairing/)(?!status\b)[^/?#\s\"']+"), r"\1" + REDACTED),
    # A staff or device token anywhere else in a message.
    (re.compile(r"\b(sst_|sdt_)[A-Za-z0-9_-]{8,}"), r"\1" + REDACTED),
)
# uvicorn's request logs, and ours that name a request.
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "sira", "sira.errors")


def redact(text: str) -> str:
    """``text`` with every token it holds blanked out."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Blanks tokens out of a record's message and arguments (keeps the record's shape:
    uvicorn's access formatter unpacks its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return True
        safe = redact(message)
        if safe != message:
            # A token inside a non-string argument (a URL object, an exception): log the
            # redacted text itself.
            record.msg, record.args = safe, ()
        return True


def install(names: tuple[str, ...] = LOGGERS) -> None:
    """Put the filter on these loggers, once."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
