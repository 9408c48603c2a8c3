"""Pelican's additions to Markdown, turned into what thoughtgen's Markdown reads.

A body is a list of lines, each with the line of the source file it came from, so every
problem found after a conversion still names the writer's own line. What is converted:
codehilite's ``:::python`` / ``#!python`` first lines (Pelican's default Markdown
extensions) become fenced code; the summary plugin's ``<!-- PELICAN_BEGIN_SUMMARY -->`` /
``<!-- PELICAN_END_SUMMARY -->`` markers become ``<!--more-->`` or a summary; links written
``{filename}…``, ``{static}…``, ``{attach}…`` (and the old ``|filename|…`` spelling),
``{tag}…``, ``{category}…``, ``{author}…`` and ``{index}`` are handed to a resolver; the
liquid_tags plugin's image and video tags become Markdown or HTML. What
thoughtgen's Markdown lacks (Python-Markdown "extra"'s abbreviations, definition lists and
``markdown="1"``) is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from thoughtgen.mdcode import blank_code_spans

BEGIN_SUMMARY = "<!-- PELICAN_BEGIN_SUMMARY -->"
END_SUMMARY = "<!-- PELICAN_END_SUMMARY -->"
MORE = "<!--more-->"

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")
_CODEHILITE = re.compile(r"^(?::::\s*(?P<lang>[\w+#.-]+)(?:\s.*)?|#!(?P<shebang>[\w+#.-]+)\s*)$")
# A link target written with one of Pelican's markers, where Markdown or HTML puts a URL.
_INTRASITE = re.compile(
    r"(?P<lead>\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|\b(?:href|src|poster|data|cite|action)"
    r"\s*=\s*[\"']?)"
    r"(?P<marker>\{(?P<what>\w+)\}|\|(?P<old>\w+)\|)"
    r"(?P<value>[^\s)\"'<>]*)"
)
_SITEURL = re.compile(r"\{\{\s*SITEURL\s*\}\}/?")
_LIQUID = re.compile(r"\{%\s*(?P<tag>img|youtube|vimeo|video)\s+(?P<args>[^%]*?)\s*%\}")
# The liquid_tags plugin's own argument pattern for {% img %} (liquid_tags/img.py).
_IMG_ARGS = re.compile(
    r"(?P<class>\S.*\s+)?(?P<src>(?:https?://|/|\S+/)\S+)(?:\s+(?P<width>\d+))?"
    r"(?:\s+(?P<height>\d+))?(?P<title>\s+.+)?"
)
_EMBEDS = {
    "youtube": "https://www.youtube-nocookie.com/embed/",
    "vimeo": "https://player.vimeo.com/video/",
}

Note = Callable[[int | None, str], None]
# (what, value, source line) → the new URL, or None to leave the link as written.
Resolver = Callable[[str, str, int | None], str | None]


@dataclass
class Body:
    lines: list[str]
    src: list[int | None]  # the source file line of each line (None for added lines)

    @classmethod
    def of(cls, text: str, first_line: int) -> Body:
        lines = text.split("\n")
        return cls(lines, [first_line + n for n in range(len(lines))])

    def text(self) -> str:
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        return "\n".join(lines) + "\n" if lines else ""


def code_lines(lines: list[str]) -> list[bool]:
    """Which lines are code: fenced blocks with their fences, and indented code blocks.

    An indented line inside a list is the list's own text, not code.
    """
    result: list[bool] = []
    fence: str | None = None
    in_list = False
    in_indented = False
    previous_blank = True
    for line in lines:
        if fence is not None:
            match = _FENCE.match(line)
            if match and match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence):
                fence = None
            result.append(True)
            previous_blank = False
            continue
        match = _FENCE.match(line)
        if match:
            fence = match["fence"]
            result.append(True)
            in_indented = False
            continue
        blank = not line.strip()
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and not blank and not in_list and (previous_blank or in_indented):
            in_indented = True
            result.append(True)
        elif blank:
            result.append(in_indented)
        else:
            in_indented = False
            if _LIST_ITEM.match(line):
                in_list = True
            elif not indented and previous_blank:
                in_list = False
            result.append(False)
        previous_blank = blank
    return result


def mask_code_spans(line: str) -> str:
    """``line`` with each inline code span blanked out with NUL characters, same length."""
    return blank_code_spans(line, "\x00")


def codehilite_fences(body: Body) -> Body:
    """Indented code whose first line is ``:::lang`` or ``#!lang`` → a fenced block in lang."""
    lines, src = body.lines, body.src
    out: list[str] = []
    out_src: list[int | None] = []
    i = 0
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        match = _CODEHILITE.match(line.strip()) if indent >= 4 and previous_blank else None
        if match is None:
            out.append(line)
            out_src.append(src[i])
            previous_blank = not line.strip()
            i += 1
            continue
        language = match["lang"] or match["shebang"]
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" " * indent)):
            end += 1
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        outer = " " * (indent - 4)
        out.append(f"{outer}```{language}")
        out_src.append(src[i])
        for n in range(i + 1, end):
            out.append(outer + lines[n][indent:] if lines[n].strip() else "")
            out_src.append(src[n])
        out.append(f"{outer}```")
        out_src.append(None)
        previous_blank = False
        i = end
    return Body(out, out_src)


