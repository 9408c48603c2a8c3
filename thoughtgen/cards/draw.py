"""Drawing a share card: text laid out in boxes, then written as a small 4-bit palette PNG.

The card is white with an accent bar at the left (the default theme's colours): the site's
name at the top, the title large in the middle, the author and date at the foot. The title
wraps and shrinks to fit its box; only at the smallest size is it cut, with an ellipsis.

Speed matters (a site may have ten thousand posts), so the common case avoids the slow
paths: Latin, Greek, Cyrillic and CJK text is measured and drawn word by word from
per-process caches (glyph images and kerning, word widths, words drawn in their shades),
while text that needs shaping (Arabic, Devanagari, combining marks, emoji) goes through
Pillow's full layout (raqm, when Pillow has it). The PNG is written here: the rows without
text are the same on every card, so they are compressed once per process, the site's name
once per site, and only each line's rows of the title and the foot per card.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import regex  # type: ignore[import-untyped, unused-ignore]
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from thoughtgen.cards.fonts import BOLD, REGULAR, Face, font_book, needs_font

DRAW_VERSION = "2"  # bump when the drawing changes, so every card is made anew

WIDTH, HEIGHT = 1200, 630

# Colours of the default theme (themes/default/static/style.css), light scheme.
BACKGROUND = (0xFF, 0xFF, 0xFF)  # --bg
INK = (0x1D, 0x21, 0x25)  # --fg: site name and title
MUTED = (0x56, 0x60, 0x6B)  # --muted: author and date
ACCENT = (0x0B, 0x57, 0xA4)  # --accent: the bar
INK_LEVELS, MUTED_LEVELS = 8, 6  # shades of antialiasing: 1 + 8 + 1 + 6 = 16 colours
ACCENT_INDEX, MUTED_BASE = 9, 9  # ink shade n is index n; muted shade n is MUTED_BASE + n

BAR = 24  # accent bar width
LEFT, RIGHT = 96, 1104
ELLIPSIS = "…"
MAX_GRAPHEMES = 300  # more than fit in the title box at its smallest size
_RULE_ROWS = (528, 530)


@dataclass(frozen=True)
class Block:
    """A box text is laid out in, and how."""

    left: int
    top: int
    right: int
    bottom: int
    sizes: tuple[int, ...]  # tried largest first
    bold: bool
    baseline: int | None = None  # one line on this baseline; None: lines centred in the box
    muted: bool = False

    @property
    def width(self) -> int:
        return self.right - self.left


SITE_BLOCK = Block(LEFT, 56, RIGHT, 132, (34,), True, baseline=108)
TITLE_BLOCK = Block(LEFT, 152, RIGHT, 500, (80, 72, 64, 58, 52, 46, 42), True)
FOOTER_BLOCK = Block(LEFT, 548, RIGHT, 614, (30,), False, baseline=592, muted=True)


@dataclass(frozen=True)
class Piece:
    """A run of text in one face, placed: pen position on the baseline, left to right."""

    text: str
    face: Face
    size: int
    x: float
    baseline: int
    direction: str | None  # "rtl", "ltr"; None lets the layout engine decide
    simple: bool  # drawn word by word from the cache
    words: tuple[tuple[int, str], ...] = ()  # a simple piece's inked words and their pens


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[int, int, int, int]  # ink (left, top, right, bottom), inside the block
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class TextLayout:
    size: int
    lines: tuple[Line, ...]
    truncated: bool  # cut with an ellipsis, or clipped: the text did not fit at any size


# --- fonts and glyphs --------------------------------------------------------------------

RAQM = features.check("raqm")


@cache
def _font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=engine)


_GLYPH_LIMIT = 4096  # glyph images kept per face and size (a CJK site has many)
_UNIT_LIMIT = 8192  # words measured, kept per face and size
_UNIT_MAX = 32  # a longer word is measured and drawn in pieces of this many characters
_WORD_PIXELS = 32 << 20  # pixels (bytes) of drawn words kept, all faces and sizes

# What is measured and drawn as one: a run of spaces, one CJK character, or a word.
_WIDE_CHARS = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_UNIT = re.compile(f" +|[{_WIDE_CHARS}]|[^ {_WIDE_CHARS}]{{1,{_UNIT_MAX}}}")

_Box = tuple[int, int, int, int]
_Glyph = tuple[Image.Image | None, int, int, int, int]  # mask, then ink box from the pen
_Word = tuple[float, _Box, tuple[int, ...]]  # advance, ink box, each glyph's pen from 0
_Drawn = tuple[Image.Image | None, int, int]  # shades, then the ink box's top left from the pen


class _DrawnWords:
    """Words drawn in shades, for every face and size, forgetting the least recently used
    beyond a number of pixels (a site of many distinct words keeps its memory bounded)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pixels = 0
        self.items: OrderedDict[tuple[_Glyphs, str, int], _Drawn] = OrderedDict()

    @staticmethod
    def _cost(drawn: _Drawn) -> int:
        shades = drawn[0]
        return 256 + (shades.width * shades.height if shades is not None else 0)

    def get(self, key: tuple[_Glyphs, str, int]) -> _Drawn | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[_Glyphs, str, int], drawn: _Drawn) -> _Drawn:
        self.items[key] = drawn
        self.pixels += self._cost(drawn)
        while self.pixels > self.limit and len(self.items) > 1:
            _key, old = self.items.popitem(last=False)
            self.pixels -= self._cost(old)
        return drawn


