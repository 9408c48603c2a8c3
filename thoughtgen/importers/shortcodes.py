"""Hugo shortcodes in a post's Markdown: the common ones rewritten, the rest flagged.

Hugo expands shortcodes before it renders Markdown, anywhere in the text, code blocks
included (which is why writers escape them there as ``{{</* name */>}}``). So this does
the same: every ``{{< … >}}`` and ``{{% … %}}`` is read with its named and positional
parameters, paired ones (``{{< highlight go >}}…{{< /highlight >}}``) with what they
enclose, and Hugo's built-in shortcodes become Markdown or plain HTML:

- ``ref``/``relref`` → a relative link to the target's Markdown file (the build resolves
  those to the target's URL); the caller supplies the lookup.
- ``figure`` → a Markdown image, or ``<figure>`` HTML when it has a caption, a link's
  target, a size or a class.
- ``highlight`` → a fenced code block (``hl_lines`` kept, which thoughtgen's highlighter
  reads; line-number options dropped).
- ``youtube``, ``vimeo``, ``tweet``/``x``/``twitter``, ``instagram``, ``gist`` → a plain
  link to the video or post. A link rather than an embed: no third-party requests or
  cookies on page load, nothing for the theme to size, and it reads the same in feeds.
- ``param`` → its value, looked up by the caller (the page's front matter, then the
  site's params).
- ``details`` → ``<details>`` HTML; ``comment`` → an HTML comment (it never showed).

Anything else (a theme's or the site's own shortcodes) is left as written and reported
with its line, as is a built-in one whose parameters cannot be used.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from thoughtgen.mdcode import code_ranges

# How a tag is written. Quantifiers are possessive and values capped so that a hostile
# file with thousands of unfinished "{{<" costs little: each attempt ends at the first
# character a shortcode cannot contain.
_SPACE = r"[ \t\r\n]"
_QUOTED = r'"(?:[^"\\]|\\.){0,4000}+"'
_RAW = r"`[^`]{0,4000}+`"
_BARE = r"(?:[^\s\"`{}<>%/]|[>%](?!\}\})|\}|/(?!" + _SPACE + r"*+[>%]\}\}))++"
_VALUE = f"(?:{_QUOTED}|{_RAW}|{_BARE})"
_TAG = re.compile(
    r"\{\{(?P<delim>[<%])" + _SPACE + r"*+(?P<close>/" + _SPACE + r"*+)?"
    r"(?P<name>[\w.-]++(?:/[\w.-]++)*+)"
    r"(?P<params>(?:"
    + _SPACE
    + r"++(?:[\w-]++[ \t]*+=[ \t]*+)?"
    + _VALUE
    + r"){0,100}+)"
    + _SPACE
    + r"*+(?P<self>/)?"
    + _SPACE
    + r"*+(?P<end>[>%])\}\}"
)
_PARAM = re.compile(
    r"(?:(?P<key>[\w-]+)[ \t]*=[ \t]*)?"
    r"(?:\"(?P<quoted>(?:[^\"\\]|\\.)*)\"|`(?P<raw>[^`]*)`|(?P<bare>[^\s\"`]+))"
)
_OPEN = re.compile(r"\{\{[<%]")
_LOOKS_LIKE_TAG = re.compile(r"\{\{[<%]" + _SPACE + r"{0,20}/?" + _SPACE + r"{0,20}\w")
_COMMENT_OPEN = re.compile(r"\{\{(?P<delim>[<%])" + _SPACE + r"*+/\*")
_COMMENT_CLOSE = re.compile(r"\*/" + _SPACE + r"*+(?P<delim>[<%>])\}\}")

# Paired shortcodes nest at most this deep (deeper ones are read as standalone tags), which
# bounds the work, and the recursion, a hostile file can cause.
MAX_NESTING = 40
# Built-in shortcodes that enclose content; every other built-in one stands alone.
_PAIRED = {"highlight", "details", "comment"}


@dataclass
class Shortcode:
    """One shortcode tag as written: ``{{< name arg key="value" >}}``."""

    name: str
    args: list[str]
    kwargs: dict[str, str]
    closing: bool
    self_closing: bool
    start: int
    end: int
    line: int
    text: str

    def get(self, key: str, index: int | None = None) -> str | None:
        """A parameter by name, else by position (as Hugo's ``.Get`` allows either)."""
        if key in self.kwargs:
            return self.kwargs[key]
        if index is not None and index < len(self.args):
            return self.args[index]
        return None


@dataclass
class _Escaped:
    """``{{</* name */>}}``: Hugo prints the tag itself, without the comment marks."""

    literal: str
    start: int
    end: int


@dataclass
class _Node:
    tag: Shortcode | None
    children: list[_Node | Shortcode | _Escaped] = field(default_factory=list)
    close: Shortcode | None = None


ParamLookup = Callable[[str], object]
RefLookup = Callable[[str], str | None]
MISSING = object()  # what a ParamLookup returns for a name it does not know


@dataclass
class Converted:
    text: str
    problems: list[tuple[int, str]]  # (file line, message)


def convert_shortcodes(
    text: str,
    first_line: int = 1,
    param: ParamLookup | None = None,
    ref: RefLookup | None = None,
    protect: Callable[[str], str] | None = None,
) -> Converted:
    """``text`` with Hugo's shortcodes converted; what was left, with file lines.

    ``protect``, when given, receives every piece written in place of a tag (converted or
    left as written) and returns what goes into the text instead: an HTML page uses it to
    keep those pieces away from its HTML-to-Markdown conversion.
    """
    if "{{" not in text:
        return Converted(text, [])
    return _Converter(text, first_line, param, ref, protect or (lambda piece: piece)).run()


class _Converter:
    def __init__(
        self,
        text: str,
        first_line: int,
        param: ParamLookup | None,
        ref: RefLookup | None,
        protect: Callable[[str], str],
    ) -> None:
        self.text = text
        self.first_line = first_line
        self.param = param
        self.ref = ref
        self.protect = protect
        self.problems: list[tuple[int, str]] = []
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.code = code_ranges(text)

    def line_at(self, offset: int) -> int:
        return self.first_line + bisect.bisect_left(self.newlines, offset)

    def flag(self, offset: int, message: str) -> None:
        self.problems.append((self.line_at(offset), message))

    def run(self) -> Converted:
        root = self.tree(self.tokens())
        out = self.render(root.children, 0, len(self.text), in_code=False)
        return Converted(out, sorted(self.problems))

    # Reading -------------------------------------------------------------------------

    def tokens(self) -> list[Shortcode | _Escaped]:
        text = self.text
        closes = [(m.start(), m.end()) for m in _COMMENT_CLOSE.finditer(text)]
        found: list[Shortcode | _Escaped] = []
        pos = 0
        while (opened := _OPEN.search(text, pos)) is not None:
            start = opened.start()
            comment = _COMMENT_OPEN.match(text, start)
            if comment is not None:
                index = bisect.bisect_left(closes, (comment.end(), 0))
                if index < len(closes):
                    close_start, close_end = closes[index]
                    inner = text[comment.end() : close_start]
                    delim = comment.group("delim")
                    end_delim = ">" if delim == "<" else "%"
                    literal = "{{" + delim + inner + end_delim + "}}"
                    found.append(_Escaped(literal, start, close_end))
                    pos = close_end
                    continue
            match = _TAG.match(text, start)
            if match is not None and "<%".index(match["delim"]) != ">%".index(match["end"]):
                match = None
            if match is None:
                if _LOOKS_LIKE_TAG.match(text, start):
                    self.flag(
                        start, "could not read this shortcode (is it closed?); left as written"
                    )
                pos = start + 3
                continue
            found.append(self.shortcode(match))
            pos = match.end()
        return found

    def shortcode(self, match: re.Match[str]) -> Shortcode:
        args: list[str] = []
        kwargs: dict[str, str] = {}
        for param in _PARAM.finditer(match.group("params")):
            if param.group("quoted") is not None:
                value = re.sub(r"\\(.)", r"\1", param.group("quoted"))
            elif param.group("raw") is not None:
                value = param.group("raw")
            else:
                value = param.group("bare")
            if param.group("key"):
                kwargs[param.group("key")] = value
            else:
                args.append(value)
        return Shortcode(
            name=match.group("name"),
            args=args,
            kwargs=kwargs,
            closing=match.group("close") is not None,
            self_closing=match.group("self") is not None,
            start=match.start(),
            end=match.end(),
            line=self.line_at(match.start()),
            text=match.group(0),
        )

    def tree(self, tokens: list[Shortcode | _Escaped]) -> _Node:
        """Pair opening and closing tags; an opener encloses content only if it is closed."""
        closers: dict[str, list[int]] = {}
        for index, token in enumerate(tokens):
            if isinstance(token, Shortcode) and token.closing:
                closers.setdefault(token.name, []).append(index)
        root = _Node(None)
        stack = [root]
        for index, token in enumerate(tokens):
            if isinstance(token, _Escaped):
                stack[-1].children.append(token)
            elif token.closing:
                names = [node.tag.name if node.tag else "" for node in stack]
                depth = next(
                    (d for d in range(len(stack) - 1, 0, -1) if names[d] == token.name), None
                )
                if depth is None:
                    self.flag(
                        token.start,
                        f"closing tag {token.text} has no opening tag; left as written",
                    )
                    stack[-1].children.append(token)
                    continue
                while len(stack) - 1 > depth:
                    _unwrap(stack)
                stack[-1].close = token
                done = stack.pop()
                stack[-1].children.append(done)
            elif (
                not token.self_closing
                and len(stack) <= MAX_NESTING
                and _closed_later(closers.get(token.name, []), index)
            ):
                node = _Node(token)
                stack.append(node)
            else:
                stack[-1].children.append(token)
        while len(stack) > 1:
            _unwrap(stack)
        return root

    # Writing -------------------------------------------------------------------------

    def in_code(self, offset: int) -> bool:
        index = bisect.bisect_right(self.code, (offset, len(self.text) + 1)) - 1
        return index >= 0 and self.code[index][0] <= offset < self.code[index][1]

    def render(
        self, items: list[_Node | Shortcode | _Escaped], start: int, end: int, in_code: bool
    ) -> str:
        out: list[str] = []
        pos = start
        for item in items:
            first = item.start if not isinstance(item, _Node) else _opening(item).start
            out.append(self.text[pos:first])
            if isinstance(item, _Escaped):
                plain = in_code or self.in_code(item.start)
                literal = item.literal if plain else "&#123;&#123;" + item.literal[2:]
                out.append(self.protect(literal))
                pos = item.end
            elif isinstance(item, Shortcode):
                out.append(self.protect(self.single(item)))
                pos = item.end
            else:
                out.append(self.paired(item, in_code))
                assert item.close is not None
                pos = item.close.end
        out.append(self.text[pos:end])
        return "".join(out)

    def single(self, tag: Shortcode) -> str:
        if tag.closing:
            return tag.text
        handler = _SINGLE.get(tag.name)
        if handler is None:
            if tag.name in _PAIRED:
                self.flag(tag.start, f"{tag.text} has no closing tag; left as written")
            else:
                self.unknown(tag)
            return tag.text
        result = handler(self, tag)
        return tag.text if result is None else result

    def paired(self, node: _Node, in_code: bool) -> str:
        tag, close = node.tag, node.close
        assert tag is not None and close is not None
        code = in_code or tag.name == "highlight"
        inner = self.render(node.children, tag.end, close.start, code)
        handler = _PAIRED_HANDLERS.get(tag.name)
        result = None if handler is None else handler(self, tag, close, inner)
        if result is None:
            if handler is None:
                self.unknown(tag, paired=True)
            return self.protect(tag.text) + inner + self.protect(close.text)
        return self.protect(result)

    def unknown(self, tag: Shortcode, paired: bool = False) -> None:
        what = "its tags and the text between them" if paired else "it"
        self.flag(
            tag.start,
            f"shortcode '{tag.name}' is not one thoughtgen can convert; left {what} as "
            "written: replace it with Markdown or HTML",
        )

    def indent_of(self, offset: int) -> str:
        """The indentation before a tag that starts its line (inside a list item), else ""."""
        before = self.text[self.text.rfind("\n", 0, offset) + 1 : offset]
        return before if not before.strip() else ""

    def surround(self, tag_start: int, tag_end: int, output: str, blank: bool) -> str:
        """``output`` on lines of its own (after a blank line when ``blank``)."""
        text = self.text
        line_start = text.rfind("\n", 0, tag_start) + 1
        line_end = text.find("\n", tag_end)
        line_end = len(text) if line_end == -1 else line_end
        before = text[line_start:tag_start]
        indent = before if not before.strip() else ""
        output = output.replace("\n", "\n" + indent) if indent else output
        prefix = suffix = ""
        if before.strip():
            prefix = "\n\n" if blank else "\n"
        elif blank and line_start > 0:
            previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
            if previous.strip():
                prefix = "\n" + indent
        if text[tag_end:line_end].strip():
            suffix = "\n\n" if blank else "\n"
        elif blank and line_end < len(text):
            following_end = text.find("\n", line_end + 1)
            following = text[line_end + 1 : len(text) if following_end == -1 else following_end]
            if following.strip():
                suffix = "\n"
        return prefix + output + suffix


def _opening(node: _Node) -> Shortcode:
    assert node.tag is not None  # only the root has no tag, and it is never rendered as an item
    return node.tag


def _closed_later(closing_indexes: list[int], index: int) -> bool:
    return bisect.bisect_right(closing_indexes, index) < len(closing_indexes)


def _unwrap(stack: list[_Node]) -> None:
    """The innermost open tag was never closed: it stands alone, its contents follow it."""
    node = stack.pop()
    assert node.tag is not None
    stack[-1].children.append(node.tag)
    stack[-1].children.extend(node.children)


# The built-in shortcodes ---------------------------------------------------------------


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _inline_markdown(text: str) -> str:
    """A caption as HTML, the way Hugo's ``markdownify`` gives it (no wrapping paragraph)."""
    import markdown  # only when a figure has a caption

    rendered = markdown.markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def _markdown_image(alt: str, src: str, title: str) -> str:
    alt = alt.replace("[", "\\[").replace("]", "\\]")
    target = f"<{src}>" if re.search(r"[\s()<>]", src) else src
    if title:
        target += ' "' + title.replace('"', '\\"') + '"'
    return f"![{alt}]({target})"


def _figure(conv: _Converter, tag: Shortcode) -> str | None:
    src = tag.get("src")
    if not src:
        conv.flag(tag.start, "figure without a src; left as written")
        return None
    alt = tag.get("alt") or ""
    title = tag.get("title") or ""
    link = tag.get("link") or ""
    caption = tag.get("caption") or ""
    attr = tag.get("attr") or ""
    needs_html = {"title", "caption", "attr", "class", "width", "height", "target", "rel"}
    needs_html.add("loading")
    if not needs_html & set(tag.kwargs):
        image = _markdown_image(alt, src, title)
        return f"[{image}]({link})" if link else image
    img = f'<img src="{_attr(src)}"'
    if alt:
        img += f' alt="{_attr(alt)}"'
    for key in ("width", "height", "loading"):
        if tag.get(key):
            img += f' {key}="{_attr(tag.get(key) or "")}"'
    img += ">"
    if link:
        extra = "".join(
            f' {key}="{_attr(tag.get(key) or "")}"' for key in ("target", "rel") if tag.get(key)
        )
        img = f'<a href="{_attr(link)}"{extra}>{img}</a>'
    parts = []
    if title:
        parts.append(f"<strong>{html.escape(title)}</strong>")
    if caption:
        parts.append(_inline_markdown(caption))
    if attr:
        credit = _inline_markdown(attr)
        if tag.get("attrlink"):
            credit = f'<a href="{_attr(tag.get("attrlink") or "")}">{credit}</a>'
        parts.append(credit)
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    css = f' class="{_attr(tag.get("class") or "")}"' if tag.get("class") else ""
    return conv.surround(tag.start, tag.end, f"<figure{css}>{img}{figcaption}</figure>", True)


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _link_words(title: str | None, site: str) -> str:
    return f"{_escape_link_text(title)} (video on {site})" if title else f"Watch on {site}"


def _youtube(conv: _Converter, tag: Shortcode) -> str | None:
    video = tag.get("id", 0)
    if not video or not re.fullmatch(r"[\w-]+", video):
        conv.flag(tag.start, "youtube shortcode without a video id; left as written")
        return None
    url = f"https://www.youtube.com/watch?v={video}"
    start = tag.get("start")
    if start and start.isdigit():
        url += f"&t={start}s"
    title = tag.get("title")
    return f"[{_link_words(title, 'YouTube')}]({url})"


def _vimeo(conv: _Converter, tag: Shortcode) -> str | None:
    video = tag.get("id", 0)
    if not video or not re.fullmatch(r"[\w-]+", video):
        conv.flag(tag.start, "vimeo shortcode without a video id; left as written")
        return None
    return f"[{_link_words(tag.get('title'), 'Vimeo')}](https://vimeo.com/{video})"


def _post_on_x(conv: _Converter, tag: Shortcode) -> str | None:
    user, status = tag.kwargs.get("user"), tag.kwargs.get("id")
    if not tag.kwargs and len(tag.args) == 1:  # the old form: {{< tweet 877500564405444608 >}}
        status = tag.args[0]
    elif not tag.kwargs and len(tag.args) >= 2:
        user, status = tag.args[0], tag.args[1]
    if not status or not status.isdigit() or (user and not re.fullmatch(r"\w{1,50}", user)):
        conv.flag(tag.start, f"{tag.name} shortcode without a post id; left as written")
        return None
    if user:
        return f"[Post by @{user} on X](https://x.com/{user}/status/{status})"
    return f"[Post on X](https://x.com/i/status/{status})"


def _instagram(conv: _Converter, tag: Shortcode) -> str | None:
    post = tag.get("id", 0)
    if not post or not re.fullmatch(r"[\w-]+", post):
        conv.flag(tag.start, "instagram shortcode without a post id; left as written")
        return None
    return f"[Post on Instagram](https://www.instagram.com/p/{post}/)"


def _gist(conv: _Converter, tag: Shortcode) -> str | None:
    user, gist, name = tag.get("user", 0), tag.get("id", 1), tag.get("file", 2)
    if not user or not gist or not re.fullmatch(r"[\w-]+", user + gist):
        conv.flag(tag.start, "gist shortcode without a user and an id; left as written")
        return None
    url = f"https://gist.github.com/{user}/{gist}"
    if name:
        anchor = re.sub(r"[^a-z0-9]", "-", name.lower())
        return f"[{_escape_link_text(name)} (gist by {user})]({url}#file-{anchor})"
    return f"[Gist by {user}]({url})"


def _param(conv: _Converter, tag: Shortcode) -> str | None:
    name = tag.get("name", 0)
    if not name:
        conv.flag(tag.start, "param shortcode without a name; left as written")
        return None
    value = MISSING if conv.param is None else conv.param(name)
    if value is MISSING or value is None:
        conv.flag(
            tag.start,
            f"param '{name}' is in neither the front matter nor the site's params; "
            "left as written: type the value in",
        )
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        conv.flag(
            tag.start,
            f"param '{name}' is a {type(value).__name__}, not text; left as written: "
            "type the value in",
        )
        return None
    return str(value)


def _ref(conv: _Converter, tag: Shortcode) -> str | None:
    target = tag.get("path", 0)
    if not target:
        conv.flag(tag.start, f"{tag.name} shortcode without a target; left as written")
        return None
    link = None if conv.ref is None else conv.ref(target)
    if link is None:
        conv.flag(
            tag.start,
            f"{tag.name} target '{target}' is not a post or page of this import; left as "
            "written: link to the page's new URL instead",
        )
    return link


def _hl_lines(options: str) -> str:
    """Hugo's ``hl_lines=8 15-17`` as the numbers Python-Markdown takes: ``8 15 16 17``."""
    match = re.search(r"hl_lines\s*=\s*\[?([\d\s,-]+)\]?", options)
    if not match:
        return ""
    numbers: list[str] = []
    for part in re.split(r"[\s,]+", match.group(1).strip()):
        low, _, high = part.partition("-")
        if low.isdigit() and high.isdigit() and int(high) - int(low) < 1000:
            numbers += [str(n) for n in range(int(low), int(high) + 1)]
        elif low.isdigit() and not high:
            numbers.append(low)
    return " ".join(numbers)


def _highlight(conv: _Converter, tag: Shortcode, close: Shortcode, inner: str) -> str | None:
    language = tag.get("lang", 0) or ""
    if not re.fullmatch(r"[\w#+.-]*", language):
        language = ""
    code = inner[1:] if inner.startswith("\n") else inner
    code = code.rstrip()
    indent = conv.indent_of(tag.start)
    lines = code.split("\n")
    if indent and all(line.startswith(indent) or not line.strip() for line in lines):
        code = "\n".join(line[len(indent) :] for line in lines)  # surround() indents it again
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = language
    highlighted = _hl_lines(tag.get("options", 1) or "")
    if language and highlighted:
        info += f' hl_lines="{highlighted}"'
    return conv.surround(tag.start, close.end, f"{fence}{info}\n{code}\n{fence}", False)


def _details(conv: _Converter, tag: Shortcode, close: Shortcode, inner: str) -> str | None:
    import markdown  # only when a page has a details block

    summary = tag.get("summary") or "Details"
    opened = " open" if (tag.get("open") or "").lower() in ("true", "open") else ""
    body = markdown.markdown(inner.strip(), extensions=["tables", "fenced_code", "footnotes"])
    output = (
        f"<details{opened}>\n<summary>{_inline_markdown(summary)}</summary>\n{body}\n</details>"
    )
    return conv.surround(tag.start, close.end, output, True)


def _comment(conv: _Converter, tag: Shortcode, close: Shortcode, inner: str) -> str | None:
    if "--" in inner:
        return ""  # an HTML comment cannot hold "--"; Hugo never showed this text anyway
    return f"<!--{inner}-->"


_SINGLE: dict[str, Callable[[_Converter, Shortcode], str | None]] = {
    "figure": _figure,
    "youtube": _youtube,
    "vimeo": _vimeo,
    "vimeo_simple": _vimeo,
    "tweet": _post_on_x,
    "twitter": _post_on_x,
    "twitter_simple": _post_on_x,
    "x": _post_on_x,
    "instagram": _instagram,
    "instagram_simple": _instagram,
    "gist": _gist,
    "param": _param,
    "ref": _ref,
    "relref": _ref,
}
_PAIRED_HANDLERS: dict[str, Callable[[_Converter, Shortcode, Shortcode, str], str | None]] = {
    "highlight": _highlight,
    "details": _details,
    "comment": _comment,
}