def summary_markers(body: Body, html: bool = False) -> tuple[Body, str]:
    """The summary plugin's markers: the end one becomes ``<!--more-->``.

    When the begin marker comes after some text, the summary is not the start of the
    post, so the text between the markers is returned to be the post's summary.
    """
    code = [False] * len(body.lines) if html else code_lines(body.lines)
    begin = end = None
    for n, line in enumerate(body.lines):
        if code[n]:
            continue
        if BEGIN_SUMMARY in line and begin is None:
            begin = n
        if END_SUMMARY in line and end is None:
            end = n
    if begin is None and end is None:
        return body, ""
    summary = ""
    lines = list(body.lines)
    if begin is not None:
        before = "\n".join(lines[:begin]) + lines[begin].split(BEGIN_SUMMARY)[0]
        if before.strip():
            stop = end if end is not None and end >= begin else len(lines) - 1
            between = "\n".join(lines[begin : stop + 1])
            between = between.split(BEGIN_SUMMARY, 1)[1].split(END_SUMMARY, 1)[0]
            summary = " ".join(re.sub(r"<!--.*?-->", "", between, flags=re.S).split())
        lines[begin] = lines[begin].replace(BEGIN_SUMMARY, "", 1)
    if end is not None:
        if lines[end].strip() == END_SUMMARY:
            lines[end] = MORE
        else:
            lines[end] = lines[end].replace(END_SUMMARY, f"\n\n{MORE}\n\n", 1)
    src = list(body.src)
    if begin is not None and not lines[begin].strip() and begin != end:
        del lines[begin], src[begin]  # the marker's own line
    return _split_lines(Body(lines, src)), summary


def _split_lines(body: Body) -> Body:
    lines: list[str] = []
    src: list[int | None] = []
    for line, source in zip(body.lines, body.src, strict=True):
        for part in line.split("\n"):
            lines.append(part)
            src.append(source)
    return Body(lines, src)


def liquid_tags(body: Body) -> Body:
    """The liquid_tags plugin's ``{% img %}``, ``{% youtube %}``, ``{% vimeo %}`` and
    ``{% video %}`` as Markdown or HTML; its other tags are left to be reported."""
    code = code_lines(body.lines)
    lines = list(body.lines)
    for n, line in enumerate(lines):
        if not code[n] and "{%" in line:
            lines[n] = _LIQUID.sub(_liquid_tag, line)
    return Body(lines, body.src)