@cache
def _drawn_words() -> _DrawnWords:
    return _DrawnWords(_WORD_PIXELS)


class _Glyphs:
    """Advances, kerning and images of the glyphs and words of one face at one size.

    A word's glyphs are placed from 0 within it, and the word at a rounded pen position, so
    a word is drawn the same wherever it stands and is pasted once, not glyph by glyph.
    """

    def __init__(self, face: Face, size: int) -> None:
        self.face = face
        self.size = size
        self.font = _font(face, size)
        self.advances: dict[str, float] = {}
        self.kerning: dict[str, float] = {}
        self.images: dict[str, _Glyph] = {}
        self.words: dict[str, _Word] = {}
        self.drawn = _drawn_words()

    def advance(self, char: str) -> float:
        found = self.advances.get(char)
        if found is None:
            found = self.advances[char] = self.font.getlength(char)
        return found

    def kern(self, pair: str) -> float:
        found = self.kerning.get(pair)
        if found is None:
            found = self.font.getlength(pair) - self.advance(pair[0]) - self.advance(pair[1])
            self.kerning[pair] = found
        return found

    def word(self, text: str) -> _Word:
        """A unit's advance, ink box (relative to its pen on the baseline) and glyph pens."""
        found = self.words.get(text)
        if found is not None:
            return found
        if len(self.words) >= _UNIT_LIMIT:
            self.words.clear()
        pens = []
        left = top = 10**6
        right = bottom = -(10**6)
        x = 0.0
        previous = ""
        for char in text:
            if previous:
                x += self.kern(previous + char)
            pen = round(x)
            pens.append(pen)
            found_image = self.images.get(char) or self.image(char)
            if found_image[3] > found_image[1]:
                left, right = min(left, pen + found_image[1]), max(right, pen + found_image[3])
                top, bottom = min(top, found_image[2]), max(bottom, found_image[4])
            x += self.advance(char)
            previous = char
        found = self.words[text] = (x, (left, top, right, bottom), tuple(pens))
        return found

    def width(self, text: str) -> float:
        total = 0.0
        last = ""
        kerning, words = self.kerning, self.words
        for unit in _UNIT.findall(text):
            if last:
                pair = last + unit[0]
                kern = kerning.get(pair)
                total += self.kern(pair) if kern is None else kern
            total += (words.get(unit) or self.word(unit))[0]
            last = unit[-1]
        return total

    def place(self, text: str, x: float) -> tuple[tuple[tuple[int, str], ...], _Box]:
        """Each inked word with its pen position from ``x``, and the ink box (relative to
        the baseline)."""
        words = []
        left = top = 10**6
        right = bottom = -(10**6)
        last = ""
        kerning, known = self.kerning, self.words
        for unit in _UNIT.findall(text):
            if last:
                pair = last + unit[0]
                kern = kerning.get(pair)
                x += self.kern(pair) if kern is None else kern
            advance, (word_left, word_top, word_right, word_bottom), _pens = known.get(
                unit
            ) or self.word(unit)
            if word_right > word_left:
                pen = round(x)
                words.append((pen, unit))
                left = min(left, pen + word_left)
                right = max(right, pen + word_right)
                top = min(top, word_top)
                bottom = max(bottom, word_bottom)
            x += advance
            last = unit[-1]
        return tuple(words), (left, top, right, bottom)

    def image(self, char: str) -> _Glyph:
        """The glyph as an "L" mask, with its ink box relative to the pen on the baseline."""
        found = self.images.get(char)
        if found is None:
            left, top, right, bottom = (int(v) for v in self.font.getbbox(char, anchor="ls"))
            mask = None
            if right > left and bottom > top:
                mask = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(mask).text(
                    (-left, -top), char, fill=255, font=self.font, anchor="ls"
                )
            if len(self.images) >= _GLYPH_LIMIT:
                self.images.clear()
            found = self.images[char] = (mask, left, top, right, bottom)
        return found

    def word_image(self, text: str, ink: int) -> _Drawn:
        """The word in shades 0 to ``ink``, with the top left of its ink box relative to its
        pen. Its glyphs are blended at full strength first, then quantised once."""
        key = (self, text, ink)
        found = self.drawn.get(key)
        if found is not None:
            return found
        _advance, (left, top, right, bottom), pens = self.word(text)
        shades = None
        if right > left and bottom > top:
            mask = Image.new("L", (right - left, bottom - top), 0)
            for pen, char in zip(pens, text, strict=True):
                glyph, glyph_left, glyph_top, _right, _bottom = self.image(char)
                if glyph is not None:
                    mask.paste(255, (pen + glyph_left - left, glyph_top - top), glyph)
            shades = Image.new("L", mask.size, 0)
            shades.paste(ink, (0, 0), mask)
        return self.drawn.put(key, (shades, left, top))


