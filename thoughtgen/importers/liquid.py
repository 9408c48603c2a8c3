"""Liquid and Nunjucks in posts from Jekyll and Eleventy: convert what has a meaning, flag the rest.

Both generators run a template language over a post before Markdown sees it, so a post
holds ``{% highlight %}`` blocks, ``{{ site.baseurl }}`` prefixes and links made with
``{% post_url %}``. thoughtgen runs no template language over posts: whatever keeps a
meaning without one is converted here (fenced code, literal text, plain links, known site
values), and every other tag is left where it is and reported with its file line, so the
writer knows exactly what to replace.

Text that ``{% raw %}`` protected must stay literal in thoughtgen as well. Where it lies
outside code, its braces are written as ``&#123;`` so that it renders the same and is not
mistaken for a leftover tag (see :func:`finish_literal_text`).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from thoughtgen.mdcode import code_spans, prose_lines
from thoughtgen.slugs import slugify

# (tag name, argument) → the link target to write, or None when there is no such target.
LinkResolver = Callable[[str, str], "str | None"]
Filter = Callable[[str, str], "str | None"]

# Marks a brace that {% raw %} protected; see finish_literal_text. A Unicode noncharacter,
# so it never stands for text of its own.
LITERAL_BRACE = "\ufdd0"

_URL_FILTERS = {"relative_url", "absolute_url", "url", "absoluteUrl", "htmlBaseUrl"}
_TEXT_FILTERS: dict[str, Callable[[str], str]] = {
    "escape": html.escape,
    "xml_escape": html.escape,
    "escape_once": lambda s: html.escape(html.unescape(s)),
    "strip": str.strip,
    "downcase": str.lower,
    "lower": str.lower,
    "upcase": str.upper,
    "upper": str.upper,
    "capitalize": str.capitalize,
    "slugify": slugify,
    "slug": slugify,
    "safe": lambda s: s,
}
_LOGIC = {
    "assign", "capture", "set", "if", "unless", "for", "case", "cycle", "increment",
    "decrement", "tablerow", "macro", "call", "block", "extends", "filter", "with", "liquid",
    "echo", "from", "import", "asyncEach", "asyncAll", "each",
}  # fmt: skip
_CLOSERS = {"else", "elsif", "elif", "when", "empty", "break", "continue"}
_INCLUDES = {"include", "include_relative", "include_cached", "render", "renderTemplate"}

_TAG_NAME = re.compile(r"\s*([A-Za-z_][\w]*)\s*(.*)", re.S)
_NAME = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")
_FILTER = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:[:(](.*?)\)?)?\s*$", re.S)
_LANGUAGE = re.compile(r"^[\w+#.-]+$")
_GIST = re.compile(r"^[\w-]+(?:/[\w-]+)?$")
_ARGUMENT = re.compile(r"""\s*("[^"]*"|'[^']*')\s*,?""")


@dataclass(frozen=True)
class LiquidSettings:
    """What one post's template tags may refer to, and how the generator is named."""

    engine: str = "Liquid"  # named in messages: "Liquid" or "Nunjucks"
    # Dotted names and their text: "site.title", "page.title", "metadata.author.name", "title".
    values: Mapping[str, str] = field(default_factory=dict)
    # Names standing for the site's own address ("site.url", "site.baseurl") and the text
    # each gives on its own. Before a path or a link they give "", so the link stays
    # site-relative and thoughtgen adds its own base path.
    addresses: Mapping[str, str] = field(default_factory=dict)
    link: LinkResolver | None = None  # resolves {% post_url %} and {% link %}
    # More filters: name → f(value, argument as written) giving the text, or None.
    filters: Mapping[str, Filter] = field(default_factory=dict)
    comments: bool = False  # Nunjucks {# … #} comments
    image_shortcode: bool = False  # Eleventy's {% image "src", "alt" %} starter shortcode


@dataclass
class Converted:
    text: str
    problems: list[tuple[int, str]]  # (file line, message)


def convert_liquid(text: str, first_line: int, settings: LiquidSettings) -> Converted:
    """``text`` (a post's body starting at file line ``first_line``) with its tags converted."""
    return _Converter(text, first_line, settings).run()