def _liquid_tag(match: re.Match[str]) -> str:
    tag, args = match["tag"], match["args"].strip()
    if tag == "img":
        found = _IMG_ARGS.fullmatch(args)
        if found is None:
            return match.group(0)
        title, alt = (found["title"] or "").strip(), ""
        quoted = re.fullmatch(r'"(?P<title>[^"]*)"(?:\s+"(?P<alt>[^"]*)")?', title)
        if quoted:
            title, alt = quoted["title"], quoted["alt"] or quoted["title"]
        else:
            alt = title
        title_part = f' "{title.replace(chr(34), "&quot;")}"' if title else ""
        return f"![{alt.replace(']', '')}]({found['src']}{title_part})"
    parts = args.split()
    if tag in _EMBEDS and parts and re.fullmatch(r"[\w-]+", parts[0]):
        return (
            f'<iframe src="{_EMBEDS[tag]}{parts[0]}" title="{tag} video" width="560" '
            'height="315" allowfullscreen></iframe>'
        )
    if tag == "video" and parts and not re.search(r"[\"<>]", args):
        poster = next((p for p in parts[1:] if not p.isdigit()), "")
        poster_part = f' poster="{poster}"' if poster else ""
        return f'<video controls src="{parts[0]}"{poster_part}></video>'
    return match.group(0)


def flag_extensions(body: Body, note: Note) -> Body:
    """Report what Python-Markdown "extra" and "toc" gave Pelican and thoughtgen lacks.

    A ``[TOC]`` line is dropped: thoughtgen puts a table of contents on posts itself.
    """
    code = code_lines(body.lines)
    lines: list[str] = []
    src: list[int | None] = []
    previous = ""
    for n, line in enumerate(body.lines):
        where = body.src[n]
        if not code[n]:
            if line.strip() == "[TOC]":
                note(
                    where,
                    "dropped the [TOC] marker: thoughtgen adds a table of contents itself to "
                    "posts with two or more headings",
                )
                previous = ""
                continue
            if re.match(r"^\*\[[^\]]+\]:", line):
                note(
                    where,
                    "an abbreviation definition (*[ABBR]: …) shows as text in thoughtgen; "
                    'write <abbr title="…">ABBR</abbr> where it is used, and delete this line',
                )
            elif re.match(r"^:\s{1,3}\S", line) and previous.strip():
                note(
                    where,
                    "a definition list (a term, then ': definition') shows as plain text in "
                    "thoughtgen; rewrite it as a list or as paragraphs",
                )
            if re.search(r"<[a-zA-Z][^>]*\smarkdown\s*=\s*[\"']?(?:1|block|span)", line):
                note(
                    where,
                    'Markdown inside this HTML block (markdown="1") is not converted by '
                    "thoughtgen; write the inner part as HTML, or move it out of the block",
                )
        lines.append(line)
        src.append(where)
        previous = line
    return Body(lines, src)


def rewrite_links(body: Body, resolve: Resolver, html: bool = False) -> Body:
    """Every Pelican link marker outside code, replaced by what ``resolve`` returns.

    ``html`` says the body is HTML, where indentation means nothing.
    """
    code = [False] * len(body.lines) if html else code_lines(body.lines)
    lines = list(body.lines)
    for n, line in enumerate(lines):
        if code[n] or ("{" not in line and "|" not in line):
            continue
        masked = mask_code_spans(line)
        pieces: list[str] = []
        last = 0
        for match in _INTRASITE.finditer(masked):
            what = (match["what"] or match["old"]).lower()
            start, stop = match.start("marker"), match.end("value")
            if match["lead"].startswith("]("):
                # A Markdown link's target runs to its ")" unless a quoted title follows.
                rest = re.match(r"[^\"'()\x00]*(?=\))", masked[stop:])
                if rest:
                    stop += len(rest.group(0).rstrip())
            new = resolve(what, line[match.start("value") : stop], body.src[n])
            if new is None:
                continue
            pieces.append(line[last:start])
            pieces.append(new)
            last = stop
        if pieces:
            lines[n] = "".join(pieces) + line[last:]
        if "SITEURL" in lines[n]:
            lines[n] = _SITEURL.sub("/", lines[n])
    return Body(lines, body.src)
