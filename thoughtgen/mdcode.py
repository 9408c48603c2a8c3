"""Where Markdown shows text as code: fenced and indented blocks, and inline code spans.

Finding template tags of other generators, and rewriting links and braces during an
import, must leave code alone. One walk decides what is code for all of them, in time
linear in the text: a line of a thousand backticks cannot stall a build or an import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")


def prose_lines(lines: Sequence[str], indented_code: bool = True) -> Iterator[int]:
    """The indices of ``lines`` outside fenced code blocks (and, with ``indented_code``,
    outside blocks indented four spaces or a tab after a blank line, as Markdown has them)."""
    fence: str | None = None
    previous_blank = True
    for index, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence, previous_blank = None, True
            continue
        if match:
            fence = match.group(1)
            continue
        if indented_code and previous_blank and line.startswith(("    ", "\t")):
            continue
        previous_blank = not line.strip()
        yield index


def code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each code span in ``line`` (`` `x` ``, ``` ``x`` ```), in one pass.

    A span opens with a run of backticks and closes at the next run of the same length;
    an opening run that is never closed is plain text.
    """
    if "`" not in line:
        return []
    runs = list(_TICKS.finditer(line))
    by_length: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        by_length.setdefault(len(run.group(0)), []).append(index)
    cursor = dict.fromkeys(by_length, 0)  # next candidate closer of each length
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        run = runs[index]
        same = by_length[len(run.group(0))]
        position = cursor[len(run.group(0))]
        while position < len(same) and same[position] <= index:
            position += 1
        cursor[len(run.group(0))] = position
        if position == len(same):
            index += 1  # never closed: literal backticks
            continue
        spans.append((run.start(), runs[same[position]].end()))
        index = same[position] + 1
    return spans


def blank_code_spans(line: str, fill: str = " ") -> str:
    """``line`` with each code span replaced by as many ``fill`` characters."""
    pieces: list[str] = []
    done = 0
    for start, end in code_spans(line):
        pieces += [line[done:start], fill * (end - start)]
        done = end
    pieces.append(line[done:])
    return "".join(pieces)


def code_ranges(text: str, indented_code: bool = False) -> list[tuple[int, int]]:
    """Offsets in ``text`` of everything shown as code, in order and never overlapping:
    whole lines of code blocks (with their line breaks) and the code spans of the others."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ranges: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if ranges and ranges[-1][1] >= start:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))

    prose = set(prose_lines(lines, indented_code))
    for index, line in enumerate(lines):
        offset = starts[index]
        if index not in prose:
            add(offset, min(offset + len(line) + 1, len(text)))
            continue
        for start, end in code_spans(line):
            add(offset + start, offset + end)
    return ranges