@cache
def _glyphs(face: Face, size: int) -> _Glyphs:
    return _Glyphs(face, size)


@cache
def _simple_char(char: str) -> bool:
    """Drawn right one glyph at a time: no shaping, no marks, left to right."""
    code = ord(char)
    if not (
        code < 0x0590
        or 0x1D00 <= code <= 0x1FFF
        or 0x2000 <= code <= 0x2BFF
        or 0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7A3
        or 0xF900 <= code <= 0xFAFF
        or 0xFF01 <= code <= 0xFF60
    ):
        return False
    return unicodedata.category(char)[0] != "M" and unicodedata.bidirectional(char) not in (
        "R",
        "AL",
        "AN",
        "LRE",
        "RLE",
        "LRO",
        "RLO",
        "PDF",
        "LRI",
        "RLI",
        "FSI",
        "PDI",
    )


def _direction(text: str) -> str:
    """The direction of the first strong character: "rtl" or "ltr"."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# --- runs and measuring ------------------------------------------------------------------


class _Plain:
    """Characters the bundled face draws glyph by glyph: text made only of them is one run."""

    def __init__(self) -> None:
        self.chars: dict[bool, set[str]] = {True: set(), False: set()}
        self.simple: set[str] = set()
        self.seen: dict[bool, set[str]] = {True: set(), False: set()}

    def learn(self, text: str, bold: bool) -> None:
        primary = BOLD if bold else REGULAR
        book = font_book()
        new = set(text) - self.seen[bold]
        self.seen[bold] |= new
        for char in new:
            if _simple_char(char):
                self.simple.add(char)
                if not needs_font(char) or book.face_for(char, bold) == primary:
                    self.chars[bold].add(char)


@cache
def _plain() -> _Plain:
    return _Plain()


def _runs(text: str, bold: bool) -> list[tuple[str, Face]]:
    """``text`` cut where the face drawing it changes; spaces and marks stay with the run."""
    primary = BOLD if bold else REGULAR
    plain = _plain().chars[bold]
    if plain.issuperset(text):
        return [(text, primary)]
    book = font_book()
    runs: list[tuple[str, Face]] = []
    current: list[str] = []
    face: Face | None = None
    for char in text:
        wanted: Face | None = None
        if needs_font(char):
            if face is not None and unicodedata.category(char)[0] == "M":
                wanted = face  # a mark stays with its base letter, to be shaped with it
            else:
                wanted = book.face_for(char, bold) or primary  # no font has it: a box
        if wanted is not None and wanted != face and current and face is not None:
            runs.append(("".join(current), face))
            current = []
        if wanted is not None:
            face = wanted
        current.append(char)
    if current:
        runs.append(("".join(current), face or primary))
    return runs


def _run_width(text: str, face: Face, size: int) -> tuple[float, bool, str | None]:
    """Advance of a run, whether it is drawn glyph by glyph, and its direction."""
    if _plain().simple.issuperset(text) or all(_simple_char(c) for c in text):
        return _glyphs(face, size).width(text), True, "ltr"
    direction = _direction(text) if RAQM else None
    return _font(face, size).getlength(text, direction=direction), False, direction


_MEASURE_LIMIT = 16384  # widths kept per block face and size


class _Measure:
    """Widths of words and lines in one block face at one size, remembered across texts
    (the same words recur from title to title)."""

    def __init__(self, bold: bool, size: int) -> None:
        self.bold = bold
        self.size = size
        self.known: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        found = self.known.get(text)
        if found is None:
            if len(self.known) >= _MEASURE_LIMIT:
                self.known.clear()
            found = sum(_run_width(t, f, self.size)[0] for t, f in _runs(text, self.bold))
            self.known[text] = found
        return found


@cache
def _measure(bold: bool, size: int) -> _Measure:
    return _Measure(bold, size)


# --- line breaking -----------------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")
_DASHES = frozenset("-‐‑–—/")


def _wide(grapheme: str) -> bool:
    code = ord(grapheme[0])
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text[: MAX_GRAPHEMES * 8])[:MAX_GRAPHEMES]


# The tokens of text whose characters are each a grapheme (the simple ones, but joiners).
_SIMPLE_TOKEN = re.compile(
    f"[{_WIDE_CHARS}]\\s*|[^\\s{_WIDE_CHARS}]*?[{re.escape(''.join(sorted(_DASHES)))}]\\s*"
    f"|[^\\s{_WIDE_CHARS}]+\\s*|\\s+"
)
_JOINERS = frozenset("\r\u200c\u200d")


def _tokens(text: str) -> list[str]:
    """Pieces a line may end after: words with their spaces, dashes, single CJK characters."""
    head = text[:MAX_GRAPHEMES]
    if _plain().simple.issuperset(head) and _JOINERS.isdisjoint(head):
        return _SIMPLE_TOKEN.findall(head)
    return _grapheme_tokens(text)


def _grapheme_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    current = ""
    previous = ""
    for grapheme in graphemes(text):
        space = grapheme.isspace()
        if current and not space:
            after = previous.isspace() or previous[-1] in _DASHES
            if after or _wide(grapheme) or _wide(previous):
                tokens.append(current)
                current = ""
        current += grapheme
        previous = grapheme
    if current:
        tokens.append(current)
    return tokens


def _split_long(token: str, measure: _Measure, width: float) -> list[str]:
    """A word wider than the box, cut between graphemes into pieces that fit."""
    parts: list[str] = []
    current = ""
    for grapheme in graphemes(token):
        if current and measure((current + grapheme).rstrip()) > width:
            parts.append(current)
            current = ""
        current += grapheme
    if current:
        parts.append(current)
    return parts


def _break_lines(tokens: Sequence[str], measure: _Measure, width: float) -> list[str]:
    """Greedy line filling. A line's width is the sum of its tokens' widths (measured once
    each), and measured whole only when that sum is too close to the edge to trust."""
    lines: list[str] = []
    current = ""
    used = 0.0  # width of ``current``, trailing spaces included
    for token in tokens:
        if not current:
            current, used = token.lstrip(), measure(token.lstrip())
        else:
            trial = current + token
            estimate = used + measure(token.rstrip())
            near = abs(estimate - width) < width * 0.02
            if (measure(trial.rstrip()) if near else estimate) <= width:
                current, used = trial, used + measure(token)
            else:
                lines.append(current)
                current, used = token.lstrip(), measure(token.lstrip())
        if used > width and measure(current.rstrip()) > width:  # one word too wide alone
            *whole, current = _split_long(current, measure, width)
            lines += whole
            used = measure(current)
    if current.strip():
        lines.append(current)
    return [line.rstrip() for line in lines]


def _with_ellipsis(line: str, measure: _Measure, width: float) -> str:
    kept = graphemes(line)
    while kept and measure("".join(kept).rstrip() + ELLIPSIS) > width:
        kept.pop()
    return "".join(kept).rstrip() + ELLIPSIS


# --- placing -----------------------------------------------------------------------------


def _place(text: str, block: Block, size: int, baseline: int) -> Line:
    """One line's pieces, aligned to the start side of its direction."""
    runs = _runs(text, block.bold)
    if len(runs) == 1 and _plain().simple.issuperset(text):  # one face, left to right
        pieces, boxes = _simple_piece(text, runs[0][1], size, float(block.left), baseline)
    else:
        pieces, boxes = _pieces(runs, text, block, size, baseline)
    box = _union(boxes, pieces)
    shift = 0
    if box[0] < block.left:  # a glyph reaching left of its pen (a J, an italic)
        shift = block.left - box[0]
    elif box[2] > block.right:
        shift = block.right - box[2]
    if shift and box[2] - box[0] <= block.width:
        pieces = [_moved(p, shift) for p in pieces]
        box = (box[0] + shift, box[1], box[2] + shift, box[3])
    return Line(text, box, tuple(pieces))


