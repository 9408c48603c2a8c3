"""Medium: an unzipped export, ``posts/*.html`` plus ``profile/profile.html``.

Each story is a whole HTML page: ``h1.p-name`` (the title), ``section[data-field=subtitle]``
(the subtitle), ``section[data-field=body]`` (the story, in Medium's ``graf`` markup) and a
footer with ``time.dt-published``, ``a.p-canonical`` and "Exported from Medium on …".
Published stories are named ``<YYYY-MM-DD>_<Title>-<id>.html``, drafts
``draft_<Title>-<id>.html``. The export has no tags, and every other folder (claps,
bookmarks, sessions, ips…) is about the account, not the writing: none of it is read.

Medium's addresses stay on Medium's host, so posts get no ``old_urls``; their Medium
address is kept in ``extra.medium_url``. The guid is the one Medium's RSS feed gives:
``<guid isPermaLink="false">https://medium.com/p/<id></guid>``, the story's hex id.
Links between the writer's own stories are pointed at the imported posts' sources.

Responses (comments on other writers' stories) are exported as stories too, with nothing
that marks them as such; they are told apart by having no title graf, a title that is the
cut start of their first paragraph, and few words. They are counted and skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from thoughtgen.errors import shown
from thoughtgen.importers.exportfile import link_own_posts, read_export_text
from thoughtgen.importers.html import html_to_markdown
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.soup import soup_of
from thoughtgen.slugs import slugify, unsafe_slug_reason

NAME = "medium"
DESCRIPTION = "a Medium export (posts/*.html and profile/profile.html)"

POSTS = "posts"
PROFILE = "profile/profile.html"
MAX_FILE_BYTES = 20 * 1024 * 1024
# A story with no title of its own whose text starts with its title, shorter than this
# many words, is a response (a comment on someone else's story).
RESPONSE_WORDS = 300

_FILE = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2})_|(?P<draft>draft)_)?(?P<name>.*?)"
    r"(?:-(?P<id>[0-9a-f]{8,16}))?\.html$"
)
_ID = re.compile(r"(?:^|[/-])([0-9a-f]{8,16})$")
_ORIGINALLY = re.compile(r"^\s*originally published at\b", re.IGNORECASE)
_HEADING_LEVEL = {"h1": "h2", "h2": "h2", "h3": "h2", "h4": "h3", "h5": "h4", "h6": "h4"}
# A Markdown link's destination, or an autolink, to an address on the web.
_YOUTUBE_THUMBNAIL = re.compile(r"i\.ytimg\.com(?:/|%2F)vi(?:/|%2F)([\w-]{6,})", re.IGNORECASE)


def detect(root: Path) -> bool:
    """A ``posts/`` folder beside Medium's ``profile/profile.html``, or of h-entry pages."""
    posts = root / POSTS
    if not posts.is_dir():
        return False
    if (root / PROFILE).is_file():
        return True
    for path in sorted(posts.glob("*.html"))[:3]:
        try:
            with path.open("rb") as handle:
                if b'class="h-entry"' in handle.read(16384):
                    return True
        except OSError:
            continue
    return False


def read(root: Path) -> SourceSite:
    """Every story and draft in ``root/posts``; responses are counted and skipped."""
    site = SourceSite(platform=NAME)
    site.author = _author(root, site)
    folder = root / POSTS
    paths = sorted(folder.glob("*.html")) if folder.is_dir() else []
    responses: list[str] = []
    for path in paths:
        source = f"{POSTS}/{path.name}"
        html = _read_text(root, path, source, site)
        if html is None:
            continue
        doc, response, author = _story(source, path.name, html, site)
        site.author = site.author or author
        if response:
            responses.append(source)
        elif doc is not None:
            site.docs.append(doc)
    _link_own_stories(site.docs)
    if responses:
        site.skipped["responses"] = len(responses)
        listed = ", ".join(name.removeprefix(f"{POSTS}/") for name in responses[:5])
        more = f" and {len(responses) - 5} more" if len(responses) > 5 else ""
        site.note(
            POSTS,
            None,
            f"skipped {len(responses)} response{'s' if len(responses) != 1 else ''} (comments "
            f"on other stories, told apart by having no title of their own): {listed}{more}",
        )
    if not paths:
        site.note(POSTS, None, "the export holds no stories: nothing to import")
    elif site.docs:
        site.note(POSTS, None, "Medium's export does not include tags: add 'tags:' by hand")
    return site


