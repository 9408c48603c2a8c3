"""Ready-to-paste text announcing a post on LinkedIn, Bluesky, Mastodon and X.

Each network measures a post its own way, and the text is made to fit by that measure:
Bluesky counts graphemes (what a reader sees as one character); Mastodon counts graphemes
with every link as 23; X weighs each character 1 or 2 (twitter-text's v3 configuration),
a link as 23 and an emoji as 2; LinkedIn counts UTF-16 units, as a browser's text box does.
Where the exact figure depends on a network's link detector or emoji list, the count here
is the larger one, so a text that fits here fits there.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import regex  # type: ignore[import-untyped]  # no stubs unless types-regex is installed

from thoughtgen.errors import Problem, ProblemLog, ThoughtgenError
from thoughtgen.model import Post, Site, Status

ELLIPSIS = "…"
URL_LENGTH = 23  # what Mastodon and X count for any link
HASHTAG_MAX = 64  # Bluesky ignores longer tags; no reader wants one anyway
SUMMARY_KEPT = 100  # graphemes of summary worth more than the hashtags

_GRAPHEME = regex.compile(r"\X")
_WORD_BOUNDARY = regex.compile(r"\b", regex.WORD)  # Unicode (UAX #29) word boundaries
_HASHTAG_WORD = regex.compile(r"[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}]*")
_LETTER = regex.compile(r"\p{L}")
_SPACE = regex.compile(r"\s+")
# Text a network may take for a link: with a scheme (all of them), or a bare domain (X).
_SCHEME_TOKEN = regex.compile(r"(?<!\S)\S*://\S*")
_LINKISH_TOKEN = regex.compile(r"(?<!\S)\S*(?:://|\.[\p{L}\p{M}]{2,})\S*")
# Where a link may start or show its host, inside one word: "x.com👩x.com" may hold two.
_LINK_MARK = regex.compile(r"://|\.[\p{L}\p{M}]{2,}")
# A link every detector takes whole: ASCII, no brackets or quotes, a plain last character.
_PLAIN_URL = regex.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9\-._~/%?=&#+:@!$*,;]*)?", regex.I
)
_PLAIN_URL_END = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_=#&"
# What may be dropped from the end of a shortened text before the ellipsis.
_TRAILING = regex.compile(r"[\s\p{Pd}\p{Ps}\p{Pi}\p{Po}]")

# twitter-text v3: these code points weigh 1, every other 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# Emoji X counts as 2 whatever their code points (twitter-text's emoji list, version 11):
# a text-style emoji made pictorial, an old person or hand with a skin tone, a keycap.
_TEXT_EMOJI = regex.compile(r"[\p{Emoji}--\p{Emoji_Presentation}--[0-9#*]]\uFE0F", regex.V1)
_TONED = regex.compile(r"(\p{Emoji_Modifier_Base})\p{Emoji_Modifier}")
_KEYCAP = regex.compile(r"[0-9#*]\uFE0F\u20E3")


def graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text)


def count_graphemes(text: str) -> int:
    return len(graphemes(text))


def count_utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _code_point_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2


def _old_toned_base(base: str) -> bool:
    """A skin-tone base twitter-text's emoji list knows (those before Emoji 12)."""
    point = ord(base)
    return (
        point < 0x1F90C
        or (0x1F918 <= point <= 0x1F9B9 and point != 0x1F977)
        or (0x1F9D1 <= point <= 0x1F9DD)
    )


def _x_weight_of(cluster: str) -> int:
    if _KEYCAP.fullmatch(cluster) or _TEXT_EMOJI.fullmatch(cluster):
        return 2
    toned = _TONED.fullmatch(cluster)
    if toned and _old_toned_base(toned.group(1)):
        return 2
    # Anything else (newer emoji, ZWJ sequences, flags) by its code points: never less than
    # X counts, since every emoji holds a code point of weight 2 or two code points.
    return sum(_code_point_weight(char) for char in cluster)


def x_weight(text: str) -> int:
    return sum(_x_weight_of(cluster) for cluster in graphemes(text))