def _simple_piece(
    text: str, face: Face, size: int, x: float, baseline: int
) -> tuple[list[Piece], list[_Box]]:
    words, (left, top, right, bottom) = _glyphs(face, size).place(text, x)
    piece = Piece(text, face, size, x, baseline, "ltr", True, words)
    return [piece], [(left, baseline + top, right, baseline + bottom)] if right > left else []


def _pieces(
    runs: list[tuple[str, Face]], text: str, block: Block, size: int, baseline: int
) -> tuple[list[Piece], list[_Box]]:
    """The pieces of a line of several runs, or of runs that need shaping, and their boxes."""
    sized = [(t, f, *_run_width(t, f, size)) for t, f in runs]
    total = sum(width for _t, _f, width, _s, _d in sized)
    rtl = _direction(text) == "rtl"
    x = block.right - total if rtl else float(block.left)
    pieces = []
    boxes = []
    for run_text, face, width, simple, direction in reversed(sized) if rtl else sized:
        if simple:
            placed, placed_boxes = _simple_piece(run_text, face, size, x, baseline)
            pieces += placed
            boxes += placed_boxes
        else:
            piece = Piece(run_text, face, size, x, baseline, direction, False)
            boxes += _piece_boxes(piece)
            pieces.append(piece)
        x += width
    return pieces, boxes


