"""Fonts for share cards: the bundled Inter, and installed fonts for what Inter cannot draw.

Inter (SIL Open Font License 1.1, ``fonts/OFL.txt``) covers Latin, Greek and Cyrillic. A
character it lacks (Chinese, Arabic, Devanagari...) is drawn with an installed font that has
it: fontconfig is asked where it exists (``fc-list :charset=``), else the usual font folders
of Linux, macOS and Windows are read. Answers are kept for the life of the process, so a
site of thousands of posts asks once per script, not once per post.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BOLD_FILE = FONT_DIR / "InterDisplay-Bold.otf"
REGULAR_FILE = FONT_DIR / "Inter-Regular.otf"

# Characters that are never drawn alone, so never need a font of their own.
_INVISIBLE = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"))


@dataclass(frozen=True)
class Face:
    """One font face: a file and, for a collection (.ttc), which font in it."""

    path: str
    index: int = 0

    @property
    def bundled(self) -> bool:
        return Path(self.path).parent == FONT_DIR


BOLD = Face(str(BOLD_FILE))
REGULAR = Face(str(REGULAR_FILE))


class Coverage:
    """The characters a face maps to glyphs, read from its ``cmap`` table."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def __contains__(self, char: str) -> bool:
        code = ord(char)
        at = bisect.bisect_right(self._starts, code) - 1
        return at >= 0 and code <= self._ends[at]


def _u16(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">H", data, at)[0])


def _u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from(">I", data, at)[0])


def _tables(data: bytes, index: int) -> dict[bytes, tuple[int, int]]:
    """The table directory of font ``index`` of a font file or collection."""
    base = 0
    if data[:4] == b"ttcf":
        if index >= _u32(data, 8):
            raise ValueError("no such font in the collection")
        base = _u32(data, 12 + 4 * index)
    count = _u16(data, base + 4)
    found = {}
    for n in range(count):
        at = base + 12 + 16 * n
        found[data[at : at + 4]] = (_u32(data, at + 8), _u32(data, at + 12))
    return found


def _cmap_ranges(data: bytes, offset: int) -> list[tuple[int, int]]:
    """Code point ranges from the best Unicode subtable (format 12, else format 4)."""
    subtables = {}
    for n in range(_u16(data, offset + 2)):
        at = offset + 4 + 8 * n
        platform, encoding = _u16(data, at), _u16(data, at + 2)
        sub = offset + _u32(data, at + 4)
        subtables[(platform, encoding, _u16(data, sub))] = sub
    for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12), (0, 3, 12)):
        if key in subtables:
            sub = subtables[key]
            groups = _u32(data, sub + 12)
            return [
                (_u32(data, sub + 16 + 12 * g), _u32(data, sub + 20 + 12 * g))
                for g in range(groups)
            ]
    for key in ((3, 1, 4), (0, 3, 4), (0, 4, 4), (0, 1, 4), (0, 0, 4), (3, 0, 4)):
        if key in subtables:
            return _format4(data, subtables[key])
    return []


def _format4(data: bytes, sub: int) -> list[tuple[int, int]]:
    segments = _u16(data, sub + 6) // 2
    ends = sub + 14
    starts = ends + 2 * segments + 2
    deltas = starts + 2 * segments
    range_offsets = deltas + 2 * segments
    ranges = []
    for s in range(segments):
        end, start = _u16(data, ends + 2 * s), _u16(data, starts + 2 * s)
        if start == 0xFFFF:
            continue
        offset_at = range_offsets + 2 * s
        range_offset = _u16(data, offset_at)
        if range_offset == 0:
            ranges.append((start, end))
            continue
        for code in range(start, end + 1):  # glyph ids listed one by one: 0 means missing
            at = offset_at + range_offset + 2 * (code - start)
            if at + 2 <= len(data) and _u16(data, at):
                ranges.append((code, code))
    return ranges


@dataclass(frozen=True)
class FontInfo:
    coverage: Coverage
    outlines: bool  # False for bitmap-only colour fonts, which Pillow cannot scale


