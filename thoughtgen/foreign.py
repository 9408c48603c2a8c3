"""Finding template syntax of other generators left in a post's Markdown.

``{% highlight %}`` (Jekyll, Eleventy), ``{{< youtube >}}`` / ``{{% note %}}`` (Hugo) and
``{{ site.url }}`` mean nothing to thoughtgen and would be published as text; this finds
them outside code, with their lines, so the writer can be told where to look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from thoughtgen.mdcode import blank_code_spans, prose_lines

_TAG = re.compile(
    r"\{%-?\s*[a-zA-Z_][^%]{0,500}?-?%\}"  # {% tag … %}
    r"|\{\{<\s*/?\s*[\w./-]+.{0,500}?>\}\}"  # {{< shortcode >}}, bounded: never quadratic
    r"|\{\{%\s*/?\s*[\w./-]+.{0,500}?%\}\}"  # {{% shortcode %}}
    r"|\{\{-?\s*(?:site|page|post|paginator|content|jekyll|layout|\.Site|\.Params|\.Page)"
    r"\b[^}]{0,500}\}\}"  # {{ site.… }}
)


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
    lines = body.split("\n")
    for offset in prose_lines(lines):
        line = lines[offset]
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