def _moved(piece: Piece, dx: int) -> Piece:
    return Piece(
        piece.text,
        piece.face,
        piece.size,
        piece.x + dx,
        piece.baseline,
        piece.direction,
        piece.simple,
        tuple((pen + dx, word) for pen, word in piece.words),
    )


def _union(
    boxes: Sequence[tuple[int, int, int, int]], pieces: Sequence[Piece]
) -> tuple[int, int, int, int]:
    if not boxes:  # nothing visible
        x = int(pieces[0].x) if pieces else 0
        y = pieces[0].baseline if pieces else 0
        return (x, y, x, y)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _piece_boxes(piece: Piece) -> list[tuple[int, int, int, int]]:
    """The ink box of a piece laid out by Pillow (shaped text)."""
    font = _font(piece.face, piece.size)
    left, top, right, bottom = font.getbbox(piece.text, anchor="ls", direction=piece.direction)
    if right <= left:
        return []
    x = piece.x
    return [
        (
            int(x + left),
            int(piece.baseline + top),
            int(x + right + 0.999),
            int(piece.baseline + bottom),
        )
    ]


def _inside(line: Line, block: Block) -> bool:
    left, top, right, bottom = line.box
    return (
        left >= block.left and right <= block.right and top >= block.top and bottom <= block.bottom
    )


