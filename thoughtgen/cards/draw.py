"""Drawing a share card: text laid out in boxes, then written as a small 4-bit palette PNG.

The card is white with an accent bar at the left (the default theme's colours): the site's
name at the top, the title large in the middle, the author and date at the foot. The title
wraps and shrinks to fit its box; only at the smallest size is it cut, with an ellipsis.

Speed matters (a site may have ten thousand posts), so the common case avoids the slow
paths: Latin, Greek, Cyrillic and CJK text is placed glyph by glyph from a per-process cache
of glyph images and kerning, while text that needs shaping (Arabic, Devanagari, combining
marks, emoji) goes through Pillow's full layout (raqm, when Pillow has it). The PNG is
written here: the rows without text are the same on every card, so they are compressed once
per process and only the rows with text are compressed per card.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import regex  # type: ignore[import-untyped, unused-ignore]
from PIL import Image, ImageDraw, ImageFont, features

from thoughtgen.cards.fonts import BOLD, REGULAR, Face, font_book, needs_font

DRAW_VERSION = "1"  # bump when the drawing changes, so every card is made anew

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
    simple: bool  # drawn glyph by glyph from the cache
    pens: tuple[int, ...] = ()  # a simple piece's glyph positions


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


class _Glyphs:
    """Advances, kerning and images of single glyphs of one face at one size."""

    def __init__(self, font: ImageFont.FreeTypeFont) -> None:
        self.font = font
        self.advances: dict[str, float] = {}
        self.kerning: dict[str, float] = {}
        self.images: dict[str, tuple[Image.Image | None, int, int, int, int]] = {}

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

    def width(self, text: str) -> float:
        total = 0.0
        previous = ""
        for char in text:
            total += self.advance(char)
            if previous:
                total += self.kern(previous + char)
            previous = char
        return total

    def place(self, text: str, x: float) -> tuple[tuple[int, ...], tuple[int, int, int, int]]:
        """Each glyph's pen position from ``x``, and the ink box (relative to the baseline)."""
        pens = []
        left = top = 10**6
        right = bottom = -(10**6)
        previous = ""
        advances, kerning, images = self.advances, self.kerning, self.images
        for char in text:
            if previous:
                pair = previous + char
                kern = kerning.get(pair)
                x += self.kern(pair) if kern is None else kern
            pen = round(x)
            pens.append(pen)
            found = images.get(char) or self.image(char)
            if found[3] > found[1]:
                left, right = min(left, pen + found[1]), max(right, pen + found[3])
                top, bottom = min(top, found[2]), max(bottom, found[4])
            advance = advances.get(char)
            x += self.advance(char) if advance is None else advance
            previous = char
        return tuple(pens), (left, top, right, bottom)

    def image(self, char: str) -> tuple[Image.Image | None, int, int, int, int]:
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


@cache
def _glyphs(face: Face, size: int) -> _Glyphs:
    return _Glyphs(_font(face, size))


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


class _Measure:
    """Widths of lines of one block at one size, remembered for the layout of one text."""

    def __init__(self, bold: bool, size: int) -> None:
        self.bold = bold
        self.size = size
        self.known: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        found = self.known.get(text)
        if found is None:
            found = sum(_run_width(t, f, self.size)[0] for t, f in _runs(text, self.bold))
            self.known[text] = found
        return found


# --- line breaking -----------------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")
_DASHES = frozenset("-‐‑–—/")


def _wide(grapheme: str) -> bool:
    code = ord(grapheme[0])
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text[: MAX_GRAPHEMES * 8])[:MAX_GRAPHEMES]


def _tokens(text: str) -> list[str]:
    """Pieces a line may end after: words with their spaces, dashes, single CJK characters."""
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
    sized = [(t, f, *_run_width(t, f, size)) for t, f in runs]
    total = sum(width for _t, _f, width, _s, _d in sized)
    rtl = _direction(text) == "rtl"
    x = block.right - total if rtl else float(block.left)
    pieces = []
    boxes = []
    for run_text, face, width, simple, direction in reversed(sized) if rtl else sized:
        pens: tuple[int, ...] = ()
        if simple:
            pens, (left, top, right, bottom) = _glyphs(face, size).place(run_text, x)
            if right > left:
                boxes.append((left, baseline + top, right, baseline + bottom))
        piece = Piece(run_text, face, size, x, baseline, direction, simple, pens)
        if not simple:
            boxes += _piece_boxes(piece)
        pieces.append(piece)
        x += width
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


