"""HTML mail bodies as readable plain text, with the standard library's tolerant `html.parser`.

Scripts, styles and the document head are dropped; block elements and `<br>` become line breaks;
character references are decoded; whitespace collapses as a browser would, except inside `<pre>`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
# Paragraph-like elements end with an empty line; other blocks only with a line break.
_PARAGRAPH = frozenset(
    {"blockquote", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "table", "ul"}
)
_BLOCK = frozenset(
    {
        "address", "article", "aside", "center", "dd", "div", "dt", "fieldset", "figure", "footer",
        "form", "header", "li", "main", "nav", "section", "tbody", "thead", "tfoot", "tr",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.has_text = False

    def _break(self, lines: int) -> None:
        """End the current line, leaving at least `lines` line breaks (never more) before the next text."""
        if not self.has_text:
            return
        tail = "".join(self.parts[-4:]).rstrip(" ")
        have = len(tail) - len(tail.rstrip("\n"))
        self.parts.append("\n" * max(0, lines - have))

    def _block(self, tag: str) -> None:
        if tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")
        else:
            self._block(tag)
        if tag == "li":
            self.parts.append("- ")
        elif tag == "pre":
            self.pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<br/>" counts once, and a self-closed skip element ("<script/>") opens nothing.
        if tag == "br":
            self.parts.append("\n")
        else:
            self._block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        else:
            self._block(tag)
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        self.has_text = self.has_text or not data.isspace()
        if self.pre_depth:
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document: no tags, no scripts or styles, line breaks kept."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    # At most one empty line between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