def _with_links(text: str, token: regex.Pattern[str], natural: Callable[[str], int]) -> int:
    """``natural(text)`` with each link counted as 23.

    A plain URL on a public host is 23; on another host (which a network may not take for
    a link) the larger of 23 and its own length; other link-like words count themselves
    and 23 more for each link they may hold, an upper bound for every reading.
    """
    total, last = 0, 0
    for match in token.finditer(text):
        total += natural(text[last : match.start()])
        word = match.group()
        own = natural(word)
        if not (
            _PLAIN_URL.fullmatch(word) and word[-1] in _PLAIN_URL_END and word.count("://") == 1
        ):
            # Each link a network may find inside the word counts 23 on top of the word.
            total += own + URL_LENGTH * max(1, len(_LINK_MARK.findall(word)))
        elif _public_host(word):
            total += URL_LENGTH
        else:  # localhost, an address, a reserved name: perhaps not taken for a link
            total += max(URL_LENGTH, own)
        last = match.end()
    return total + natural(text[last:])


_HOST = regex.compile(r"^[A-Za-z]+://([^/?#:]+)")
_TOP_LEVEL = regex.compile(r"\.(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$")
_RESERVED_TOP = {"test", "example", "invalid", "localhost", "local", "internal", "lan", "home"}


def _public_host(url: str) -> bool:
    """The URL's host ends in a top-level domain, which link detectors require."""
    match = _HOST.match(url)
    host = match.group(1).lower() if match else ""
    top = _TOP_LEVEL.search(host)
    return top is not None and top.group()[1:] not in _RESERVED_TOP


def count_bluesky(text: str) -> int:
    return count_graphemes(text)


def count_mastodon(text: str) -> int:
    return _with_links(text, _SCHEME_TOKEN, count_graphemes)


def count_x(text: str) -> int:
    return _with_links(text, _LINKISH_TOKEN, x_weight)


@dataclass(frozen=True)
class Network:
    key: str
    name: str
    limit: int
    unit: str
    measure: Callable[[str], int]


NETWORKS: tuple[Network, ...] = (
    Network("linkedin", "LinkedIn", 3000, "characters", count_utf16),
    Network("bluesky", "Bluesky", 300, "graphemes", count_bluesky),
    Network("mastodon", "Mastodon", 500, "characters, links as 23", count_mastodon),
    Network("x", "X", 280, "weighted characters, links as 23", count_x),
)
NETWORK_KEYS = tuple(network.key for network in NETWORKS)


def network(key: str) -> Network:
    return next(n for n in NETWORKS if n.key == key)


@dataclass(frozen=True)
class ShareText:
    network: Network
    text: str
    length: int

    @property
    def limit(self) -> int:
        return self.network.limit

    @property
    def fits(self) -> bool:
        return self.length <= self.network.limit

    def as_json(self) -> dict[str, object]:
        return {
            "network": self.network.key,
            "text": self.text,
            "length": self.length,
            "limit": self.limit,
        }


