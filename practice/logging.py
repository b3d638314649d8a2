"""Keeps secret link tokens out of log lines (self-service links, the agenda feed, confirmation ids)."""

import logging
import re

# Any case and any number of slashes: a mistyped link (/Kennismaking//beheer/…) still carries a
# working token once the typo is removed.
SECRET_PATHS = re.compile(
    r"(/+kennismaking/+(?:beheer|bevestiging|wachtlijst/+(?:tijd|afmelden|bevestigen))/+|/+agenda/+)[^/\s\"'?]+",
    re.IGNORECASE,
)
# A signed token (value:timestamp:signature, also with %3A) is masked wherever it stands, whatever
# path it was put under: the signature part is long, which plain text with colons never is.
SIGNED_TOKENS = re.compile(r"[\w.\-]+(?::|%3a)[0-9a-z]+(?::|%3a)[\w\-]{20,}", re.IGNORECASE)


def mask(text: str) -> str:
    return SIGNED_TOKENS.sub("[verborgen]", SECRET_PATHS.sub(r"\1[verborgen]", text))


class MaskSecretsFilter(logging.Filter):
    """Masks the finished line, not its parts: a pattern applied to a format string could eat
    its placeholders (and a token may be split over the arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: logging reports it as it would without us
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
