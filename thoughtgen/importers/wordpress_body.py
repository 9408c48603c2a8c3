"""A WordPress post's stored content, as WordPress would show it, then as Markdown.

WordPress stores what the editor wrote and makes the page when it is shown: block
comments (``<!-- wp:paragraph -->``) around Gutenberg's HTML, or, for the classic editor,
text whose blank lines are paragraphs (``wpautop`` adds the ``<p>`` tags), with shortcodes
(``[caption]``, ``[gallery]``, ``[embed]``) run at display time. This does the same, in
that order where it matters:

1. reusable blocks (``<!-- wp:block {"ref":12} /-->``) are replaced by their content; other
   self-closing blocks (latest posts, archives, a search box) were drawn by WordPress on
   each visit: they are flagged and dropped; the block comments go;
2. shortcodes: code (``[code]``, ``[sourcecode]``) becomes code blocks with their
   language, ``[caption]`` a figure with its caption, ``[gallery]`` the attachments'
   images, ``[embed]``, ``[video]``, ``[audio]``, ``[playlist]``, ``[youtube]`` and
   ``[vimeo]`` links (as does a URL alone on its line, which WordPress embedded); any
   other shortcode is left as written and flagged at its line in the export;
3. classic content gets its paragraphs (blank lines) and line breaks (single newlines);
4. ``html_to_markdown`` does the rest; ``<!--more-->`` is kept.

A shortcode counts as one when it is a known WordPress or plugin name, or looks like
one: attributes (``key=value``), a closing ``[/name]``, ``/]``, or ``_``/``-`` in its name.
``[sic]`` and ``[1]`` stay text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from thoughtgen.importers.html import html_to_markdown

# Placeholders for HTML made here, so paragraphs are not added inside it (noncharacters:
# html_to_markdown removes any left over).
_STASH = "\ufdd5"
_STASHED = re.compile(f"{_STASH}(\\d+){_STASH}")

_BLOCK_COMMENT = re.compile(r"<!--\s+(/?)wp:([a-z0-9/-]+)(\s+\{.*?\})?\s*(/?)-->", re.S)
_CODE_SHORTCODES = ("code", "sourcecode", "source")
_KNOWN = frozenset(
    [
        *_CODE_SHORTCODES,
        "caption",
        "wp_caption",
        "gallery",
        "embed",
        "video",
        "audio",
        "playlist",
        "youtube",
        "vimeo",
    ]
)
# Plugin shortcodes common enough to flag even written bare ("[toc]").
_PLUGIN = frozenset(
    [
        "toc",
        "contact-form",
        "contact-form-7",
        "gravityform",
        "wpforms",
        "mc4wp_form",
        "tweet",
        "instagram",
        "soundcloud",
        "spotify",
        "googlemaps",
        "recent-posts",
        "latex",
        "jetpack_subscription_form",
        "subscribe",
        "ninja_form",
        "wpgmza",
    ]
)
_SHORTCODE = re.compile(r"\[(\[?)([A-Za-z][\w-]*)(?=[\s\]/=])([^\[\]]*?)(/?)\](\]?)")
_ATTRS = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))|"([^"]*)"|(\S+)""")
_LONE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.M)
_PROTECTED = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.S | re.I)
_REMOTE_IMAGE = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*["']?(https?://[^"'\s>]+)""", re.I)
_AUTOP_BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    "|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article"
    "|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|video"
    "|audio|object|script|noscript|svg"
)
_OPEN_BLOCK = re.compile(rf"(<(?:{_AUTOP_BLOCKS})\b[^>]*>)", re.I)
_LINE_BREAK = re.compile(rf"(?<!<br />)[ \t]*\n(?!\s*</?(?:{_AUTOP_BLOCKS})\b)", re.I)
_CLOSE_BLOCK = re.compile(rf"(</(?:{_AUTOP_BLOCKS})\s*>)", re.I)


@dataclass
class Attachment:
    url: str
    title: str = ""
    alt: str = ""
    parent: int = 0
    order: int = 0


@dataclass
class Body:
    """A converted post body and what it left for the writer."""

    markdown: str
    remote_images: list[str] = field(default_factory=list)
    flagged: list[tuple[int, str]] = field(default_factory=list)  # (line in the export, what)