def _link_own_stories(docs: list[ImportedDoc]) -> None:
    """Links to the writer's own stories on Medium lead to the imported posts' sources.

    Only stories whose slug no other story shares: the importer renames those, and a link
    to the old name would break. The build turns ``<slug>.md`` into the post's address.
    """
    slugs = Counter(doc.slug for doc in docs)
    targets = {
        doc.guid.rsplit("/", 1)[-1]: doc for doc in docs if doc.guid and slugs[doc.slug] == 1
    }

    def target_of(url: str) -> ImportedDoc | None:
        story = _ID.search(urlsplit(url).path.rstrip("/"))
        return targets.get(story.group(1)) if story else None

    link_own_posts(docs, target_of)


def _author(root: Path, site: SourceSite) -> str:
    """The display name on the profile page (the page also holds the e-mail address:
    nothing else is read from it)."""
    path = root / PROFILE
    if not path.is_file():
        return ""
    html = _read_text(root, path, PROFILE, site)
    if html is None:
        return ""
    soup = soup_of(html)
    name = soup.find(class_="p-name")
    if name is not None:
        return " ".join(name.get_text(" ").split())
    for item in soup.find_all("li"):
        text = " ".join(item.get_text(" ").split())
        if text.startswith("Display name:"):
            return text.removeprefix("Display name:").strip()
    return ""


def _read_text(root: Path, path: Path, source: str, site: SourceSite) -> str | None:
    return read_export_text(root, path, source, site, MAX_FILE_BYTES)


def _story(
    source: str, filename: str, html: str, site: SourceSite
) -> tuple[ImportedDoc | None, bool, str]:
    """The story in ``html``, whether it is a response, and its author's name."""
    soup = soup_of(html)
    author = _text(soup.find(class_="p-author"))
    body = soup.find("section", attrs={"data-field": "body"})
    if not isinstance(body, Tag):
        site.note(source, None, "has no story body (section data-field=body): not a Medium post")
        return None, False, author
    named = _FILE.match(filename)
    title = _text(soup.find(class_="p-name")) or _text(soup.find("title"))
    subtitle = _text(soup.find("section", attrs={"data-field": "subtitle"})) or _text(
        soup.find(class_="p-summary")
    )
    canonical_tag = soup.find("a", class_="p-canonical")
    canonical = _href(canonical_tag)
    published_tag = soup.find("time", class_="dt-published")
    # A draft's file is named draft_…, and its footer has neither date nor canonical link.
    draft = bool(named and named.group("draft")) or (
        canonical_tag is None and published_tag is None and not (named and named.group("date"))
    )
    if not draft and _is_response(body, title):
        return None, True, author
    story_id = _story_id(soup, canonical, named)
    date = _date(source, published_tag, named, draft, site)
    slug = _slug(canonical, story_id, title, named)
    if not title:
        title = (named.group("name") if named else "").replace("-", " ").strip() or "Untitled"
        site.note(source, None, f"the story has no title; it is titled {shown(title)}")
    cleaner = _Cleaner(source, site)
    featured = body.find("img", attrs={"data-is-featured": "true"})
    doc = ImportedDoc(
        kind="post",
        source=source,
        slug=slug,
        title=title,
        body=cleaner.convert(body, title, subtitle),
        date=date,
        draft=draft,
        summary=subtitle,
        guid=f"https://medium.com/p/{story_id}" if story_id and not draft else "",
        image=_href(featured, "src"),
    )
    if canonical:
        doc.extra["medium_url"] = canonical
    return doc, False, author


def _is_response(body: Tag, title: str) -> bool:
    """Medium titles a response with the start of its text; a story has a title graf."""
    if body.find(class_="graf--title") is not None or not title:
        return False
    first = body.find(class_="graf")
    if not isinstance(first, Tag) or first.name != "p":
        return False
    start = " ".join(first.get_text(" ").split())
    stem = title.rstrip("…. ").strip()
    words = len(body.get_text(" ").split())
    return bool(stem) and start.startswith(stem) and start != title and words < RESPONSE_WORDS


def _story_id(soup: BeautifulSoup, canonical: str, named: re.Match[str] | None) -> str:
    for link in soup.select("footer a[href]"):
        parts = urlsplit(_href(link))
        if (parts.hostname or "").endswith("medium.com") and parts.path.startswith("/p/"):
            found = _ID.search(parts.path.rstrip("/"))
            if found:
                return found.group(1)
    found = _ID.search(urlsplit(canonical).path.rstrip("/")) if canonical else None
    if found:
        return found.group(1)
    return (named.group("id") or "") if named else ""