def plain(text: str) -> str:
    """One line of NFC text (what every network's counter normalises to first)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def hashtag(name: str) -> str | None:
    """``#RemoteWork`` for the tag "remote work"; None when no network would take it.

    Letters, marks and digits only (no spaces, dashes or underscores, which some networks
    end a hashtag at); lower-case words capitalised for readability (CamelCase), other
    words left as written (``iOS``). A tag without a letter, or too long, is left out.
    """
    words = _HASHTAG_WORD.findall(unicodedata.normalize("NFC", name))
    joined = "".join(_capitalised(word) for word in words)
    if not _LETTER.search(joined) or count_utf16(joined) > HASHTAG_MAX:
        return None
    return "#" + joined


def _capitalised(word: str) -> str:
    first = word[0].upper()
    return first + word[1:] if word.islower() and len(first) == 1 else word


def hashtags(names: Sequence[str]) -> list[str]:
    found: dict[str, str] = {}
    for name in names:
        tag = hashtag(name)
        if tag is not None:
            found.setdefault(tag.casefold(), tag)
    return list(found.values())


def _assemble(title: str, summary: str, tags: Sequence[str], url: str) -> str:
    blocks = [block for block in (title, summary) if block]
    end = " ".join(tags) + "\n" + url if tags else url
    return "\n\n".join([*blocks, end])


def shortened(text: str) -> list[str]:
    """Every shortening of ``text`` at a word boundary, with an ellipsis, longest first.

    Cuts fall only where a word ends (Unicode word boundaries, which are always grapheme
    boundaries too), and spaces and punctuation before the cut are dropped.
    """
    found: list[str] = []
    for match in _WORD_BOUNDARY.finditer(text):
        cut = match.start()
        if cut == 0 or cut >= len(text):
            continue
        clusters = graphemes(text[:cut])
        while clusters and _TRAILING.fullmatch(clusters[-1]):
            clusters.pop()
        if clusters:
            candidate = "".join(clusters) + ELLIPSIS
            if not found or found[-1] != candidate:
                found.append(candidate)
    return found[::-1]


def _longest_fitting(options: list[str], fits: Callable[[str], bool]) -> str | None:
    """The longest of ``options`` (longest first) that fits, by bisection; None if none does."""
    low, high = 0, len(options)  # options[high:] fit... searched as "first index that fits"
    while low < high:
        middle = (low + high) // 2
        if fits(options[middle]):
            high = middle
        else:
            low = middle + 1
    return options[low] if low < len(options) and fits(options[low]) else None


def compose(
    title: str, summary: str, tag_names: Sequence[str], url: str, target: Network
) -> ShareText:
    """The post's text for ``target``: title, summary, hashtags and link, within the limit.

    When it is too long the summary is shortened at a word boundary (down to half its
    length or 100 graphemes), then hashtags are dropped from the end, then the summary
    shortened further or left out, and last the title shortened; the link always stays.
    """
    title, summary = plain(title), plain(summary)
    if summary.casefold() == title.casefold():
        summary = ""
    tags = hashtags(tag_names)

    def measured(text: str) -> ShareText:
        return ShareText(target, text, target.measure(text))

    def fits(text: str) -> bool:
        return target.measure(text) <= target.limit

    full = _assemble(title, summary, tags, url)
    if fits(full):
        return measured(full)
    shorter = shortened(summary)
    enough = min(count_graphemes(summary) / 2, SUMMARY_KEPT)
    for keep in range(len(tags), -1, -1):
        if fits(_assemble(title, summary, tags[:keep], url)):
            return measured(_assemble(title, summary, tags[:keep], url))

        def fits_with(cut: str, keep: int = keep) -> bool:
            return fits(_assemble(title, cut, tags[:keep], url))

        cut = _longest_fitting(shorter, fits_with)
        if cut is not None and (keep == 0 or count_graphemes(cut) >= enough):
            return measured(_assemble(title, cut, tags[:keep], url))
    if fits(_assemble(title, "", (), url)):
        return measured(_assemble(title, "", (), url))
    cut = _longest_fitting(shortened(title), lambda t: fits(_assemble(t, "", (), url)))
    return measured(_assemble(cut or "", "", (), url))


def share_url(site: Site, post: Post) -> str:
    """The post's canonical address, with anything outside ASCII percent-encoded."""
    url = post.canonical_url or site.config.site_url + post.url
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def share_texts(site: Site, post: Post, targets: Sequence[Network]) -> list[ShareText]:
    url = share_url(site, post)
    names = [tag.name for tag in post.tags]
    return [compose(post.title, post.summary, names, url, target) for target in targets]


# ---------------------------------------------------------------------------------------
# Finding the post and what to warn about