@cache
def font_info(face: Face) -> FontInfo | None:
    """What ``face`` can draw; None when the file cannot be read as a font."""
    try:
        data = Path(face.path).read_bytes()
        tables = _tables(data, face.index)
        if b"cmap" not in tables:
            return None
        ranges = _cmap_ranges(data, tables[b"cmap"][0])
    except (OSError, ValueError, struct.error):
        return None
    outlines = any(tag in tables for tag in (b"glyf", b"CFF ", b"CFF2"))
    return FontInfo(Coverage(ranges), outlines)


@cache
def face_digest(face: Face) -> str:
    """What tells a face's file apart from another version of it: its bytes if bundled,
    else its size and modification time (installed fonts can be large)."""
    path = Path(face.path)
    if face.bundled:
        return hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def needs_font(char: str) -> bool:
    """Whether ``char`` is drawn (a space or a joiner is not looked up in any font)."""
    if unicodedata.category(char) in _INVISIBLE:
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)  # variation selectors


def covers(face: Face, char: str) -> bool:
    info = font_info(face)
    return info is not None and char in info.coverage


# --- installed fonts ---------------------------------------------------------------------

_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


def font_folders() -> list[Path]:
    """Where installed fonts live (looked through where fontconfig is missing)."""
    home = Path.home()
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", "C:/Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData/Local"))
        return [windows / "Fonts", local / "Microsoft/Windows/Fonts"]
    data_home = Path(os.environ.get("XDG_DATA_HOME", home / ".local/share"))
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        data_home / "fonts",
        home / ".fonts",
    ]


@dataclass(frozen=True)
class _Candidate:
    face: Face
    family: str
    weight: int  # fontconfig's scale: 80 regular, 200 bold
    upright: bool = True  # not italic, oblique or condensed


def _rank(candidate: _Candidate, bold: bool) -> tuple[int, int, int, int, str, int]:
    """Upright first, sans before serif and mono, Noto first, the nearest weight, then by
    path (so the choice is the same every time)."""
    family = candidate.family.lower()
    style = 0 if "sans" in family and "mono" not in family else 1
    if "serif" in family or "mono" in family:
        style = 2
    noto = 0 if family.startswith("noto") else 1
    wanted = 200 if bold else 80
    weight = abs(candidate.weight - wanted)
    upright = 0 if candidate.upright else 1
    return (upright, style, noto, weight, candidate.face.path, candidate.face.index)


_FC_FORMAT = "%{file}\t%{index}\t%{family[0]}\t%{weight}\t%{slant}\t%{width}\n"