def _date(
    source: str,
    published_tag: Tag | None,
    named: re.Match[str] | None,
    draft: bool,
    site: SourceSite,
) -> datetime | None:
    value = _href(published_tag, "datetime")
    if value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            site.note(
                source,
                published_tag.sourceline if published_tag else None,
                f"date {shown(value)} cannot be read; set 'date:' by hand",
            )
        else:
            moment = moment.replace(microsecond=0)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if named and named.group("date"):
        try:
            day = datetime.strptime(named.group("date"), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            day = None
        if day is not None:
            site.note(source, None, "no publication time in the file: dated from its name")
            return day
    if not draft:
        site.note(source, None, "a published story without a date; set 'date:' by hand")
    return None


def _slug(canonical: str, story_id: str, title: str, named: re.Match[str] | None) -> str:
    last = unquote(urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1]) if canonical else ""
    if story_id and last.endswith(story_id):
        last = last[: -len(story_id)].rstrip("-")
    name = named.group("name") if named else ""
    for candidate in (slugify(last), slugify(title), slugify(name), slugify(f"story-{story_id}")):
        if candidate and unsafe_slug_reason(candidate) is None:
            return candidate
    return "story"


class _Cleaner:
    """Medium's ``graf`` markup to clean Markdown."""

    def __init__(self, source: str, site: SourceSite) -> None:
        self.source = source
        self.site = site
        self.slots: dict[str, str] = {}
        self.prefix = "tgslot"

    def note(self, line: int | None, message: str) -> None:
        self.site.note(self.source, line, message)

    def convert(self, body: Tag, title: str, subtitle: str) -> str:
        while self.prefix in str(body):
            self.prefix += "q"
        self._title_and_subtitle(body, title, subtitle)
        for empty in body.find_all(class_="graf--empty"):
            empty.decompose()
        self._dividers(body)
        self._originally(body)
        self._code(body)
        images = self._figures(body)
        self._mixtapes(body)
        self._frames(body)
        for heading in body.find_all(list(_HEADING_LEVEL)):
            heading.name = _HEADING_LEVEL[heading.name]
        for quote in body.find_all(class_="graf--pullquote"):
            quote.name = "blockquote"
        try:
            text = html_to_markdown(body.decode_contents())
        except RecursionError:
            self.note(None, "nested too deeply to convert; kept as plain text: check it")
            text = body.get_text("\n\n")
        for token, markdown in self.slots.items():
            text = text.replace(token, markdown)
        text = text.strip("\n")
        if images:
            hosts = sorted({urlsplit(src).hostname or "" for src, _line in images} - {""})
            one = len(images) == 1
            self.note(
                min((line for _src, line in images if line), default=None),
                f"keeps {len(images)} remote image{'' if one else 's'} ({', '.join(hosts)}); "
                f"download {'it' if one else 'them'} into the post's folder and link the "
                f"{'copy' if one else 'copies'} if the post should keep its images after "
                "it leaves Medium",
            )
        return text + "\n" if text else ""

    def slot(self, markdown: str) -> Tag:
        """A paragraph holding a token the final Markdown ``markdown`` replaces."""
        token = f"{self.prefix}{len(self.slots)}end"
        self.slots[token] = markdown
        return _fragment(f"<p>{token}</p>")[0]

    def _title_and_subtitle(self, body: Tag, title: str, subtitle: str) -> None:
        """Medium repeats the title and subtitle as the first grafs: the page has them."""
        marked = body.find_all(class_=["graf--title", "graf--subtitle"])
        for tag in marked:
            tag.decompose()
        if marked:
            return
        for expected in (title, subtitle):
            first = body.find(class_="graf")
            if (
                expected
                and isinstance(first, Tag)
                and first.name in _HEADING_LEVEL
                and _text(first) == expected
            ):
                first.decompose()

    def _dividers(self, body: Tag) -> None:
        for index, divider in enumerate(body.find_all("div", class_="section-divider")):
            if index == 0:
                divider.decompose()  # the first section's divider is decoration
            else:
                divider.replace_with(_fragment("<hr>")[0])

    def _originally(self, body: Tag) -> None:
        grafs = body.find_all(class_="graf")
        last = grafs[-1] if grafs else None
        if isinstance(last, Tag) and _ORIGINALLY.match(last.get_text(" ")):
            link = last.find("a", href=True)
            where = f" ({_href(link)})" if link else ""
            self.note(
                last.sourceline,
                f"dropped the closing 'Originally published at …' line{where}: if your new "
                "site takes over that address, add its path to 'aliases:' so it keeps working",
            )
            last.decompose()

    def _code(self, body: Tag) -> None:
        """``pre.graf--pre`` blocks (one per paragraph in older stories) to fenced code."""
        for pre in body.find_all("pre"):
            if pre.parent is None:  # joined to the block before it
                continue
            run = [pre]
            sibling = pre.find_next_sibling()
            while (
                isinstance(sibling, Tag)
                and sibling.name == "pre"
                and not sibling.get("data-code-block-lang")
            ):
                run.append(sibling)
                sibling = sibling.find_next_sibling()
            language = str(pre.get("data-code-block-lang") or "")
            code = "\n".join(_pre_text(block) for block in run)
            fence = "```"
            while fence in code:
                fence += "`"
            pre.replace_with(self.slot(f"{fence}{language}\n{code}\n{fence}"))
            for block in run[1:]:
                block.decompose()

    def _figures(self, body: Tag) -> list[tuple[str, int | None]]:
        found: list[tuple[str, int | None]] = []
        for figure in body.find_all("figure"):
            if not figure.find("img"):
                continue
            caption_tag = figure.find("figcaption")
            caption = caption_tag.decode_contents().strip() if caption_tag else ""
            caption_text = _text(caption_tag)
            parts = []
            for img in figure.find_all("img"):
                src = _href(img, "src")
                alt = str(img.get("alt") or caption_text)
                found.append((src, figure.sourceline))
                parts.append(f'<p><img src="{_escape(src)}" alt="{_escape(alt)}"></p>')
            if caption:
                parts.append(f"<p><em>{caption}</em></p>")
            _replace(figure, "".join(parts))
        return [(src, line) for src, line in found if src.startswith(("https://", "http://"))]

    def _mixtapes(self, body: Tag) -> None:
        """Link cards (``graf--mixtapeEmbed``) to a plain link with the card's title."""
        for card in body.find_all(class_="graf--mixtapeEmbed"):
            anchor = card.find("a", href=True)
            if anchor is None:
                continue
            title = _text(anchor.find("strong")) or _href(anchor)
            _replace(card, _link_html(_href(anchor), title))

    def _frames(self, body: Tag) -> None:
        """Embedded media to links: YouTube found again from the thumbnail where it can be."""
        for frame in body.find_all("iframe"):
            src = _href(frame, "src")
            figure = frame.find_parent("figure")
            caption = _text(figure.find("figcaption")) if figure else ""
            video = _YOUTUBE_THUMBNAIL.search(unquote(str(frame.get("data-thumbnail") or "")))
            if video:
                url, text = f"https://www.youtube.com/watch?v={video.group(1)}", "Video on YouTube"
            elif src:
                url, text = src, "Embedded content"
                self.note(
                    frame.sourceline,
                    f"an embed became a link to {src}"
                    + (
                        ", Medium's copy of it, which stops working once the story leaves "
                        "Medium: replace it with the original (a gist, a tweet, a video)"
                        if "medium.com/media/" in src
                        else ""
                    ),
                )
            else:
                self.note(frame.sourceline, "an embed without an address was removed")
                (figure or frame).decompose()
                continue
            _replace(figure or frame, _link_html(url, caption or text))


def _pre_text(pre: Tag) -> str:
    for br in pre.find_all("br"):
        br.replace_with("\n")
    return pre.get_text()


def _text(tag: object) -> str:
    return " ".join(tag.get_text().split()) if isinstance(tag, Tag) else ""


def _href(tag: object, attribute: str = "href") -> str:
    value = tag.get(attribute) if isinstance(tag, Tag) else None
    return value.strip() if isinstance(value, str) else ""


def _link_html(url: str, text: str) -> str:
    return f'<p><a href="{_escape(url)}">{_escape(text)}</a></p>'


def _fragment(html: str) -> list[Tag]:
    holder = soup_of(f"<div>{html}</div>").div
    assert holder is not None
    return [child for child in holder.children if isinstance(child, Tag)]


def _replace(tag: Tag, html: str) -> None:
    """Put the elements of ``html`` where ``tag`` was."""
    holder = soup_of(f"<div>{html}</div>").div
    assert holder is not None
    tag.replace_with(holder)
    holder.unwrap()


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