@dataclass
class _Context:
    post_id: int
    first_line: int  # the export's line where the content starts
    raw: str
    attachments: dict[int, Attachment]
    flagged: list[tuple[int, str]]
    footnotes: str = ""  # the footnotes block's list, made from the post's meta
    stash: list[str] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        return self.first_line + self.raw.count("\n", 0, max(0, offset))

    def keep(self, made: str) -> str:
        self.stash.append(made)
        return f"{_STASH}{len(self.stash) - 1}{_STASH}"


def convert(
    raw: str,
    first_line: int,
    post_id: int,
    attachments: dict[int, Attachment],
    reusable: dict[int, str],
    footnotes: str = "",
) -> Body:
    """``raw`` (an item's ``content:encoded``, starting at ``first_line`` of the export);
    ``footnotes`` is the post's ``footnotes`` meta, which the footnotes block shows."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    context = _Context(post_id, first_line, raw, attachments, [], _footnote_list(footnotes))
    blocks = _BLOCK_COMMENT.search(raw) is not None
    text = _blocks(raw, context, reusable) if blocks else raw
    text = _shortcodes(text, context)
    text = _lone_urls(text)
    if not blocks:
        text = autop(text)
    text = _STASHED.sub(lambda m: context.stash[int(m.group(1))], text)
    text = _STASHED.sub(lambda m: context.stash[int(m.group(1))], text)  # stashed in stashed
    images = list(dict.fromkeys(_REMOTE_IMAGE.findall(text)))
    markdown = html_to_markdown(text) if text.strip() else ""
    return Body(markdown, images, sorted(context.flagged))


# -- blocks -------------------------------------------------------------------------------


def _blocks(text: str, context: _Context, reusable: dict[int, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        closing, name, attrs, self_closing = match.groups()
        if closing or not self_closing:
            return ""
        if name == "footnotes" and context.footnotes:
            return context.footnotes
        if name in ("block", "core/block"):
            ref = _json_int(attrs, "ref")
            if ref is not None and ref in reusable:
                return _BLOCK_COMMENT.sub("", reusable[ref])
            context.flagged.append(
                (
                    context.line_at(match.start()),
                    f"reusable block {ref} is not in the export; paste its content here",
                )
            )
            return ""
        context.flagged.append(
            (
                context.line_at(match.start()),
                f"the '{name}' block was drawn by WordPress on each visit and is dropped; "
                "write what it showed, or a link to it, by hand",
            )
        )
        return ""

    return _BLOCK_COMMENT.sub(replace, text)


def _footnote_list(meta: str) -> str:
    """The list WordPress draws for the footnotes block, from the post's ``footnotes`` meta
    (``[{"id": "…", "content": "…"}]``), each note linking back to its reference."""
    try:
        notes = json.loads(meta) if meta.strip() else []
    except ValueError:
        return ""
    items = [
        f'<li id="{html.escape(str(n["id"]))}">{n.get("content", "")} '
        f'<a href="#{html.escape(str(n["id"]))}-link">↩︎</a></li>'
        for n in notes
        if isinstance(n, dict) and n.get("id")
    ]
    return f'<ol class="wp-block-footnotes">{"".join(items)}</ol>' if items else ""


def _json_int(attrs: str | None, key: str) -> int | None:
    try:
        value = json.loads(attrs or "{}").get(key)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


# -- shortcodes ---------------------------------------------------------------------------


def _shortcodes(text: str, context: _Context) -> str:
    """Known shortcodes converted, unknown ones flagged at their line (text kept as is)."""
    # Code shortcodes first: their content is code, not more shortcodes.
    text = re.sub(
        rf"\[({'|'.join(_CODE_SHORTCODES)})\b([^\]]*)\](.*?)\[/\1\]",
        lambda m: context.keep(_code_block(m.group(2), m.group(3))),
        text,
        flags=re.S,
    )
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\ufdd6{len(protected) - 1}\ufdd6"

    text = _PROTECTED.sub(protect, text)
    offsets = _offsets(context.raw)
    out: list[str] = []
    position = 0
    for match in _SHORTCODE.finditer(text):
        if match.start() < position:
            continue
        escaped_open, name, attrs, self_closing, escaped_close = match.groups()
        name_lower = name.lower()
        out.append(text[position : match.start()])
        position = match.end()
        if escaped_open and escaped_close:
            out.append(match.group(0)[1:-1])  # [[gallery]] is how WordPress writes "[gallery]"
            continue
        content = None
        closing = f"[/{name}]"
        if not self_closing:
            end = text.find(closing, match.end())
            if end != -1 and (name_lower in _KNOWN or name_lower in _PLUGIN or _looks_like(name)):
                content = text[match.end() : end]
                position = end + len(closing)
        args = _parse_attrs(attrs)
        made = _expand(name_lower, args, content, context)
        if made is not None:
            out.append(context.keep(made) if made.strip() else "")
            continue
        source = match.group(0) + ((content or "") + closing if content is not None else "")
        if name_lower in _KNOWN or name_lower in _PLUGIN or _looks_like(name, attrs, content):
            line = context.line_at(offsets.find(match.group(0), name))
            context.flagged.append(
                (
                    line,
                    f"shortcode [{name}] was made by a WordPress plugin or theme and is kept "
                    "as text; replace it with Markdown or HTML, or remove it",
                )
            )
        out.append(source)
    out.append(text[position:])
    text = "".join(out)
    return re.sub("\ufdd6(\\d+)\ufdd6", lambda m: protected[int(m.group(1))], text)


class _Offsets:
    """Finds where the n-th occurrence of a shortcode is in the raw content."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.seen: dict[str, int] = {}

    def find(self, written: str, name: str) -> int:
        start = self.seen.get(written, 0)
        at = self.raw.find(written, start)
        if at == -1:
            at = self.raw.find(f"[{name}")
        else:
            self.seen[written] = at + 1
        return max(at, 0)


