"""Finding template syntax of other generators left in a post's Markdown.

``{% highlight %}`` (Jekyll, Eleventy), ``{{< youtube >}}`` / ``{{% note %}}`` (Hugo) and
``{{ site.url }}`` mean nothing to thoughtgen and would be published as text; this finds
them outside code, with their lines, so the writer can be told where to look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAG = re.compile(
    r"\{%-?\s*[a-zA-Z_][^%]{0,500}?-?%\}"  # {% tag … %}
    r"|\{\{<\s*/?\s*[\w./-]+.{0,500}?>\}\}"  # {{< shortcode >}}, bounded: never quadratic
    r"|\{\{%\s*/?\s*[\w./-]+.{0,500}?%\}\}"  # {{% shortcode %}}
    r"|\{\{-?\s*(?:site|page|post|paginator|content|jekyll|layout|\.Site|\.Params|\.Page)"
    r"\b[^}]{0,500}\}\}"  # {{ site.… }}
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")


@dataclass(frozen=True)
class ForeignTag:
    line: int  # in the file
    text: str  # the tag as written (shortened)
    kind: str  # "liquid", "shortcode" or "variable"

    @property
    def generator(self) -> str:
        return {"liquid": "Jekyll or Eleventy", "shortcode": "Hugo"}.get(self.kind, "another")


def find_foreign_tags(body: str, body_line: int = 1) -> list[ForeignTag]:
    """Every other-generator tag in ``body`` outside fenced, indented and inline code."""
    if "{%" not in body and "{{" not in body:
        return []
    found: list[ForeignTag] = []
    fence: str | None = None
    previous_blank = True
    for offset, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence, previous_blank = None, True
            continue
        if match:
            fence = match.group(1)
            continue
        if previous_blank and (line.startswith("    ") or line.startswith("\t")):
            continue  # an indented code block (only after a blank line, as Markdown has it)
        previous_blank = not line.strip()
        for tag in _TAG.finditer(blank_code_spans(line)):
            text = tag.group(0)
            kind = (
                "shortcode"
                if text.startswith(("{{<", "{{%"))
                else "liquid"
                if text.startswith("{%")
                else "variable"
            )
            short = text if len(text) <= 60 else text[:57] + "…"
            found.append(ForeignTag(body_line + offset, short, kind))
    return found


def blank_code_spans(line: str) -> str:
    """``line`` with its code spans (`` `x` ``, ``` ``x`` ```) blanked, in one pass.

    A span opens with a run of backticks and closes at the next run of the same length;
    an opening run that is never closed is plain text. Linear in the line's length, so a
    line of a thousand backticks cannot stall a build.
    """
    if "`" not in line:
        return line
    runs = list(_TICKS.finditer(line))
    by_length: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        by_length.setdefault(len(run.group(0)), []).append(index)
    cursor = {length: 0 for length in by_length}  # next candidate closer of each length
    pieces: list[str] = []
    done = 0
    index = 0
    while index < len(runs):
        run = runs[index]
        length = len(run.group(0))
        if run.start() < done:
            index += 1
            continue
        same = by_length[length]
        position = cursor[length]
        while position < len(same) and same[position] <= index:
            position += 1
        cursor[length] = position
        if position == len(same):
            index += 1  # never closed: literal backticks
            continue
        closer = runs[same[position]]
        pieces.append(line[done : run.start()])
        pieces.append(" " * (closer.end() - run.start()))
        done = closer.end()
        index = same[position] + 1
    pieces.append(line[done:])
    return "".join(pieces)
