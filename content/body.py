"""A stored text as visitors get it: the last steps, done when the text is shown.

Stored body HTML is already sanitized. Showing it fills in the practice details,
makes every email address and phone number a link a phone can tap, turns uploaded
images into <picture>s, hyphenates long words in headings, and
labels table cells with their column's heading so a table can stack on a phone.
Each step only adds markup from our own code, so the result stays safe.
"""

import html as html_lib
import itertools
import re

from . import pictures
from .hyphenation import hyphenate_headings
from .markup import fill_placeholders, link_contacts, plain_text

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.IGNORECASE | re.DOTALL)
_HEADER_ROW = re.compile(r"<tr\b[^>]*>((?:(?!</tr>).)*?<th\b(?:(?!</tr>).)*)</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.IGNORECASE | re.DOTALL)


def present(stored: str, practice) -> str:
    filled = link_contacts(fill_placeholders(stored, practice))
    return label_tables(hyphenate_headings(pictures.with_pictures(filled)))


def label_tables(html: str) -> str:
    """Gives each data cell the heading of its column (data-label), and wraps the table
    in a region of its own, so narrow screens can show each row as a small card."""
    if "<table" not in html:
        return html

    def table(match: re.Match) -> str:
        markup = match.group(0)
        header = _HEADER_ROW.search(markup)
        if header is None:
            return f'<div class="table-wrap">{markup}</div>'
        labels = [plain_text(cell.group(3)) for cell in _CELL.finditer(header.group(1))]

        def row(found: re.Match) -> str:
            if found.start() == header.start():
                return found.group(0)
            column = itertools.count()

            def cell(td: re.Match) -> str:
                index = next(column)
                if td.group(1).lower() != "td" or index >= len(labels) or not labels[index]:
                    return td.group(0)
                label = html_lib.escape(labels[index], quote=True)
                return f'<td{td.group(2)} data-label="{label}">{td.group(3)}</td>'

            return found.group(1) + _CELL.sub(cell, found.group(2)) + found.group(3)

        return '<div class="table-wrap">' + _ROW.sub(row, markup) + "</div>"

    return _TABLE.sub(table, html)