def quoted(tag: str, limit: int = 60) -> str:
    """A tag as a message shows it: one line, cut to about ``limit`` characters."""
    flat = " ".join(tag.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Converter:
    def __init__(self, text: str, first_line: int, settings: LiquidSettings) -> None:
        self.text = text
        self.first_line = first_line
        self.settings = settings
        self.out: list[str] = []
        self.problems: list[tuple[int, str]] = []
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_at(self, pos: int) -> int:
        return self.first_line + bisect_left(self.newlines, pos)

    def flag(self, pos: int, message: str) -> None:
        self.problems.append((self.line_at(pos), message))

    def run(self) -> Converted:
        text, pos = self.text, 0
        while True:
            start = _next_open(text, pos, self.settings.comments)
            if start == -1:
                self.out.append(text[pos:])
                break
            self.out.append(text[pos:start])
            kind = text[start + 1]
            closer = {"{": "}}", "%": "%}", "#": "#}"}[kind]
            end = text.find(closer, start + 2)
            if end == -1:
                tag = text[start : start + 40]
                self.flag(
                    start,
                    f"{quoted(tag)} is never closed with '{closer}'; "
                    "finish or remove the tag (it stays as text)",
                )
                self.out.append(text[start:])
                break
            inner = text[start + 2 : end]
            after = end + 2
            if kind == "#":
                pos = self.trimmed(inner, after)
            elif kind == "{":
                pos = self.output(start, inner, after)
            else:
                pos = self.tag(start, inner, after)
        return Converted("".join(self.out), self.problems)

    # Whitespace control: {%- and {{- remove the whitespace before, -%} and -}} after.
    def trimmed(self, inner: str, after: int) -> int:
        if inner.startswith("-"):
            self.strip_before()
        if inner.endswith("-"):
            while after < len(self.text) and self.text[after] in " \t\r\n":
                after += 1
        return after

    def replace(self, inner: str, after: int, text: str) -> int:
        """Write ``text`` for the tag that ends at ``after``, honouring its dashes."""
        if inner.startswith("-"):
            self.strip_before()
        self.out.append(text)
        return self.trimmed(inner.removeprefix("-"), after)

    def current_line(self) -> str:
        """What is written so far on the output's current line."""
        tail = []
        for piece in reversed(self.out):
            if "\n" in piece:
                tail.append(piece[piece.rfind("\n") + 1 :])
                break
            tail.append(piece)
        return "".join(reversed(tail))

    def strip_before(self) -> None:
        while self.out and not self.out[-1].strip(" \t\r\n"):
            self.out.pop()
        if self.out:
            self.out[-1] = self.out[-1].rstrip(" \t\r\n")

    def keep(self, start: int, after: int, message: str) -> int:
        self.flag(start, message)
        self.out.append(self.text[start:after])
        return after

    def tag(self, start: int, inner: str, after: int) -> int:
        body = _undash(inner)
        match = _TAG_NAME.match(body)
        raw_tag = self.text[start:after]
        engine = self.settings.engine
        if match is None:
            return self.keep(start, after, f"{quoted(raw_tag)} is not a {engine} tag; remove it")
        name, argument = match.group(1), match.group(2).strip()
        if name == "raw":
            return self.block_raw(start, inner, after)
        if name == "comment":
            return self.block_comment(start, inner, after)
        if name == "highlight":
            return self.block_highlight(start, inner, after, argument)
        if name in ("post_url", "link") and self.settings.link is not None:
            return self.link_tag(start, inner, after, name, argument)
        if name == "gist" and _GIST.match(argument.split(" ")[0] if argument else ""):
            gist, _, file_name = argument.partition(" ")
            query = f"?file={file_name.strip()}" if file_name.strip() else ""
            # What jekyll-gist writes, less its <noscript> copy (that needs the network).
            script = f'<script src="https://gist.github.com/{gist}.js{query}"></script>'
            return self.replace(inner, after, script)
        if name == "image" and self.settings.image_shortcode:
            image = _image_shortcode(argument)
            if image is not None:
                return self.replace(inner, after, image)
        shown = quoted(raw_tag)
        if name in _INCLUDES:
            message = (
                f"{shown} pulls in a {engine} include, which thoughtgen does not have; "
                "paste the HTML it produced here, or remove it"
            )
        elif name in _LOGIC:
            message = (
                f"{shown} is {engine} logic, which thoughtgen does not run; keep the text "
                "you want and remove the tags"
            )
        elif name.startswith("end") or name in _CLOSERS:
            message = (
                f"{shown} closes or continues the {engine} block above; "
                "remove it together with its opening tag"
            )
        else:
            message = (
                f"{shown} is a {engine} tag thoughtgen does not know (a plugin or "
                "shortcode); replace it with Markdown or HTML that shows the same thing"
            )
        return self.keep(start, after, message)

    def block_end(self, name: str, after: int) -> re.Match[str] | None:
        return re.compile(r"\{%(-?)\s*end" + name + r"\s*(-?)%\}").search(self.text, after)

    def block_raw(self, start: int, inner: str, after: int) -> int:
        end = self.block_end("raw", after)
        if end is None:
            self.flag(
                start, "{% raw %} is never closed with {% endraw %}; the rest is kept as text"
            )
            self.trimmed(inner, after)
            self.out.append(_literal(self.text[after:]))
            return len(self.text)
        content_start = self.trimmed(inner, after)
        content = self.text[content_start : end.start()]
        if end.group(1):
            content = content.rstrip(" \t\r\n")
        self.out.append(_literal(content))
        return self.trimmed("-" if end.group(2) else "", end.end())

    def block_comment(self, start: int, inner: str, after: int) -> int:
        end = self.block_end("comment", after)
        if end is None:
            return self.keep(
                start, after, "{% comment %} is never closed; close it or remove the tag"
            )
        self.trimmed(inner, after)  # a comment shows nothing: drop it and what it holds
        return self.trimmed("-" if end.group(2) else "", end.end())

    def block_highlight(self, start: int, inner: str, after: int, argument: str) -> int:
        end = self.block_end("highlight", after)
        if end is None:
            return self.keep(
                start,
                after,
                f"{quoted(self.text[start:after])} is never closed with {{% endhighlight %}}; "
                "close it, or turn it into a ``` fenced code block",
            )
        # The block's content is itself run through the template language before it is
        # highlighted; convert it the same way (it is where {% raw %} is most used).
        content = self.text[after : end.start()]
        nested = _Converter(content, self.line_at(after), self.settings).run()
        self.problems.extend(nested.problems)
        # Jekyll drops the line breaks around the code; the closing tag's indent goes too.
        code = nested.text.lstrip("\r\n").rstrip()
        if inner.startswith("-"):
            self.strip_before()
        line_start = self.current_line()
        indent = line_start if not line_start.strip() else ""
        if line_start.strip():
            self.out.append("\n")  # a fence starts a line of its own
        fence = "`" * max(3, _longest_run(code, "`") + 1)
        opening = f"{fence}{_language(argument)}"
        self.out.append(
            "\n".join([opening, code, indent + fence] if code else [opening, indent + fence])
        )
        rest = end.end()
        if rest < len(self.text) and self.text[rest] not in "\r\n":
            self.out.append("\n")
        return rest

    def link_tag(self, start: int, inner: str, after: int, name: str, argument: str) -> int:
        assert self.settings.link is not None
        shown = quoted(self.text[start:after])
        if "{{" in argument or not argument:
            return self.keep(
                start,
                after,
                f"{shown} names its target with a template value; "
                "replace it with a link to the post",
            )
        target = self.settings.link(name, argument.strip("\"'"))
        if target is None:
            what = "post" if name == "post_url" else "file"
            return self.keep(
                start,
                after,
                f"{shown}: no {what} {argument!r} in this export; replace it with a link",
            )
        return self.replace(inner, after, target)

    def output(self, start: int, inner: str, after: int) -> int:
        value = self.evaluate(_undash(inner), after)
        if value is None:
            return self.keep(
                start,
                after,
                f"{quoted(self.text[start:after])} is a {self.settings.engine} value "
                "thoughtgen cannot work out; replace it with the text it showed",
            )
        return self.replace(inner, after, value)

    def evaluate(self, expression: str, after: int) -> str | None:
        parts = _split_filters(expression)
        head = parts[0].strip()
        filters = parts[1:]
        value: str | None
        if len(head) >= 2 and head[0] == head[-1] and head[0] in "\"'":
            value = head[1:-1]
        elif not _NAME.fullmatch(head):
            return None
        elif head in self.settings.addresses:
            if filters:
                return None
            return self.address(head, after)
        else:
            value = self.settings.values.get(head)
        if value is None:
            return None
        for spec in filters:
            match = _FILTER.match(spec)
            if match is None:
                return None
            name = match.group(1)
            found = self.settings.filters.get(name) or _FILTERS.get(name)
            if name in _URL_FILTERS:
                value = self.site_path(value, name)
            elif found is not None:
                value = found(value, (match.group(2) or "").strip())
                if value is None:
                    return None
            elif name in _TEXT_FILTERS and not match.group(2):
                value = _TEXT_FILTERS[name](value)
            elif name == "default" and match.group(2):
                fallback = match.group(2).strip()
                if not (
                    len(fallback) >= 2 and fallback[0] == fallback[-1] and fallback[0] in "\"'"
                ):
                    return None
                value = value or fallback[1:-1]
            else:
                return None
        return value

    def address(self, name: str, after: int) -> str:
        rest = self.text[after : after + 80]
        follows_path = rest.startswith("/") or re.match(
            r"\{\{-?\s*(?:" + "|".join(re.escape(n) for n in self.settings.addresses) + r")\b"
            r"|\{%-?\s*(?:post_url|link)\b|\{\{-?\s*['\"]/",
            rest,
        )
        return "" if follows_path else self.settings.addresses[name]

    def site_path(self, value: str, filter_name: str) -> str:
        """What a URL filter gives, as a site-relative path where the value is on this site."""
        for address in sorted(self.settings.addresses.values(), key=len, reverse=True):
            prefix = address.rstrip("/")
            if prefix and (value == prefix or value.startswith(prefix + "/")):
                value = value[len(prefix) :] or "/"
                break
        if filter_name in ("relative_url", "absolute_url") and "://" not in value:
            value = value if value.startswith("/") else "/" + value
        return value


def liquid_date(value: str, argument: str) -> str | None:
    """Liquid's ``date`` filter (strftime) on an ISO date, e.g. ``date: "%B %-d, %Y"``."""
    fmt = argument.strip()
    if len(fmt) < 2 or fmt[0] != fmt[-1] or fmt[0] not in "\"'":
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1)).strftime(fmt[1:-1])
    except ValueError:
        return None