def _clipped(line: Line, block: Block) -> Line:
    left, top, right, bottom = line.box
    box = (
        min(max(left, block.left), block.right),
        min(max(top, block.top), block.bottom),
        max(min(right, block.right), block.left),
        max(min(bottom, block.bottom), block.top),
    )
    return Line(line.text, box, line.pieces)


@lru_cache(maxsize=64)  # the site's name is on every card
def layout(text: str, block: Block = TITLE_BLOCK) -> TextLayout:
    """``text`` laid out in ``block``: every line's ink box lies inside the block.

    The largest size at which the whole text fits wins; at the smallest size, the text is
    cut after the last line that fits, with an ellipsis. A line whose glyphs are taller than
    the box even then (a stack of combining marks) is clipped to it.
    """
    text = " ".join(text.split())
    _plain().learn(text[: MAX_GRAPHEMES * 8], block.bold)
    tokens = _tokens(text)
    last = block.sizes[-1]
    for size in block.sizes:
        measure = _measure(block.bold, size)
        lines = _break_lines(tokens, measure, block.width) if tokens else []
        placed = _arrange(lines, block, size)
        if placed is not None and all(_inside(line, block) for line in placed):
            return TextLayout(size, tuple(placed), False)
        if size == last:
            return _cut(lines, block, size, measure)
    raise AssertionError("a block has at least one size")


def _baselines(count: int, block: Block, size: int) -> list[int] | None:
    """Baselines of ``count`` lines centred in the block, or None when they cannot fit."""
    if block.baseline is not None:
        return [block.baseline][:count] if count <= 1 else None
    ascent, descent = _font(BOLD if block.bold else REGULAR, size).getmetrics()
    pitch = round(size * 1.18)
    height = ascent + descent + pitch * (count - 1)
    if height > block.bottom - block.top:
        return None
    top = block.top + (block.bottom - block.top - height) // 2
    return [top + ascent + pitch * n for n in range(count)]


def _arrange(lines: Sequence[str], block: Block, size: int) -> list[Line] | None:
    baselines = _baselines(len(lines), block, size)
    if baselines is None:
        return None
    return [_place(line, block, size, y) for line, y in zip(lines, baselines, strict=True)]


def _cut(lines: list[str], block: Block, size: int, measure: _Measure) -> TextLayout:
    """The most lines that fit at the smallest size, the last ending in an ellipsis."""
    for count in range(len(lines), 0, -1):
        kept = lines[:count]
        if count < len(lines):
            kept[-1] = _with_ellipsis(kept[-1], measure, block.width)
        placed = _arrange(kept, block, size)
        if placed is not None and all(_inside(line, block) for line in placed):
            return TextLayout(size, tuple(placed), True)
    placed = _arrange(lines[:1], block, size) or []
    return TextLayout(size, tuple(_clipped(line, block) for line in placed), True)


# --- drawing -----------------------------------------------------------------------------