def _offsets(raw: str) -> _Offsets:
    return _Offsets(raw)


def _looks_like(name: str, attrs: str = "", content: str | None = None) -> bool:
    if "_" in name or "-" in name:
        return True
    return content is not None or "=" in attrs or attrs.rstrip().endswith("/")


def _parse_attrs(text: str) -> dict[str, str]:
    """``[gallery ids="1,2" link=file]`` → {"ids": "1,2", "link": "file"}; bare values as
    "0", "1", …; ``[youtube=URL]`` as {"": URL}."""
    found: dict[str, str] = {}
    text = text.strip()
    if text.startswith("="):
        return {"": text[1:].strip().strip("\"'")}
    position = 0
    for match in _ATTRS.finditer(text):
        key, double, single, bare, quoted, loose = match.groups()
        if key:
            found[key.lower()] = html.unescape(double or single or bare or "")
        else:
            found[str(position)] = html.unescape(quoted or loose or "")
            position += 1
    return found


_Expander = Callable[[dict[str, str], "str | None", _Context], "str | None"]


def _expand(name: str, args: dict[str, str], content: str | None, context: _Context) -> str | None:
    """HTML for a known shortcode, or None to leave it (and flag it)."""
    expander = _EXPANDERS.get(name)
    return expander(args, content, context) if expander else None


def _caption(args: dict[str, str], content: str | None, context: _Context) -> str | None:
    content = content or ""
    caption = args.get("caption", "")
    match = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", content, re.S)
    if match is None:
        return None
    image, rest = match.groups()
    caption = (caption or rest).strip()
    if not caption:
        return f"<p>{image}</p>"
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def _gallery(args: dict[str, str], content: str | None, context: _Context) -> str | None:
    wanted = args.get("ids") or args.get("include") or ""
    if wanted:
        ids = [int(i) for i in re.findall(r"\d+", wanted)]
        found = [context.attachments[i] for i in ids if i in context.attachments]
        if len(found) < len(ids):
            return None  # some images are not in the export: flagged
    else:
        found = sorted(
            (a for a in context.attachments.values() if a.parent == context.post_id),
            key=lambda a: (a.order, a.url),
        )
    if not found:
        return None
    images = "\n".join(
        f'<img src="{html.escape(a.url)}" alt="{html.escape(a.alt)}">' for a in found
    )
    return f"<p>{images}</p>"


