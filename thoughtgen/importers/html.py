"""HTML to Markdown for platforms that store posts as HTML (WordPress, Substack, Medium).

The Markdown is written for thoughtgen's renderer (Python-Markdown with tables, fenced code
and footnotes), so it follows that dialect: nested list content is indented four spaces,
fenced code sits at the left margin, ``\\<`` is no escape (``&lt;`` is). What that Markdown
cannot say (tables with merged cells, captions, iframes, video, forms, unknown tags, code
inside lists) stays HTML, which the renderer passes through, rather than being lost.

Plain text is escaped only where the renderer would otherwise read it as markup:
``snake_case`` and ``2 * 3`` stay as written; ``*not emphasis*``, ``1986. A good year`` at
the start of a line and ``<div>`` written as text are escaped.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

from thoughtgen.importers.soup import soup_of


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Private markers for what can only be finished once the whole document is known; input
# never holds them (noncharacters, removed first).
_LINE_START = "\ufdd0"  # text that would be markup at the start of a line
_FOOTNOTE = "\ufdd1"  # _FOOTNOTE label _FOOTNOTE → [^label]
_MORE = "\ufdd2"  # <!--more-->
_RESERVED = re.compile("[\ufdd0-\ufdef]")

# Deeper than this, an element's content is kept as plain text: the converter recurses.
_MAX_DEPTH = 120

# Tags whose content is kept and the tag dropped.
_UNWRAP_BLOCK = _names(
    "div section article main header footer aside center body html hgroup nav address figure"
)
_UNWRAP_INLINE = _names("span font big nobr label o:p")
# Inline tags that mean something Markdown has no syntax for: kept as HTML around the text.
_KEEP_INLINE = _names(
    "sup sub mark u ins small abbr acronym cite q time var dfn bdi bdo ruby rt rp"
)
_STRIKE = _names("del s strike")
_KEEP_ATTRS = ("title", "datetime", "dir", "lang", "cite", "id")
_DROP = _names("meta link head title")
# Tags markdownify turns into Markdown (beside the ones this module handles).
_KNOWN = _names(
    "a b strong i em code tt kbd samp pre p br hr h1 h2 h3 h4 h5 h6 ul ol li "
    "blockquote img table thead tbody tfoot tr td th caption figcaption"
)
# Where HTML kept whole can start a line of its own (not in a list item or a quote, whose
# lines start with a marker).
_BLOCK_PARENTS = _names(
    "[document] div section article main header footer aside center body html figure"
)
_BLOCK_CONTENT = _names(
    "p div section article pre blockquote ul ol dl table h1 h2 h3 h4 h5 h6 hr figure "
    "iframe video form details"
)
_ROWS = _names("li tr td th dt dd caption option")
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-([\w#.+-]+)$")
_BRUSH = re.compile(r"\bbrush:\s*([\w#.+-]+)")
_NOT_LANGUAGES = _names(
    "code highlight hljs notranslate prettyprint wp-block-code wp-block-preformatted "
    "linenums syntax sourcecode"
)
_SAFE_LANGUAGE = re.compile(r"^[\w#.+-]{1,40}$")
# Python-Markdown's block-level tags: at the start of a line it passes them, content and
# all, through untouched (markdown.Markdown().block_level_elements).
_RENDERER_BLOCKS = _names(
    "address article aside blockquote body canvas center colgroup dd details div dl "
    "dt fieldset figcaption figure footer form group h1 h2 h3 h4 h5 h6 header hgroup "
    "hr html iframe legend li main map math menu nav noscript object ol option output "
    "p pre progress script section style summary table tbody td textarea tfoot th "
    "thead tr ul video"
)


def html_to_markdown(html: str) -> str:
    """Clean Markdown for an HTML fragment; what Markdown cannot say stays HTML."""
    soup = soup_of(_RESERVED.sub("", html))
    _flatten_deep(soup)
    _unwrap_inline_around_blocks(soup)
    _mark_more(soup)
    footnotes = _take_footnotes(soup)
    converter = _Converter()
    parts = [converter.convert_soup(soup)]
    for label, body in footnotes:
        parts.append(converter.footnote_definition(label, body))
    return _finish("\n\n".join(part.strip("\n") for part in parts if part.strip())) + "\n"


# markdownify's type stubs declare only convert(); the convert_* methods and
# process_tag/get_conv_fn that a subclass overrides (as its README shows) are untyped.
_MarkdownConverter: Any = MarkdownConverter


class _Converter(_MarkdownConverter):
    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", strong_em_symbol="*")

    # -- text ---------------------------------------------------------------------------

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        parent_tags = parent_tags or set()
        text = str(el)
        if "pre" in parent_tags:
            return text
        text = re.sub(r"[ \t\r\n\f]+", " ", text)
        if "_noformat" not in parent_tags:
            text = self.escape(text, parent_tags)
        previous, following, parent = el.previous_sibling, el.next_sibling, el.parent
        if _block_edge(previous) or (_strips_inside(parent) and previous is None):
            text = text.lstrip(" ")
        if _block_edge(following) or (_strips_inside(parent) and following is None):
            text = text.rstrip(" ")
        return text

    def escape(self, text: str, parent_tags: set[str]) -> str:
        if not text.strip():
            return text
        lead = len(text) - len(text.lstrip())
        starts_block = _could_start_block(text[lead:])
        text = _escape_inline(text, in_cell=bool(parent_tags & {"td", "th"}))
        if starts_block:
            lead = len(text) - len(text.lstrip())
            text = text[:lead] + _LINE_START + text[lead:]
        return text

    # -- inline -------------------------------------------------------------------------

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags:
            return text
        href = str(el.get("href") or "").strip()
        if not href:
            anchor = el.get("id") or el.get("name")
            return f'<a id="{_attr(str(anchor))}"></a>{text}' if anchor else text
        if any(isinstance(d, Tag) and d.name in _BLOCK_CONTENT for d in el.descendants):
            return _raw(el, text, parent_tags)
        prefix, suffix, text = _chomp(text)
        if not text:
            return prefix or suffix
        title = str(el.get("title") or "")
        if el.get_text() == href and not title and re.match(r"(?i)^(https?|ftp)://[^\s<>]+$", href):
            return f"{prefix}<{href}>{suffix}"
        return f"{prefix}[{text}]({_destination(href)}{_title(title)}){suffix}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        src = str(el.get("src") or "")
        if not src or src.startswith("data:"):
            src = str(el.get("data-src") or el.get("data-lazy-src") or src)
        if not src:
            return ""
        alt = re.sub(r"\s+", " ", str(el.get("alt") or "")).strip()
        alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
        return f"![{alt}]({_destination(src)}{_title(str(el.get('title') or ''))})"

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if parent_tags & {"td", "th"}:
            return "<br>"
        if "_inline" in parent_tags:
            return " "
        return "<br>\n"

    def convert_em(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _wrap_inline("*", "em", text, el, parent_tags)

    convert_i = convert_em

    def convert_strong(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _wrap_inline("**", "strong", text, el, parent_tags)

    convert_b = convert_strong

    def convert_code(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_noformat" in parent_tags:
            return text
        # A code span is one line of plain text, whatever tags the HTML put inside it.
        code = re.sub(r"\s+", " ", el.get_text())
        previous = el.previous_sibling
        if (
            isinstance(previous, Tag)
            and previous.name in ("code", "tt", "kbd", "samp")
            and previous.get_text().strip()
        ):
            # Backticks of two spans side by side would run together.
            return f"<code>{_escape_inline(code, in_cell=False)}</code>"
        return str(super().convert_code(el, code, parent_tags))

    convert_tt = convert_code
    convert_kbd = convert_code
    convert_samp = convert_code

    def keep_inline(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        name = "del" if el.name in _STRIKE else el.name
        attrs = "".join(
            f' {key}="{_attr(str(el[key]))}"' for key in _KEEP_ATTRS if el.get(key) is not None
        )
        return f"<{name}{attrs}>{text}</{name}>"

    # -- blocks -------------------------------------------------------------------------

    def convert_p(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = re.sub(r"(?:\s*<br>\s*)+$", "", text.strip(" \n"))
        if "_inline" in parent_tags:
            return f" {text} "
        return f"\n\n{text}\n\n" if text.strip() else ""

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return text
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            return ""
        hashes = "#" * max(1, min(6, n))
        # Python-Markdown drops a heading's trailing '#'s ("C#"); a closing sequence keeps it.
        closing = f" {hashes}" if text.endswith("#") else ""
        return f"\n\n{hashes} {text}{closing}\n\n"

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        code = "".join(_pre_text(el))
        if parent_tags & {"li", "blockquote", "_inline"}:
            return _raw(el, _escape_inline(code), parent_tags)
        code = re.sub(r"^[ \t]*\n", "", code).rstrip()
        if not code.strip():
            return ""
        runs = [len(run) for run in re.findall(r"`{3,}", code)]
        fence = "`" * max([3, *(run + 1 for run in runs)])
        return f"\n\n{fence}{_code_language(el)}\n{code}\n{fence}\n\n"

    def convert_blockquote(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if _needs_html(el):
            return _raw(el, text, parent_tags)
        return str(super().convert_blockquote(el, text, parent_tags))

    def convert_list(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        start = str(el.get("start") or "1").strip()
        odd = el.name == "ol" and (start != "1" or el.has_attr("reversed") or el.get("type"))
        if odd or _needs_html(el):
            return _raw(el, text, parent_tags)
        if "li" in parent_tags:
            return "\n" + text.rstrip()
        separator = ""
        previous = _previous_content(el)
        if isinstance(previous, Tag) and previous.name in ("ul", "ol"):
            separator = "<!-- -->\n\n"  # else the renderer joins two lists into one
        return f"\n\n{separator}{text}\n\n"

    convert_ul = convert_list
    convert_ol = convert_list

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip()
        if not text:
            return ""
        if el.parent is not None and el.parent.name == "ol":
            marker = f"{len(el.find_previous_siblings('li')) + 1}."
        else:
            marker = "-"
        first, _, rest = text.partition("\n")
        rest = re.sub(r"(?m)^(?=.)", "    ", rest)
        # An item of several paragraphs ends with a blank line, or the next item would
        # continue its last paragraph.
        end = "\n\n" if "\n\n" in text else "\n"
        return f"{marker} {first}" + (f"\n{rest}" if rest else "") + end

    def convert_table(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        rows = _simple_table(el)
        if rows is None:
            return _raw(el, text, parent_tags)
        cells = [[self._cell(cell) for cell in row] for row in rows]
        header = "| " + " | ".join(cells[0]) + " |"
        rule = "| " + " | ".join(_alignment(cell) for cell in rows[0]) + " |"
        body = ["| " + " | ".join(row) + " |" for row in cells[1:]]
        return "\n\n" + "\n".join([header, rule, *body]) + "\n\n"

    def convert_td(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f" {text} "  # (a table's cells are joined by convert_table)

    convert_th = convert_td
    convert_tr = convert_td

    def convert_picture(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        img = el.find("img")
        return self.convert_img(img, "", parent_tags) if isinstance(img, Tag) else ""

    def convert_figure(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if el.find("figcaption") is not None:
            return _raw(el, text, parent_tags)
        return self.convert_div(el, text, parent_tags)

    def raw(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _raw(el, text, parent_tags)

    def drop(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return ""

    def get_conv_fn(self, tag_name: str) -> Any:
        name = tag_name.lower()
        if name in _KEEP_INLINE or name in _STRIKE:
            return self.keep_inline
        if name in _UNWRAP_BLOCK and name != "figure":
            return self.convert_div
        if name in _UNWRAP_INLINE or name == "[document]":
            return super().get_conv_fn(name)
        if name in _DROP:
            return self.drop
        if name in _KNOWN or name in ("figure", "picture") or re.fullmatch(r"h\d", name):
            return super().get_conv_fn(name)
        return self.raw

    # -- pieces -------------------------------------------------------------------------

    def _cell(self, cell: Tag) -> str:
        text = self.process_tag(cell, parent_tags={"_inline", cell.name})
        return re.sub(r"\s+", " ", text).strip()

    def footnote_definition(self, label: str, body: Tag) -> str:
        text = self.process_tag(body, parent_tags=set()).strip()
        first, _, rest = text.partition("\n")
        rest = re.sub(r"(?m)^(?=.)", "    ", rest)
        return f"[^{label}]: {first}" + (f"\n{rest}" if rest else "")


# -- text escaping ------------------------------------------------------------------------

_INLINE_ESCAPES = re.compile(
    r"""\\(?=[\\`*_{}\[\]()>#+\-.!]|$)  # a backslash the renderer would read as an escape
    | `                                 # code spans
    | (?<!\s)\*|\*(?!\s)                # '*' touching a word ("2 * 3" stays)
    | (?<![^\W_])_|_(?![^\W_])          # '_' at a word's edge ("snake_case" stays)
    | \[(?=\^)                          # "[^1]", a footnote reference
    | \](?=[(\[:]|$)                    # "](", "][" and "]:" make links
    | !$                                # '!' before a link makes it an image
    | \{(?=[^}]*\})                     # attribute lists ("{: .class}", "{#id}")
    | <(?=[A-Za-z/!?]|$)                # a tag, a comment, an autolink
    | &(?=\#?\w+;|$)                    # an entity
    """,
    re.VERBOSE,
)
_ENTITY_FOR = {"<": "&lt;", "&": "&amp;"}


def _escape_inline(text: str, in_cell: bool = False, entities: bool = True) -> str:
    def replace(match: re.Match[str]) -> str:
        char = match.group(0)
        if char in _ENTITY_FOR:
            return _ENTITY_FOR[char] if entities else char
        return "\\" + char

    text = _INLINE_ESCAPES.sub(replace, text)
    return text.replace("|", "\\|") if in_cell else text


# Text that the renderer reads as a block when it starts a line.
_BLOCK_START = re.compile(
    r"""\#                # a heading
    | >                   # a quote
    | [-+*](?:\s|$)       # a bullet
    | -{2,}|_{2,}|\*{2,}  # a rule or a heading's underline
    | =+\s*$              # a heading's underline
    | \d{1,9}\.(?:\s|$)   # a numbered item
    | \[[^\]]*\]:         # a link definition
    | ~{3,}               # a fence
    | \{:                 # an attribute list
    """,
    re.VERBOSE,
)


def _could_start_block(text: str) -> bool:
    return _BLOCK_START.match(text) is not None


_LINE_PREFIX = re.compile(r"(?:[\s>]|(?:[-+*]|\d+\.)\s)*")


def _escape_line_start(text: str) -> str:
    """``\\# not a heading``: escapes for text that begins a line."""
    if text.startswith("\\"):
        return text
    if re.match(r"\d", text):
        return re.sub(r"^(\d+)\.", r"\1\\.", text)
    if text[0] == "=":
        return "&#61;" + text[1:]
    if text[0] == "~":
        return "&#126;" + text[1:]
    return "\\" + text


def _finish(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        while _LINE_START in line:
            at = line.index(_LINE_START)
            before, after = line[:at], line[at + 1 :]
            if after and _LINE_PREFIX.fullmatch(before.replace(_LINE_START, "")):
                after = _escape_line_start(after)
            line = before + after
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(f"{_FOOTNOTE}([^{_FOOTNOTE}]*){_FOOTNOTE}", r"[^\1]", text)
    text = re.sub(rf"[ \t]*{_MORE}[ \t]*", "\n\n<!--more-->\n\n", text)
    return re.sub(r"\n{3,}(?=<!--more-->)|(?<=<!--more-->)\n{3,}", "\n\n", text).strip()


# -- helpers ------------------------------------------------------------------------------


def _chomp(text: str) -> tuple[str, str, str]:
    prefix = " " if text[:1] in (" ", "\n") else ""
    suffix = " " if text[-1:] in (" ", "\n") else ""
    return prefix, suffix, text.strip(" \n")


_EMPHASIS = _names("em i strong b")


def _wrap_inline(mark: str, tag: str, text: str, el: Tag, parent_tags: set[str]) -> str:
    if "_noformat" in parent_tags:
        return text
    prefix, suffix, inner = _chomp(text)
    if not inner:
        return prefix or suffix
    touching = [el.previous_sibling, el.next_sibling]
    if any(isinstance(node, Tag) and node.name in _EMPHASIS for node in touching):
        # "*a**b*" is ambiguous (the renderer even drops a letter of it): tags are not.
        return f"{prefix}<{tag}>{inner}</{tag}>{suffix}"
    return f"{prefix}{mark}{inner}{mark}{suffix}"


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _title(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip()
    return f' "{_attr(title)}"' if title else ""


def _destination(url: str) -> str:
    """A link or image URL as Markdown writes it; angle brackets when it needs them."""
    url = url.strip().replace("<", "%3C").replace(">", "%3E")
    depth = 0
    for char in url:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0 or re.search(r"\s", url):
        return f"<{url}>"
    return url


def _raw(el: Tag, text: str, parent_tags: set[str]) -> str:
    """``el`` kept as HTML, in a form the renderer leaves alone."""
    html = _footnote_html(str(el))
    parent = el.parent
    if "_inline" not in parent_tags and (parent is None or parent.name in _BLOCK_PARENTS):
        if el.name in _RENDERER_BLOCKS:
            return f"\n\n{html}\n\n"  # the renderer passes a block-level element through
        return f"\n\n<div>{html}</div>\n\n"  # and so anything inside a <div>
    # Inline, the renderer keeps tags but reads the text between them as Markdown: so the
    # text is the converted (escaped) one.
    if not el.contents:
        return html
    if any(
        isinstance(node, Tag) and (node.name in _BLOCK_CONTENT or node.name in _ROWS)
        for node in el.descendants
    ):
        return _footnote_html(_escaped_html(el))
    attrs = "".join(
        f' {key}="{_attr(" ".join(value) if isinstance(value, list) else str(value))}"'
        for key, value in el.attrs.items()
    )
    inner = re.sub(r"\s*\n\s*", " ", text)
    return f"<{el.name}{attrs}>{inner}</{el.name}>"


def _footnote_html(html: str) -> str:
    # Markdown inside HTML is not read: a footnote reference there is written as the
    # renderer's own footnote HTML would be.
    return re.sub(
        f"{_FOOTNOTE}([^{_FOOTNOTE}]*){_FOOTNOTE}",
        r'<sup id="fnref:\1"><a class="footnote-ref" href="#fn:\1">\1</a></sup>',
        html,
    )


def _escaped_html(el: Tag) -> str:
    """``el`` as HTML whose text is escaped for Markdown, for the renderer reads text
    between inline tags as Markdown (the serializer escapes '<' and '&' itself)."""
    clone = copy.copy(el)
    for node in list(clone.descendants):
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            node.replace_with(NavigableString(_escape_inline(str(node), entities=False)))
    return str(clone)


def _block_edge(el: object) -> bool:
    return (
        isinstance(el, Tag)
        and el.name not in ("iframe", "video")  # kept inline when text is beside them
        and (el.name in _BLOCK_CONTENT or el.name in ("li", "br", "tr"))
    )


def _strips_inside(el: object) -> bool:
    return isinstance(el, Tag) and (
        el.name in _BLOCK_CONTENT or el.name in ("li", "td", "th", "dd", "dt", "[document]")
    )


def _previous_content(el: Tag) -> object:
    node = el.previous_sibling
    while node is not None and (
        isinstance(node, Comment) or (isinstance(node, NavigableString) and not node.strip())
    ):
        node = node.previous_sibling
    return node


def _needs_html(el: Tag) -> bool:
    """Whether a list or quote holds something Markdown cannot nest (code, tables, media)."""
    for node in el.descendants:
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "pre" or name == "table" or name in _DROP:
            return True
        if name == "figure" and node.find("figcaption") is not None:
            return True
        if name == "ol" and (str(node.get("start") or "1").strip() != "1" or node.get("type")):
            return True
        if not (
            name in _KNOWN
            or name in _KEEP_INLINE
            or name in _STRIKE
            or name in _UNWRAP_BLOCK
            or name in _UNWRAP_INLINE
            or re.fullmatch(r"h\d", name)
        ):
            return True
    return False


def _pre_text(el: Tag) -> Iterator[str]:
    for node in el.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            yield str(node)
        elif isinstance(node, Tag) and node.name == "br":
            yield "\n"


def _code_language(pre: Tag) -> str:
    """The language a code block names: language-x, lang-x, SyntaxHighlighter's brush: x."""
    candidates: list[Tag] = [pre]
    code = pre.find("code")
    if isinstance(code, Tag):
        candidates.insert(0, code)
    for el in candidates:
        for key in ("data-lang", "data-language", "lang"):
            value = str(el.get(key) or "").strip().lower()
            if _SAFE_LANGUAGE.match(value):
                return value
        classes = [str(c) for c in el.get_attribute_list("class") if c]
        brush = _BRUSH.search(" ".join(classes))
        if brush:
            return brush.group(1).lower()
        for name in classes:
            match = _LANGUAGE_CLASS.match(name)
            if match:
                return match.group(1).lower()
        for name in classes:
            if name.lower() not in _NOT_LANGUAGES and _is_lexer(name.lower()):
                return name.lower()
    return ""


def _is_lexer(name: str) -> bool:
    lexers = importlib.import_module("pygments.lexers")  # (pygments ships no type stubs)
    util = importlib.import_module("pygments.util")
    if not _SAFE_LANGUAGE.match(name):
        return False
    try:
        lexers.get_lexer_by_name(name)
    except util.ClassNotFound:
        return False
    return True


def _simple_table(table: Tag) -> list[list[Tag]] | None:
    """A table's rows of cells when a Markdown table can say it all, else None."""
    if table.find(["table", "caption"]) is not None:
        return None
    rows = [
        [cell for cell in row.find_all(["td", "th"], recursive=False) if isinstance(cell, Tag)]
        for row in table.find_all("tr")
        if isinstance(row, Tag) and row.find_parent("table") is table
    ]
    if not rows or not rows[0]:
        return None
    width = len(rows[0])
    head = rows[0]
    in_head = head[0].find_parent("thead") is not None
    if not (in_head or all(cell.name == "th" for cell in head)):
        return None  # a Markdown table must have a header row
    for row in rows:
        if len(row) != width:
            return None
        for cell in row:
            if str(cell.get("colspan") or "1") != "1" or str(cell.get("rowspan") or "1") != "1":
                return None
            if any(
                isinstance(d, Tag) and (d.name in _BLOCK_CONTENT or d.name in ("li", "dl"))
                for d in cell.descendants
            ):
                return None
    return rows


def _alignment(cell: Tag) -> str:
    style = str(cell.get("style") or "") + " " + str(cell.get("align") or "")
    style += " " + " ".join(str(c) for c in cell.get_attribute_list("class") if c)
    found = re.search(r"(?:text-align\s*:\s*|has-text-align-|^\s*)(left|center|right)", style)
    where = found.group(1) if found else ""
    return {"left": ":---", "center": ":---:", "right": "---:"}.get(where, "---")


def _flatten_deep(soup: BeautifulSoup) -> None:
    """Replace what lies deeper than _MAX_DEPTH with its text, so conversion cannot recurse
    past Python's limit on hostile input."""
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        el, depth = stack.pop()
        for child in list(el.children):
            if not isinstance(child, Tag):
                continue
            if depth + 1 >= _MAX_DEPTH:
                child.replace_with(NavigableString(" " + child.get_text(" ") + " "))
            else:
                stack.append((child, depth + 1))


_INLINE = _UNWRAP_INLINE | _KEEP_INLINE | _STRIKE | _names("em i strong b code tt kbd samp")


_SAME_EMPHASIS = {
    "em": ["em", "i"],
    "i": ["em", "i"],
    "strong": ["strong", "b"],
    "b": ["strong", "b"],
}


def _unwrap_inline_around_blocks(soup: BeautifulSoup) -> None:
    """``<strong><p>x</p></strong>`` (editors write it) as ``<p>x</p>``: emphasis cannot
    span paragraphs in Markdown, and the paragraphs matter more."""
    for el in soup.find_all(list(_INLINE)):
        if not isinstance(el, Tag):
            continue
        if el.find(list(_BLOCK_CONTENT)) is not None:
            el.unwrap()
        elif el.name in _EMPHASIS and el.find_parent(_SAME_EMPHASIS[el.name]) is not None:
            el.unwrap()  # *italic inside italic* would turn bold


def _mark_more(soup: BeautifulSoup) -> None:
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        if re.match(r"\s*more\b", str(comment)):
            comment.replace_with(NavigableString(_MORE))


def _take_footnotes(soup: BeautifulSoup) -> list[tuple[str, Tag]]:
    """Footnotes the HTML links both ways (a reference ↔ a note that links back), taken out of
    the document as (label, note); each reference becomes a placeholder for ``[^label]``."""
    notes: dict[int, tuple[str, Tag]] = {}
    for ref in soup.find_all("a", href=re.compile(r"^#.")):
        if not isinstance(ref, Tag) or ref.parent is None:
            continue
        target = soup.find(id=str(ref["href"])[1:])
        if not isinstance(target, Tag) or target is ref:
            continue
        note = target.parent if target.name == "a" else target
        if not isinstance(note, Tag) or note.name in ("[document]", "body"):
            continue
        if any(node is ref for node in note.descendants):
            continue
        ref_ids = {str(i) for i in (ref.get("id"), ref.parent.get("id")) if i}
        backlinks = [
            a
            for a in note.find_all("a", href=True)
            if str(a["href"])[1:] in ref_ids and str(a["href"]).startswith("#")
        ]
        if not ref_ids or not backlinks:
            continue
        if id(note) not in notes:
            label = ref.get_text().strip().strip("[]")
            if not re.fullmatch(r"[\w-]{1,20}", label) or any(
                label == used for used, _ in notes.values()
            ):
                label = str(len(notes) + 1)
            notes[id(note)] = (label, note)
        label = notes[id(note)][0]
        marker = (
            ref.parent
            if ref.parent.name == "sup" and ref.parent.get_text() == ref.get_text()
            else ref
        )
        marker.replace_with(NavigableString(f"{_FOOTNOTE}{label}{_FOOTNOTE}"))
    taken = []
    for label, note in notes.values():
        for link in note.find_all("a", href=True):
            if str(link["href"]).startswith("#") and link.get_text().strip() in (
                "↩",
                "↩︎",
                "^",
                label,
                "",
            ):
                link.decompose()
        parent = note.parent
        note.extract()
        note.name = "div"  # its content is the note, not a list item or a box
        while (
            isinstance(parent, Tag)
            and parent.name != "[document]"
            and not parent.get_text().strip()
        ):
            above = parent.parent
            previous = _previous_content(parent)
            parent.extract()
            if isinstance(previous, Tag) and previous.name == "hr":
                previous.extract()
            parent = above
        taken.append((label, note))
    return taken