_FILTERS: dict[str, Filter] = {"date": liquid_date}


def _next_open(text: str, pos: int, comments: bool) -> int:
    while True:
        start = text.find("{", pos)
        if start == -1 or start + 1 >= len(text):
            return -1
        if text[start + 1] in "{%" or (comments and text[start + 1] == "#"):
            return start
        pos = start + 1


def _undash(inner: str) -> str:
    if inner.startswith("-"):
        inner = inner[1:]
    if inner.endswith("-"):
        inner = inner[:-1]
    return inner.strip()


def _split_filters(expression: str) -> list[str]:
    parts, current, quote = [], [], ""
    for ch in expression:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _language(argument: str) -> str:
    """``ruby linenos`` → ``ruby``; Eleventy's ``"js 1,3"`` → ``js``."""
    text = argument.strip()
    if text[:1] in ("'", '"'):
        text = text[1:].split(text[0], 1)[0]
    word = text.split()[0] if text.split() else ""
    return word if _LANGUAGE.match(word) else ""


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)


def _image_shortcode(argument: str) -> str | None:
    """``"./cat.jpg", "A cat"`` (the Eleventy starter's shortcode) → ``![A cat](./cat.jpg)``."""
    values = []
    pos = 0
    while pos < len(argument):
        match = _ARGUMENT.match(argument, pos)
        if match is None:
            break
        values.append(match.group(1)[1:-1])
        pos = match.end()
    if len(values) < 2 or argument[pos:].strip():
        return None
    source, alt = values[0], values[1]
    if not source or any(ch in source for ch in " ()<>"):
        return None
    return f"![{alt.replace('[', '(').replace(']', ')')}]({source})"