def _media_link(args: dict[str, str], content: str | None, context: _Context) -> str | None:
    url = args.get("src") or args.get("url") or ""
    for key in ("mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "m4a", "ogg", "wav", "0"):
        url = url or args.get(key, "")
    url = url or (content or "").strip()
    if not re.match(r"https?://\S+$", url):
        return None
    return f"<p>{_link(url)}</p>"


def _playlist(args: dict[str, str], content: str | None, context: _Context) -> str | None:
    ids = [int(i) for i in re.findall(r"\d+", args.get("ids", ""))]
    found = [context.attachments[i] for i in ids if i in context.attachments]
    if not found or len(found) < len(ids):
        return None
    return "<ul>" + "".join(f"<li>{_link(a.url, a.title)}</li>" for a in found) + "</ul>"


def _video_site(site: str) -> _Expander:
    def expand(args: dict[str, str], content: str | None, context: _Context) -> str | None:
        value = args.get("") or args.get("0") or args.get("id") or (content or "").strip()
        value = html.unescape(value)
        # Jetpack's size and player options ride along in the URL: they are not the video's.
        value = re.sub(r"&(?:w|h|hd|fs|rel|showsearch|showinfo|iv_load_policy)=[^&]*", "", value)
        value = value.split("&", 1)[0] if "://" not in value else value
        if re.fullmatch(r"[\w-]{5,20}", value):
            base = "https://www.youtube.com/watch?v=" if site == "youtube" else "https://vimeo.com/"
            value = base + value
        if re.match(r"https?://\S+$", value):
            return f"<p>{_link(value)}</p>"
        return None

    return expand


_EXPANDERS: dict[str, _Expander] = {
    "caption": _caption,
    "wp_caption": _caption,
    "gallery": _gallery,
    "embed": _media_link,
    "video": _media_link,
    "audio": _media_link,
    "playlist": _playlist,
    "youtube": _video_site("youtube"),
    "vimeo": _video_site("vimeo"),
}


def _link(url: str, text: str = "") -> str:
    return f'<a href="{html.escape(url)}">{html.escape(text or url)}</a>'


def _code_block(attrs: str, code: str) -> str:
    args = _parse_attrs(attrs)
    language = args.get("language") or args.get("lang") or args.get("0", "")
    language = language if re.fullmatch(r"[\w#.+-]{1,40}", language) else ""
    css = f' class="language-{language.lower()}"' if language else ""
    code = html.escape(html.unescape(code.strip("\n")), quote=False)
    return f"<pre><code{css}>{code}</code></pre>"


def _lone_urls(text: str) -> str:
    """A URL alone on its line, which WordPress turned into an embed, as a link."""
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\ufdd6{len(protected) - 1}\ufdd6"

    text = _PROTECTED.sub(protect, text)
    text = _LONE_URL.sub(lambda m: _link(m.group(1)), text)
    return re.sub("\ufdd6(\\d+)\ufdd6", lambda m: protected[int(m.group(1))], text)


# -- paragraphs ---------------------------------------------------------------------------


def autop(text: str) -> str:
    """Classic-editor text with its paragraphs and line breaks as HTML, as WordPress's
    ``wpautop`` makes them: blank lines end paragraphs, single newlines are ``<br />``,
    block-level HTML and ``<pre>`` are left as they are."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\ufdd7{len(kept) - 1}\ufdd7"

    text = _PROTECTED.sub(keep, text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(rf"({_STASH}\d+{_STASH}|\ufdd7\d+\ufdd7)", r"\n\n\1\n\n", text)
    paragraphs = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if re.fullmatch(rf"{_STASH}\d+{_STASH}|\ufdd7\d+\ufdd7", chunk):
            paragraphs.append(chunk)
            continue
        chunk = _LINE_BREAK.sub("<br />\n", chunk)
        paragraphs.append(f"<p>{chunk}</p>")
    text = "\n".join(paragraphs)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.I)
    text = re.sub(rf"<p>\s*(</?(?:{_AUTOP_BLOCKS})\b[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(rf"(</?(?:{_AUTOP_BLOCKS})\b[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>\s*</p>", "", text)
    return re.sub("\ufdd7(\\d+)\ufdd7", lambda m: kept[int(m.group(1))], text)
