"""Dutch hyphenation for headings, done on the server.

Long Dutch compounds ("Hechtingsproblematiek") do not fit a phone's line in a large
heading. Browsers only hyphenate with a dictionary of their own, and Chromium has
none for Dutch, so it breaks such a word anywhere without a hyphen. Soft hyphens
from pyphen's Dutch dictionary mark where a word may break; every browser honours
them, shows a hyphen only where it breaks, and screen readers ignore them.
"""

import re
from functools import lru_cache

import pyphen

SOFT_HYPHEN = "\u00ad"
# Shorter words fit a line at any heading size on a 320 px screen.
_LONG_WORD = re.compile(r"[^\W\d_]{10,}")
_HEADING = re.compile(r"(<h[1-3]\b[^>]*>)(.*?)(</h[1-3]>)", re.IGNORECASE | re.DOTALL)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")
_DUTCH = pyphen.Pyphen(lang="nl_NL")


@lru_cache(maxsize=8192)
def _word(word: str) -> str:
    return _DUTCH.inserted(word, hyphen=SOFT_HYPHEN)


def hyphenate(text: str) -> str:
    """Plain text with soft hyphens in its long words."""
    return _LONG_WORD.sub(lambda match: _word(match.group(0)), text)


def hyphenate_headings(html: str) -> str:
    """HTML with soft hyphens in the text of its headings; tags and attributes untouched."""

    def heading(match: re.Match) -> str:
        inner = _TAG_OR_TEXT.sub(lambda part: part.group(1) or hyphenate(part.group(2)), match.group(2))
        return match.group(1) + inner + match.group(3)

    return _HEADING.sub(heading, html)