def _ramp(colour: tuple[int, int, int], levels: int) -> list[int]:
    palette = []
    for level in range(1, levels + 1):
        palette += [
            round(b + (c - b) * level / levels) for b, c in zip(BACKGROUND, colour, strict=True)
        ]
    return palette


def palette() -> list[tuple[int, int, int]]:
    """The card's 16 colours: background, ink shades, accent, muted shades."""
    flat = [*BACKGROUND, *_ramp(INK, INK_LEVELS), *ACCENT, *_ramp(MUTED, MUTED_LEVELS)]
    return [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]  # type: ignore[misc]


# Shade n of the muted colour is palette index MUTED_BASE + n; shade 0 is the background.
# The bar is drawn as its own index, above every shade, and kept.
_MUTED = [
    MUTED_BASE + n if 0 < n <= MUTED_LEVELS else ACCENT_INDEX if n == ACCENT_INDEX else 0
    for n in range(16)
]
_MUTED_BYTES = bytes(_MUTED[v >> 4] << 4 | _MUTED[v & 15] for v in range(256))  # two a byte
_ROW_PIXELS = WIDTH + 2  # two leading pixels of index 0 pack into each row's filter byte


def _draw_rows(layout_: TextLayout, block: Block, top: int, bottom: int) -> bytes:
    """Rows ``top``-``bottom`` of the card, packed as PNG rows: the block's text, the accent
    bar, and the filter byte in front (two pixels of index 0). Nothing spills out of the block.

    The text is drawn in an "L" canvas with its number of shades as the colour, so ink shade
    n is palette index n (muted ones are mapped after). A word is copied in where nothing is
    drawn yet, and otherwise kept with what is there by the lighter of the two.
    """
    ink = MUTED_LEVELS if block.muted else INK_LEVELS
    height = bottom - top
    canvas = Image.new("L", (_ROW_PIXELS, height), 0)
    drawer: ImageDraw.ImageDraw | None = None
    clear_below = 0  # nothing is drawn yet from this row down
    for line in layout_.lines:
        if line.box[3] <= top or line.box[1] >= bottom:
            continue
        # Left of this, the line's words may meet what is drawn already.
        drawn_right = 0 if line.box[1] - top >= clear_below else _ROW_PIXELS
        shaped = False
        for piece in line.pieces:
            y = piece.baseline - top
            if piece.simple:
                word_image = _glyphs(piece.face, piece.size).word_image
                for pen, word in piece.words:
                    shades, left, word_top = word_image(word, ink)
                    if shades is None:
                        continue
                    x = pen + 2 + left
                    if x >= drawn_right:
                        canvas.paste(shades, (x, y + word_top))
                    else:
                        box = (x, y + word_top, x + shades.width, y + word_top + shades.height)
                        canvas.paste(ImageChops.lighter(canvas.crop(box), shades), box)
                    drawn_right = max(drawn_right, x + shades.width)
            else:
                drawer = drawer or ImageDraw.Draw(canvas)
                drawer.text(
                    (piece.x + 2, y),
                    piece.text,
                    fill=ink,
                    font=_font(piece.face, piece.size),
                    anchor="ls",
                    direction=piece.direction,
                )
                drawn_right = _ROW_PIXELS
                shaped = True  # its ink is Pillow's to place: assume it may be anywhere
        clear_below = height if shaped else max(clear_below, line.box[3] - top)
    if any(line.box != _clipped(line, block).box for line in layout_.lines):
        canvas.paste(0, (0, 0, 2 + block.left, height))
        canvas.paste(0, (2 + block.right, 0, _ROW_PIXELS, height))
    canvas.paste(ACCENT_INDEX, (2, 0, 2 + BAR, height))
    rows = canvas.tobytes("raw", "L;4")
    return rows.translate(_MUTED_BYTES) if block.muted else rows


