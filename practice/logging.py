"""Keeps secret link tokens out of log lines (self-service links, the agenda feed, confirmation ids)."""

import logging
import re

SECRET_PATHS = re.compile(
    r"(/kennismaking/beheer/|/kennismaking/bevestiging/|/kennismaking/wachtlijst/(?:tijd|afmelden|bevestigen)/|/agenda/)[^/\s\"']+"
)


def mask(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[verborgen]", text)


class MaskSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True
