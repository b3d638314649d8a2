"""Keeps secret link tokens out of log lines (self-service links, the agenda feed, confirmation ids)."""

import logging
import re

# Any case and any number of slashes: a mistyped link (/Kennismaking//beheer/…) still carries a
# working token once the typo is removed.
SECRET_PATHS = re.compile(
    r"(/+kennismaking/+(?:beheer|bevestiging|wachtlijst/+(?:tijd|afmelden|bevestigen))/+|/+agenda/+)[^/\s\"'?]+",
    re.IGNORECASE,
)
# Every signed token holds the signing separator ":" (also as %3A): a path segment with one is
# masked wherever it stands, whatever path it was put under.
SIGNED_SEGMENTS = re.compile(r"(?<=/)[^/\s\"'?\[]*(?::|%3a)[^/\s\"'?]*", re.IGNORECASE)


def mask(text: str) -> str:
    return SIGNED_SEGMENTS.sub("[verborgen]", SECRET_PATHS.sub(r"\1[verborgen]", text))


class MaskSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True