def _literal(text: str) -> str:
    return text.replace("{{", LITERAL_BRACE + "{{").replace("{%", LITERAL_BRACE + "{%")


# --- Finishing: what {% raw %} protected, outside code ---------------------------------


def outside_code(markdown: str, change: Callable[[str], str], indented_code: bool = True) -> str:
    """``markdown`` with ``change`` applied to each stretch of text outside code.

    Code is what Markdown shows literally: fenced blocks, inline code spans and (when
    ``indented_code``) blocks indented four spaces after a blank line, as
    ``thoughtgen.foreign`` counts them.
    """
    lines = markdown.split("\n")
    for index in prose_lines(lines, indented_code):
        line = lines[index]
        pieces, pos = [], 0
        for start, end in code_spans(line):
            pieces += [change(line[pos:start]), line[start:end]]
            pos = end
        pieces.append(change(line[pos:]))
        lines[index] = "".join(pieces)
    return "\n".join(lines)


def finish_literal_text(markdown: str) -> str:
    """Protected braces outside code become ``&#123;`` (renders as ``{``); the marks go."""
    if LITERAL_BRACE not in markdown:
        return markdown
    done = outside_code(markdown, lambda s: s.replace(LITERAL_BRACE + "{", "&#123;"))
    return done.replace(LITERAL_BRACE, "")