def _blank_rows(count: int, rule: bool = False) -> Image.Image:
    rows = Image.new("P", (_ROW_PIXELS, count), 0)
    rows.paste(ACCENT_INDEX, (2, 0, 2 + BAR, count))
    if rule:
        rows.paste(MUTED_BASE + 1, (2 + LEFT, 0, 2 + RIGHT, count))
    return rows


@dataclass(frozen=True)
class _Segment:
    """Rows of the image, compressed on their own: deflate data and adler32 parts."""

    data: bytes
    a: int
    b: int
    length: int


def _segment(raw: bytes | memoryview) -> _Segment:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15, 7, zlib.Z_RLE)
    data = compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = zlib.adler32(raw)
    return _Segment(data, adler & 0xFFFF, adler >> 16, len(raw))


@cache
def _blank_segment(count: int, rule: bool = False) -> _Segment:
    return _segment(_blank_rows(count, rule).tobytes("raw", "P;4"))


def _blank(segments: list[_Segment], start: int, end: int) -> None:
    """Rows ``start``-``end`` without text (the same on every card), the rule included."""
    rule_top, rule_bottom = _RULE_ROWS
    if start <= rule_top < end:
        _blank(segments, start, rule_top)
        segments.append(_blank_segment(rule_bottom - rule_top, True))
        start = rule_bottom
    if end > start:
        segments.append(_blank_segment(end - start))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def _png_head() -> bytes:
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 4, 3, 0, 0, 0)
    colours = bytes(v for rgb in palette() for v in rgb)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", colours)


def _png(segments: Sequence[_Segment]) -> bytes:
    a, b = 1, 0
    for segment in segments:  # adler32 of the whole from its parts (zlib's adler32_combine)
        b = (b + segment.b + segment.length * (a - 1)) % 65521
        a = (a + segment.a - 1) % 65521
    stream = b"\x78\x01" + b"".join(s.data for s in segments) + b"\x03\x00"
    stream += struct.pack(">I", (b << 16) | a)
    return _png_head() + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _bands(layout_: TextLayout, block: Block) -> list[tuple[int, int]]:
    """The rows the block's lines cover, lines that overlap merged. Each band is compressed
    on its own: the rows between lines are left to the blank segments, and a line's rows
    compress faster and smaller apart from the others."""
    bands: list[tuple[int, int]] = []
    for line in sorted(layout_.lines, key=lambda line: line.box[1]):
        top, bottom = max(block.top, line.box[1]), min(block.bottom, line.box[3])
        if bottom <= top:
            continue
        if bands and top <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], bottom))
        else:
            bands.append((top, bottom))
    return bands


_Band = tuple[int, int, _Segment]  # first row, row after the last, compressed rows


def _block_bands(text: str, block: Block) -> tuple[_Band, ...]:
    laid = layout(text, block)
    bands = _bands(laid, block)
    if not bands:
        return ()
    first = bands[0][0]
    rows = memoryview(_draw_rows(laid, block, first, bands[-1][1]))
    step = _ROW_PIXELS // 2
    return tuple(
        (top, bottom, _segment(rows[(top - first) * step : (bottom - first) * step]))
        for top, bottom in bands
    )


@lru_cache(maxsize=8)  # the site's name is on every card
def _site_bands(text: str) -> tuple[_Band, ...]:
    return _block_bands(text, SITE_BLOCK)


@lru_cache(maxsize=256)  # posts of one day share a byline, and cards are made in date order
def _footer_bands(text: str) -> tuple[_Band, ...]:
    return _block_bands(text, FOOTER_BLOCK)


def render(site: str, title: str, byline: str) -> bytes:
    """The card's PNG bytes: the same texts give the same bytes."""
    bands = (
        *_site_bands(site),
        *_block_bands(title, TITLE_BLOCK),
        *_footer_bands(byline),
    )
    segments: list[_Segment] = []
    row = 0
    for top, bottom, segment in bands:
        _blank(segments, row, top)
        segments.append(segment)
        row = bottom
    _blank(segments, row, HEIGHT)
    return _png(segments)
