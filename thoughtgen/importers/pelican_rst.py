"""reStructuredText to Markdown for Pelican's ``.rst`` posts, without docutils.

docutils is not a thoughtgen dependency, so this converts the constructs blog posts use
(section titles, the docinfo field list, paragraphs, inline markup, hyperlinks and their
targets, footnotes, bullet and numbered lists, block quotes, definition lists, literal
blocks, ``code-block``, ``image``, ``figure``, ``raw:: html`` and admonitions) and keeps
everything else as it was written, inside a fenced block, with a problem at its line,
so nothing is lost and every leftover is listed. Comments are dropped, as docutils drops
them from the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1+\s*")
_FIELD = re.compile(r"^:(?P<name>[^:\s][^:]*):(?:\s+(?P<value>.*))?$")
_BULLET = re.compile(r"^(?P<marker>[-*+•‣⁃])(?P<space>\s+)(?P<text>.*)$")
_ENUM = re.compile(
    r"^(?P<marker>(?:\d+|#|[a-zA-Z])[.)]|\((?:\d+|#|[a-zA-Z])\))(?P<space>\s+)(?P<text>.*)$"
)
_EXPLICIT = re.compile(r"^\.\.(?:\s+(?P<rest>.*))?$")
_DIRECTIVE = re.compile(r"^(?P<name>[\w:+.-]+)::(?:\s+(?P<args>.*))?$")
_TARGET = re.compile(r"^_(?P<name>`[^`]+`|[^:`]+):(?:\s+(?P<url>.*))?$")
_FOOTNOTE_DEF = re.compile(r"^\[(?P<label>#?[\w.-]*|\*)\](?:\s+(?P<text>.*))?$")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):(?:\s+(?P<value>.*))?$")
_TABLE_BORDER = re.compile(r"^(\+[-=+]+\+|=+(\s+=+)+)\s*$")

_ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}
_CODE_DIRECTIVES = ("code-block", "code", "sourcecode")


class _Emit(Protocol):
    def __call__(self, text: str, at: int | None = ..., source: int | None = ...) -> None: ...


@dataclass
class RstDoc:
    """A converted ``.rst`` file: its title, docinfo fields and Markdown body."""

    title: str = ""
    title_line: int | None = None
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)  # name → (text, line)
    lines: list[str] = field(default_factory=list)  # Markdown
    src: list[int | None] = field(default_factory=list)  # the source line of each
    problems: list[tuple[int, str]] = field(default_factory=list)


def read_rst(text: str) -> RstDoc:
    """Convert ``text`` (newlines already LF); never raises on any input."""
    raw = [line.expandtabs(8).rstrip() for line in text.split("\n")]
    doc = RstDoc()
    converter = _Converter(raw, doc)
    converter.run()
    return doc


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_adornment(line: str) -> bool:
    # "::" alone introduces a literal block; it never underlines a title.
    return len(line) >= 2 and line != "::" and _ADORNMENT.fullmatch(line) is not None


def _title(lines: list[str], i: int) -> tuple[str, str, int] | None:
    """(title, adornment style, index after it) when a section title starts at line ``i``."""
    if i + 2 < len(lines) and _is_adornment(lines[i]) and lines[i + 1].strip():
        over, text, under = lines[i], lines[i + 1], lines[i + 2]
        if under == over and len(over) >= len(text.rstrip()):
            return text.strip(), f"over{over[0]}", i + 3
    if i + 1 < len(lines) and lines[i].strip() and _indent(lines[i]) == 0:
        text, under = lines[i], lines[i + 1]
        starts_block = i == 0 or not lines[i - 1].strip()
        if (
            starts_block
            and _is_adornment(under)
            and not _is_adornment(text)
            and len(under) >= min(len(text), 3)
        ):
            return text.strip(), f"under{under[0]}", i + 2
    return None


class _Converter:
    def __init__(self, raw: list[str], doc: RstDoc) -> None:
        self.raw = raw
        self.doc = doc
        self.targets: dict[str, str] = {}
        self.styles: list[str] = []  # section adornment styles in order of appearance
        self.level_base = 1
        self.auto_refs = 0
        self.auto_defs = 0
        self._collect_targets()

    # ---- set-up ---------------------------------------------------------------------

    def _collect_targets(self) -> None:
        for index, line in enumerate(self.raw):
            match = _EXPLICIT.match(line.lstrip())
            if not match or not match.group("rest"):
                continue
            target = _TARGET.match(match.group("rest"))
            if target:
                url = (target.group("url") or "").strip()
                following = index + 1
                while following < len(self.raw) and _indent(self.raw[following]) > 0:
                    url += self.raw[following].strip()
                    following += 1
                name = target.group("name").strip("`").strip().lower()
                if url:
                    self.targets[name] = url

    def run(self) -> None:
        lines = self.raw
        i = _skip_blank_and_comments(lines, 0)
        title = _title(self.raw, i)
        if title is not None:
            text, style, end = title
            if self._count_style(style) == 1:
                self.doc.title = text
                self.doc.title_line = i + (2 if style.startswith("over") else 1)
                self.styles.append(style)
                i = _skip_blank_and_comments(lines, end)
            else:
                self.level_base = 2  # several top-level sections: no document title
        i = self._docinfo(i)
        out, src = self.convert(list(range(i, len(lines))), lines[i:])
        while out and not out[-1].strip():
            out.pop()
            src.pop()
        self.doc.lines, self.doc.src = out, src

    def _count_style(self, style: str) -> int:
        count = 0
        i = 0
        while i < len(self.raw):
            found = _title(self.raw, i)
            if found is not None:
                count += found[1] == style
                i = found[2]
            else:
                i += 1
        return count

    def _docinfo(self, i: int) -> int:
        """Read the field list right after the title (docutils makes it the docinfo)."""
        lines = self.raw
        if i >= len(lines) or not _FIELD.match(lines[i]):
            return i
        while i < len(lines) and (match := _FIELD.match(lines[i])):
            line_no = i + 1
            value = (match.group("value") or "").strip()
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) > 0:
                value = f"{value} {lines[i].strip()}".strip()
                i += 1
            self.doc.fields[match.group("name").strip().lower()] = (value, line_no)
        return _skip_blank_and_comments(lines, i)

    # ---- blocks -----------------------------------------------------------------------

    def convert(self, numbers: list[int], lines: list[str]) -> tuple[list[str], list[int | None]]:
        """Markdown for a run of source lines (``numbers`` are their 0-based file indexes)."""
        out: list[str] = []
        src: list[int | None] = []
        # Open contexts: (source column their content starts at, Markdown prefix, kind).
        stack: list[tuple[int, str, str]] = []
        literal_next = False
        i = 0

        def emit(text: str, at: int | None = None, source: int | None = None) -> None:
            out.append(text)
            if source is None and at is not None and at < len(numbers):
                source = numbers[at] + 1
            src.append(source)

        while i < len(lines):
            line = lines[i]
            if not line.strip():
                emit("", i)
                i += 1
                continue
            indent = _indent(line)
            left_item = False
            while stack and indent < stack[-1][0]:
                left_item = left_item or stack[-1][2] == "item"
                stack.pop()
            base, prefix, _kind = stack[-1] if stack else (0, "", "")
            body = line.strip()
            after_blank = i == 0 or not lines[i - 1].strip()
            if literal_next and indent > base:
                literal_next = False
                i = self._literal(lines, i, base, prefix, emit)
                continue
            literal_next = False
            if indent > base:
                stack.append((indent, prefix + "> ", "quote"))
                continue
            if not stack:
                title = _title(lines, i)
                if title is not None:
                    text, style, after = title
                    if style not in self.styles:
                        self.styles.append(style)
                    level = min(6, self.level_base + self.styles.index(style))
                    emit(f"{'#' * level} {self.inline(text, numbers[i] + 1)}", i)
                    i = after
                    continue
                if (
                    _is_adornment(body)
                    and len(body) >= 4
                    and after_blank
                    and (i + 1 >= len(lines) or not lines[i + 1].strip())
                ):
                    emit("---", i)
                    i += 1
                    continue
            explicit = _EXPLICIT.match(body)
            if explicit:
                i = self._explicit(numbers, lines, i, indent, prefix, explicit.group("rest"), emit)
                continue
            if after_blank and _TABLE_BORDER.match(body):
                i = self._table(numbers, lines, i, prefix, emit)
                continue
            if after_blank and body.startswith(">>>"):
                i = self._doctest(lines, i, prefix, emit)
                continue
            item = _BULLET.match(body) or _ENUM.match(body)
            if (
                item
                and not _is_adornment(body)
                and (after_blank or left_item or _item_above(lines, i))
            ):
                marker = item.group("marker")
                md_marker = marker if marker in "-*+" else "-" if _BULLET.match(body) else "1."
                text = item.group("text")
                converted = self.inline(text, numbers[i] + 1)
                literal_next = text.endswith("::")
                if literal_next:
                    converted = _literal_intro(converted)
                emit(f"{prefix}{md_marker} {converted}", i)
                column = indent + len(marker) + len(item.group("space"))
                stack.append((column, prefix + "    ", "item"))
                i += 1
                continue
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if after_blank and following.strip() and _indent(following) > indent:
                # A definition list term: the definition is indented under it.
                emit(f"{prefix}**{self.inline(body, numbers[i] + 1)}**  ", i)
                stack.append((_indent(following), prefix, "definition"))
                i += 1
                continue
            converted = self.inline(body, numbers[i] + 1)
            if converted.startswith(("#", ">")):
                converted = "\\" + converted
            if body.endswith("::"):
                literal_next = True
                converted = _literal_intro(converted)
                if not converted:
                    i += 1
                    continue
            emit(prefix + converted, i)
            i += 1
        return out, src

    def _block_end(self, lines: list[str], i: int, indent: int) -> int:
        """The index after the block that starts at ``i``: lines indented more, or blank."""
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
            end += 1
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        return end

    def _literal(self, lines: list[str], i: int, base: int, prefix: str, emit: _Emit) -> int:
        end = max(self._block_end(lines, i - 1, base), i + 1)
        self._fence(lines, list(range(i, end)), prefix, "", emit)
        return end

    def _explicit(
        self,
        numbers: list[int],
        lines: list[str],
        i: int,
        indent: int,
        prefix: str,
        rest: str | None,
        emit: _Emit,
    ) -> int:
        end = self._block_end(lines, i, indent)
        rest = rest or ""
        line_no = numbers[i] + 1
        if _TARGET.match(rest):
            return end  # collected up front; links to it were written inline
        footnote = _FOOTNOTE_DEF.match(rest)
        if footnote:
            label = footnote.group("label")
            if label in ("#", "*", ""):
                self.auto_defs += 1
                key = str(self.auto_defs)
            else:
                key = label.lstrip("#")
            emit(f"{prefix}[^{key}]: {self.inline(footnote.group('text') or '', line_no)}", i)
            for n in range(i + 1, end):
                text = lines[n].strip()
                emit(f"{prefix}    {self.inline(text, numbers[n] + 1)}" if text else "", n)
            return end
        directive = _DIRECTIVE.match(rest)
        if directive is None:
            if rest.startswith("|"):
                self._keep(lines, i, end, prefix, emit)
                self.problem(
                    line_no,
                    "the rST substitution definition was kept as a code block; replace its "
                    "uses (|name|) with the text or image it stands for",
                )
            return end  # a comment: docutils does not publish it
        name = directive.group("name").lower()
        args = (directive.group("args") or "").strip()
        options: dict[str, str] = {}
        start = i + 1
        while start < end and (option := _OPTION.match(lines[start].strip())):
            options[option.group("name").lower()] = (option.group("value") or "").strip()
            start += 1
        content = list(range(start, end))
        while content and not lines[content[0]].strip():
            content.pop(0)
        if name in _CODE_DIRECTIVES:
            if content:
                self._fence(lines, content, prefix, args.split()[0] if args else "", emit)
            return end
        if name in ("image", "figure"):
            alt = options.get("alt", "").replace("]", "\\]")
            image = f"![{alt}]({args.replace(' ', '%20')})"
            if options.get("target"):
                image = f"[{image}]({options['target']})"
            emit(prefix + image, i)
            caption = [n for n in content if lines[n].strip()]
            if name == "figure" and caption:
                emit(prefix.rstrip(), i)
                text = " ".join(lines[n].strip() for n in caption)
                emit(f"{prefix}*{self.inline(text, numbers[caption[0]] + 1)}*", caption[0])
            return end
        if name == "raw":
            if "html" in args.lower().split():
                for n in content:
                    emit(prefix + lines[n].strip() if lines[n].strip() else "", n)
            return end  # other formats never reached the HTML page
        if name in _ADMONITIONS or name == "admonition":
            heading = args if name == "admonition" else _ADMONITIONS[name]
            emit(f"{prefix}> **{self.inline(heading, line_no)}**", i)
            emit(f"{prefix}>", i)
            if name != "admonition" and args:
                emit(f"{prefix}> {self.inline(args, line_no)}", i)
                if content:
                    emit(f"{prefix}>", i)
            cut = min((_indent(lines[n]) for n in content if lines[n].strip()), default=0)
            converted, where = self.convert(
                [numbers[n] for n in content], [lines[n][cut:] for n in content]
            )
            for text, source in zip(converted, where, strict=True):
                emit(f"{prefix}> {text}".rstrip(), source=source or line_no)
            return end
        if name == "contents":
            self.problem(
                line_no,
                "dropped the rST 'contents' directive: thoughtgen adds a table of contents "
                "itself to posts with two or more headings",
            )
            return end
        if name in ("youtube", "vimeo") and re.fullmatch(r"[\w-]+", args):
            host = {
                "youtube": "https://www.youtube-nocookie.com/embed/",
                "vimeo": "https://player.vimeo.com/video/",
            }[name]
            emit(
                f'{prefix}<iframe src="{host}{args}" title="{name} video" width="560" '
                'height="315" allowfullscreen></iframe>',
                i,
            )
            return end
        if name in ("highlight", "default-role", "role", "meta", "title"):
            return end  # settings for docutils, nothing on the page
        self._keep(lines, i, end, prefix, emit)
        self.problem(
            line_no,
            f"the rST directive '{name}' has no Markdown equivalent; kept as a code block: "
            "rewrite it in Markdown or HTML",
        )
        return end

    def _fence(
        self, lines: list[str], content: list[int], prefix: str, language: str, emit: _Emit
    ) -> None:
        while content and not lines[content[-1]].strip():
            content = content[:-1]
        if not content:
            return
        cut = min((_indent(lines[n]) for n in content if lines[n].strip()), default=0)
        longest = max((len(m) for n in content for m in re.findall(r"`{3,}", lines[n])), default=2)
        fence = "`" * max(3, longest + 1)
        emit(f"{prefix}{fence}{language}", content[0])
        for n in content:
            emit(f"{prefix}{lines[n][cut:]}" if lines[n].strip() else prefix.rstrip(), n)
        emit(f"{prefix}{fence}", content[-1])

    def _keep(self, lines: list[str], start: int, end: int, prefix: str, emit: _Emit) -> None:
        self._fence(lines, list(range(start, end)), prefix, "rst", emit)

    def _table(self, numbers: list[int], lines: list[str], i: int, prefix: str, emit: _Emit) -> int:
        grid = lines[i].strip().startswith("+")
        end = i + 1
        borders = 1
        while end < len(lines):
            text = lines[end].strip()
            if grid and not text:
                break
            if not grid and _TABLE_BORDER.match(text):
                borders += 1
                if borders == 3:
                    end += 1
                    break
            if not grid and not text and (end + 1 >= len(lines) or not lines[end + 1].strip()):
                break
            end += 1
        self._keep(lines, i, end, prefix, emit)
        self.problem(
            numbers[i] + 1,
            "the rST table was kept as a code block; rewrite it as a Markdown table (| a | b |)",
        )
        return end

    def _doctest(self, lines: list[str], i: int, prefix: str, emit: _Emit) -> int:
        end = i
        while end < len(lines) and lines[end].strip():
            end += 1
        self._fence(lines, list(range(i, end)), prefix, "pycon", emit)
        return end

    # ---- inline -----------------------------------------------------------------------

    def problem(self, line: int, message: str) -> None:
        self.doc.problems.append((line, message))

    def inline(self, text: str, line: int) -> str:
        """Markdown for one line of rST text."""
        made: list[str] = []  # Markdown already written, kept away from later rules

        def stash(markup: str) -> str:
            made.append(markup)
            return f"\x00{len(made) - 1}\x00"

        def code(body: str) -> str:
            fence = "``" if "`" in body else "`"
            pad = " " if fence == "``" else ""
            return stash(f"{fence}{pad}{body}{pad}{fence}")

        def role(match: re.Match[str]) -> str:
            name = (match.group("role") or match.group("role2")).lower()
            body = match.group("body") or match.group("body2")
            return self._role(name, body, line, stash, code)

        def embedded(match: re.Match[str]) -> str:
            label, url = match.group("label").strip(), match.group("url").strip()
            if not label:
                return stash(f"<{url}>")
            self.targets.setdefault(" ".join(label.lower().split()), url)
            return stash(f"[{label}]({_link_url(url)})")

        def named(match: re.Match[str]) -> str:
            label = match.group("label")
            url = self.targets.get(" ".join(label.lower().split()))
            if url is None:
                self.problem(
                    line,
                    f"the rST reference `{label}`_ has no target in this file; kept its text: "
                    "add the link by hand",
                )
                return label
            return stash(f"[{label}]({_link_url(_resolve_alias(url, self.targets))})")

        def bare(match: re.Match[str]) -> str:
            label = match.group("label")
            url = self.targets.get(label.lower())
            if url is None:
                return match.group(0)
            return stash(f"[{label}]({_link_url(_resolve_alias(url, self.targets))})")

        def footnote(match: re.Match[str]) -> str:
            label = match.group("label")
            if label in ("#", "*", ""):
                self.auto_refs += 1
                return stash(f"[^{self.auto_refs}]")
            return stash(f"[^{label.lstrip('#')}]")

        text = text.replace("\x00", "")
        text = re.sub(r"``(.+?)``", lambda m: code(m.group(1)), text)
        text = re.sub(
            r":(?P<role>[\w.+-]+):`(?P<body>[^`]+)`|`(?P<body2>[^`]+)`:(?P<role2>[\w.+-]+):",
            role,
            text,
        )
        text = re.sub(r"`(?P<label>[^`<]*?)\s*<(?P<url>[^`>]+)>`__?", embedded, text)
        text = re.sub(r"`(?P<label>[^`]+)`__?", named, text)
        text = re.sub(r"\[(?P<label>#?[\w.-]*|\*)\]_", footnote, text)
        text = re.sub(
            r"(?<![\w`\\.+-])(?P<label>[A-Za-z0-9][\w.+-]*?)__?(?=[\s.,;:!?)\]'\"]|$)", bare, text
        )
        text = re.sub(r"(?<![`\\])`(?P<body>[^`]+)`(?!`)", lambda m: stash(f"*{m['body']}*"), text)
        text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
        while "\x00" in text:
            text = re.sub(r"\x00(\d+)\x00", lambda m: made[int(m.group(1))], text)
        return text

    def _role(
        self,
        name: str,
        body: str,
        line: int,
        stash: Callable[[str], str],
        code: Callable[[str], str],
    ) -> str:
        if name in ("code", "literal", "kbd", "file", "samp", "command"):
            return code(body)
        if name in ("emphasis", "title-reference", "title", "t", "dfn"):
            return f"*{body}*"
        if name == "strong":
            return f"**{body}**"
        if name in ("sub", "subscript", "sup", "superscript"):
            tag = "sub" if name.startswith("sub") else "sup"
            return stash(f"<{tag}>{html.escape(body)}</{tag}>")
        if name == "abbr":
            match = re.fullmatch(r"(?P<short>.*?)\s*\((?P<long>.*)\)\s*", body)
            short, long = (match["short"], match["long"]) if match else (body, "")
            title = f' title="{html.escape(long)}"' if long else ""
            return stash(f"<abbr{title}>{html.escape(short)}</abbr>")
        self.problem(
            line,
            f"the rST role :{name}: has no Markdown equivalent; kept its text '{body}' as "
            "code: rewrite it",
        )
        return code(body)


def _link_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _resolve_alias(url: str, targets: dict[str, str]) -> str:
    """``.. _a: b_`` makes ``a`` point wherever ``b`` points."""
    seen = set()
    while url.endswith("_") and not url.endswith("\\_") and url not in seen:
        seen.add(url)
        name = url[:-1].strip("`").lower()
        if name not in targets:
            break
        url = targets[name]
    return url


def _item_above(lines: list[str], i: int) -> bool:
    """Whether the line above ``i`` is a list item, so ``i`` continues the same list."""
    above = lines[i - 1].strip() if i > 0 else ""
    return bool(_BULLET.match(above) or _ENUM.match(above))


def _literal_intro(text: str) -> str:
    """``Text::`` becomes ``Text:``; ``Text ::`` and a bare ``::`` lose the marker."""
    stripped = text.rstrip()
    if stripped.endswith(" ::") or stripped.strip() == "::":
        return stripped[:-2].rstrip()
    return stripped[:-1]


def _skip_blank_and_comments(lines: list[str], i: int) -> int:
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        match = _EXPLICIT.match(lines[i])
        rest = (match.group("rest") or "") if match else None
        if (
            rest is not None
            and not _DIRECTIVE.match(rest)
            and not _TARGET.match(rest)
            and not (_FOOTNOTE_DEF.match(rest) or rest.startswith("|"))
        ):
            i += 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > 0):
                i += 1
            continue
        break
    return i
