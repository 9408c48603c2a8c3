"""HTML from other platforms' exports, parsed without ever failing on what it holds."""

from __future__ import annotations

import html as htmllib
import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, ParserRejectedMarkup

# "<![" opening anything but CDATA: Python's parser refuses such a marked section.
_MARKED = re.compile(r"<!\[(?!CDATA\[)", re.IGNORECASE)


def soup_of(html: str) -> BeautifulSoup:
    """``html`` parsed with Python's HTML parser.

    A post whose whole text looks like a file name is still text. A marked section the
    parser refuses (``<![gallery ...``: text of an old export that only looks like one) is
    kept as text rather than failing the import; should anything else be refused, the
    whole fragment is kept as text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        try:
            return BeautifulSoup(html, "html.parser")
        except ParserRejectedMarkup:
            pass
        try:
            return BeautifulSoup(_MARKED.sub("&lt;![", html), "html.parser")
        except ParserRejectedMarkup:
            return BeautifulSoup(htmllib.escape(html, quote=False), "html.parser")