def _moved(piece: Piece, dx: int) -> Piece:
    return Piece(
        piece.text,
        piece.face,
        piece.size,
        piece.x + dx,
        piece.baseline,
        piece.direction,
        piece.simple,
        tuple(pen + dx for pen in piece.pens),
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
        measure = _Measure(block.bold, size)
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


def _draw_block(layout_: TextLayout, block: Block, top: int, bottom: int, ink: int) -> Image.Image:
    """Rows ``top``-``bottom`` of the block's text as shades 0 (none) to ``ink`` (full), as
    wide as a PNG row (with two pixels in front for the filter byte); nothing spills out of
    the block. Drawing with the number of shades as the colour quantises as it blends."""
    canvas = Image.new("L", (_ROW_PIXELS, bottom - top), 0)
    drawer: ImageDraw.ImageDraw | None = None
    for line in layout_.lines:
        for piece in line.pieces:
            y = piece.baseline - top
            if piece.simple:
                glyphs = _glyphs(piece.face, piece.size)
                for pen, char in zip(piece.pens, piece.text, strict=True):
                    mask, left, glyph_top, _right, _bottom = glyphs.image(char)
                    if mask is not None:
                        canvas.paste(ink, (pen + 2 + left, y + glyph_top), mask)
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
    if any(line.box != _clipped(line, block).box for line in layout_.lines):
        canvas.paste(0, (0, 0, 2 + block.left, bottom - top))
        canvas.paste(0, (2 + block.right, 0, _ROW_PIXELS, bottom - top))
    return canvas


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
_MUTED_TABLE = [MUTED_BASE + n if 0 < n <= MUTED_LEVELS else 0 for n in range(256)]
_ROW_PIXELS = WIDTH + 2  # two leading pixels of index 0 pack into each row's filter byte
_BAR_BYTES = bytes([ACCENT_INDEX << 4 | ACCENT_INDEX]) * (BAR // 2)


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


def _segment(raw: bytes) -> _Segment:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    data = compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = zlib.adler32(raw)
    return _Segment(data, adler & 0xFFFF, adler >> 16, len(raw))


@cache
def _blank_segment(count: int, rule: bool = False) -> _Segment:
    return _segment(_blank_rows(count, rule).tobytes("raw", "P;4"))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(segments: Sequence[_Segment]) -> bytes:
    a, b = 1, 0
    for segment in segments:  # adler32 of the whole from its parts (zlib's adler32_combine)
        b = (b + segment.b + segment.length * (a - 1)) % 65521
        a = (a + segment.a - 1) % 65521
    stream = b"\x78\x01" + b"".join(s.data for s in segments) + b"\x03\x00"
    stream += struct.pack(">I", (b << 16) | a)
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 4, 3, 0, 0, 0)
    colours = bytes(v for rgb in palette() for v in rgb)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", colours)
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )


def _rows_of(block: Block, layout_: TextLayout) -> tuple[int, int]:
    """The rows the block's ink covers (empty when it has none)."""
    if not layout_.lines:
        return (block.top, block.top)
    top = min(line.box[1] for line in layout_.lines)
    bottom = max(line.box[3] for line in layout_.lines)
    return (max(block.top, top), min(block.bottom, max(bottom, top)))


def render(site: str, title: str, byline: str) -> bytes:
    """The card's PNG bytes: the same texts give the same bytes."""
    blocks = [
        (SITE_BLOCK, layout(site, SITE_BLOCK)),
        (TITLE_BLOCK, layout(title, TITLE_BLOCK)),
        (FOOTER_BLOCK, layout(byline, FOOTER_BLOCK)),
    ]
    segments: list[_Segment] = []
    row = 0

    def blank_until(end: int) -> None:
        nonlocal row
        if end > row and row < _RULE_ROWS[0] < end:
            blank_until(_RULE_ROWS[0])
            segments.append(_blank_segment(_RULE_ROWS[1] - _RULE_ROWS[0], True))
            row = _RULE_ROWS[1]
        if end > row:
            segments.append(_blank_segment(end - row))
            row = end

    for block, laid in blocks:
        top, bottom = _rows_of(block, laid)
        if bottom <= top:
            continue
        blank_until(top)
        levels = MUTED_LEVELS if block.muted else INK_LEVELS
        shades = _draw_block(laid, block, top, bottom, levels)
        if block.muted:
            shades = shades.point(_MUTED_TABLE)
        raw = bytearray(shades.tobytes("raw", "L;4"))
        step = _ROW_PIXELS // 2
        for at in range(0, len(raw), step):  # the accent bar, two pixels a byte
            raw[at + 1 : at + 1 + BAR // 2] = _BAR_BYTES
        segments.append(_segment(bytes(raw)))
        row = bottom
    blank_until(HEIGHT)
    return _png(segments)