def _fc_candidates(char: str) -> list[_Candidate] | None:
    """Faces fontconfig says have ``char``; None when fontconfig is not there to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run(
            [fc_list, "--format", _FC_FORMAT, f":charset={ord(char):x}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    found = []
    for line in done.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 6 or not parts[1].isdigit():
            continue
        weight = int(parts[3]) if parts[3].isdigit() else 80
        upright = parts[4] in ("", "0") and parts[5] in ("", "100")
        found.append(_Candidate(Face(parts[0], int(parts[1])), parts[2], weight, upright))
    return found


@cache
def _scanned_faces() -> tuple[_Candidate, ...]:
    """Every font file in the usual folders (read once, only where fontconfig is missing)."""
    found = []
    for folder in font_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in _FONT_SUFFIXES:
                continue
            name = path.stem.replace("-", " ").replace("_", " ")
            lowered = name.lower()
            weight = 200 if "bold" in lowered else 80
            upright = not any(w in lowered for w in ("italic", "oblique", "condensed"))
            count = 1
            if path.suffix.lower() in (".ttc", ".otc"):
                try:
                    with path.open("rb") as handle:
                        head = handle.read(12)
                    count = _u32(head, 8) if head[:4] == b"ttcf" else 1
                except (OSError, struct.error):
                    continue
            found += [
                _Candidate(Face(str(path), i), name, weight, upright) for i in range(min(count, 8))
            ]
    return tuple(found)


def _usable(candidate: _Candidate, char: str) -> bool:
    if Path(candidate.face.path).parent == FONT_DIR:
        return False
    info = font_info(candidate.face)
    return info is not None and info.outlines and char in info.coverage


class FontBook:
    """Which face draws each character, remembered for the process."""

    def __init__(self) -> None:
        self._chosen: dict[tuple[str, bool], Face | None] = {}
        self._faces: list[Face] = []  # fallbacks found so far, tried before asking again
        self._weights: dict[Face, int] = {}
        self._primary: dict[bool, set[str]] = {True: set(), False: set()}  # no lookup needed
        self._missing: dict[str, tuple[str, ...]] = {}  # by title: serve asks again and again

    def face_for(self, char: str, bold: bool) -> Face | None:
        """The face to draw ``char`` with; None when no font here has it."""
        primary = BOLD if bold else REGULAR
        if covers(primary, char):
            return primary
        key = (char, bold)
        if key not in self._chosen:
            self._chosen[key] = self._find(char, bold)
        return self._chosen[key]

    def _find(self, char: str, bold: bool) -> Face | None:
        for face in self._faces:  # a face found for another character of the same script
            if covers(face, char) and self._weight_fits(face, bold):
                return face
        candidates = _fc_candidates(char)
        if candidates is None:
            candidates = list(_scanned_faces())
        usable = [c for c in candidates if _usable(c, char)]
        if not usable:
            return None
        best = min(usable, key=lambda c: _rank(c, bold))
        self._faces.append(best.face)
        self._weights[best.face] = best.weight
        return best.face

    def _weight_fits(self, face: Face, bold: bool) -> bool:
        return (self._weights.get(face, 80) >= 150) == bold

    def _others(self, text: str, bold: bool) -> set[str]:
        """Characters of ``text`` that are drawn, but not with the bundled face."""
        known = self._primary[bold]
        others = set(text) - known
        if not others:
            return others
        primary = BOLD if bold else REGULAR
        for char in list(others):
            if not needs_font(char) or covers(primary, char):
                known.add(char)
                others.discard(char)
        return others

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` no font here can draw, in order, once each."""
        found = self._missing.get(text)
        if found is None:
            found = self._missing[text] = tuple(self._find_missing(text))
        return list(found)

    def _find_missing(self, text: str) -> list[str]:
        others = self._others(text, True)
        if not others:
            return []
        seen: dict[str, None] = {}
        for char in text:
            if char not in others:
                continue
            if char not in seen and needs_font(char) and self.face_for(char, True) is None:
                seen[char] = None
        return list(seen)

    def faces_of(self, text: str, bold: bool) -> Iterator[Face]:
        """The installed faces ``text`` is drawn with, besides the bundled one."""
        for char in self._others(text, bold):
            face = self.face_for(char, bold)
            if face is not None:
                yield face


@cache
def font_book() -> FontBook:
    """The process's FontBook (forked workers inherit what the planning step found)."""
    return FontBook()


# --- advice ------------------------------------------------------------------------------

_SUGGESTIONS = (
    (
        ("CJK", "HIRAGANA", "KATAKANA", "BOPOMOFO", "IDEOGRAPHIC"),
        "Chinese or Japanese",
        "Noto Sans CJK",
    ),
    (("HANGUL",), "Korean", "Noto Sans CJK"),
    (("ARABIC",), "Arabic", "Noto Sans Arabic"),
    (("HEBREW",), "Hebrew", "Noto Sans Hebrew"),
    (("DEVANAGARI",), "Devanagari", "Noto Sans Devanagari"),
    (("THAI",), "Thai", "Noto Sans Thai"),
)


def _script_word(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ")[0] if name else ""


def advice(chars: Iterable[str]) -> str:
    """What to install so ``chars`` can be drawn: "a font with Arabic characters, such as..."."""
    wanted: dict[str, None] = {}
    for char in chars:
        name = unicodedata.name(char, "")
        for words, script, font in _SUGGESTIONS:
            if any(name.startswith(word) for word in words):
                wanted[f"a font with {script} characters, such as {font}"] = None
                break
        else:
            if unicodedata.category(char) == "So":
                wanted["a font with emoji and symbols, such as Noto Emoji or Symbola"] = None
            else:
                script = _script_word(char).title() or f"U+{ord(char):04X}"
                wanted[f"a font with {script} characters, such as a Noto Sans font"] = None
    return " and ".join(wanted)