def find_post(site: Site, site_dir: Path, ref: str) -> Post:
    """The post named by ``ref``: its source path (from here or from the site), or its slug."""
    posts = site.all_posts
    as_path = _source_of(site_dir, ref)
    if as_path is not None:
        for post in posts:
            if post.source == as_path or post.source.startswith(as_path.rstrip("/") + "/index."):
                return post
        if "/" in ref or ref.lower().endswith((".md", ".markdown")):
            raise ThoughtgenError.single(
                ref, None, "not a post of this site (posts live in content/posts/)"
            )
    wanted = ref.strip().strip("/").rpartition("/")[2]
    matches = [post for post in posts if post.slug == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(sorted(post.source for post in matches))
        raise ThoughtgenError.single(
            ref, None, f"{len(matches)} posts have the slug {wanted!r} ({listed}); give the path"
        )
    close = difflib.get_close_matches(wanted, sorted({post.slug for post in posts}), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `thoughtgen list` shows them"
    raise ThoughtgenError.single(ref, None, f"no post with this path or slug{hint}")


def _source_of(site_dir: Path, ref: str) -> str | None:
    """``ref`` as a path relative to the site, when it names a file or folder there."""
    root = site_dir.resolve()
    for candidate in (Path(ref), site_dir / ref):
        if not candidate.exists():
            continue
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
    return None


PLACEHOLDER_BASE_URL = "https://example.com/"  # what `thoughtgen init` writes


def share_warnings(site: Site, post: Post, output_dir: Path) -> list[Problem]:
    """What stands between the text and a working link: status, base_url, the built files."""
    warnings: list[Problem] = []
    url = share_url(site, post)
    if post.status in (Status.DRAFT, Status.IDEA):
        warnings.append(
            Problem(
                post.source,
                None,
                f"is {'an idea' if post.status is Status.IDEA else 'a draft'}, so {url} "
                f"does not exist yet; publish it first (thoughtgen schedule {post.source} "
                "--next --publish), build and deploy",
            )
        )
    elif post.status is Status.SCHEDULED and post.date is not None:
        from thoughtgen.dates import format_offset_datetime

        warnings.append(
            Problem(
                post.source,
                None,
                f"is scheduled: {url} goes live at {format_offset_datetime(post.date)}, "
                "with the first build and deploy after that; share it then",
            )
        )
    if site.config.site_url == PLACEHOLDER_BASE_URL:
        warnings.append(
            Problem(
                "thoughtgen.yaml",
                None,
                f"base_url is still the placeholder {PLACEHOLDER_BASE_URL}; set it to your "
                "site's address, build and deploy, or the link and its picture lead nowhere",
            )
        )
    if post.status is Status.PUBLISHED:
        warnings += _missing_outputs(site, post, output_dir)
    return warnings


def _missing_outputs(site: Site, post: Post, output_dir: Path) -> list[Problem]:
    from thoughtgen.cards import share_image

    page = post.url if post.url.endswith(".html") else post.url + "index.html"
    if not (output_dir / page).is_file():
        return [
            Problem(
                post.source,
                None,
                f"is not in the built site ({_shown(output_dir, page)} is missing); "
                "run `thoughtgen build` and deploy before sharing",
            )
        ]
    image = share_image(site, post)
    if image is None:
        return [
            Problem(
                post.source,
                None,
                "shares without a picture: give it an image:, or turn share_cards on "
                "in thoughtgen.yaml",
            )
        ]
    if not image.url.startswith(site.config.site_url):
        return []  # a picture elsewhere on the web: not ours to check
    rel = unquote(image.url[len(site.config.site_url) :].split("?", 1)[0].split("#", 1)[0])
    if (output_dir / rel).is_file():
        return []
    what = "share card" if image.type and not post.image else "share image"
    return [
        Problem(
            post.source,
            None,
            f"its {what} {_shown(output_dir, rel)} is not built yet; "
            "run `thoughtgen build` so the link shows its picture",
        )
    ]


def _shown(output_dir: Path, rel: str) -> str:
    return f"{output_dir.as_posix().rstrip('/')}/{rel}"


@dataclass(frozen=True)
class Shared:
    post: Post
    texts: tuple[ShareText, ...]
    warnings: tuple[Problem, ...]


def share_post(
    site_dir: Path,
    ref: str,
    targets: Sequence[str] = NETWORK_KEYS,
    now: str | None = None,
) -> Shared:
    """The share texts for the post ``ref`` (a path or slug), and the warnings that apply."""
    from thoughtgen.build import BuildOptions, open_site, output_path

    options = BuildOptions(site_dir=site_dir, now=now)
    log = ProblemLog()
    with open_site(options, log, lenient=True) as site:
        pass
    post = _readable_post(site, site_dir, ref, log)
    texts = share_texts(site, post, [network(key) for key in targets])
    warnings = share_warnings(site, post, output_path(options, site.config))
    for text in texts:
        if not text.fits:
            warnings.append(
                Problem(
                    post.source,
                    None,
                    f"even the bare link is longer than {text.network.name}'s limit "
                    f"({text.length} of {text.limit})",
                )
            )
    return Shared(post, tuple(texts), tuple(warnings))


def _readable_post(site: Site, site_dir: Path, ref: str, log: ProblemLog) -> Post:
    """The post, or its own read problems when it is the file that could not be read."""
    try:
        return find_post(site, site_dir, ref)
    except ThoughtgenError:
        rel = _source_of(site_dir, ref)
        own = [p for p in log.errors if rel is not None and p.path == rel]
        if own:
            raise ThoughtgenError(own) from None
        raise
