"""A Substack post's body, an HTML fragment, to Markdown.

Substack's editor writes its blocks as elements with a class and, often, a JSON
``data-attrs``: subscribe forms (``subscription-widget…``), buttons (``button-wrapper``,
``captioned-button-wrap``), share and digest blocks, images (``captioned-image-container``),
footnotes (``footnote-anchor``, ``footnote``) and embeds (``tweet``, ``youtube-wrap``,
``embedded-post-wrap``, ``instagram``…). Widgets that only work on Substack are removed;
embeds become links (with the tweet's text quoted); images keep their remote address and
caption; footnotes become Markdown footnotes. Then ``html_to_markdown`` does the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from thoughtgen.importers.html import html_to_markdown
from thoughtgen.importers.model import SourceSite
from thoughtgen.importers.soup import soup_of

# Blocks that only make sense on Substack: sign-up forms, share prompts, app banners, lists
# of other posts. They are removed without a note: the writer's words are not in them.
_WIDGET_CLASS = re.compile(
    r"^(subscription-widget|subscribe-widget|captioned-button|digest-post-embed|paywall|"
    r"install-substack-app|share-dialog|post-ufi|recommendations?-)"
)
_BUTTON_CLASS = "button-wrapper"
# Embeds whose address the reader can still follow: class → what the link says.
_LINK_EMBEDS = {
    "vimeo-wrap": "Video on Vimeo",
    "spotify-wrap": "Listen on Spotify",
    "soundcloud-wrap": "Listen on SoundCloud",
    "apple-podcast-container": "Listen on Apple Podcasts",
    "bandcamp-wrap": "Listen on Bandcamp",
    "tiktok-wrap": "Video on TikTok",
    "bluesky-wrap": "Post on Bluesky",
    "github-gist": "Code on GitHub",
    "map-embed": "Map",
    "video-embed": "Video",
}


class BodyCleaner:
    """Turns one post's HTML into Markdown: Substack's widgets off, embeds to links."""

    def __init__(self, source: str, old_slug: str, site: SourceSite) -> None:
        """``source`` names the file in notes; ``old_slug`` tells the post's own buttons."""
        self.source = source
        self.old_slug = old_slug
        self.site = site
        self.hosts: list[str] = []  # publication addresses seen in the post's own buttons
        self.slots: dict[str, str] = {}
        self.prefix = "tgslot"

    def convert(self, html: str) -> str:
        if not html.strip():
            return ""
        while self.prefix in html:
            self.prefix += "q"
        soup = soup_of(html)
        footnotes = self._footnotes(soup)
        self._widgets(soup)
        self._embeds(soup)
        images = self._images(soup)
        self._iframes(soup)
        try:
            text = html_to_markdown(str(soup))
        except RecursionError:
            self.site.note(
                self.source, None, "nested too deeply to convert; kept as plain text: check it"
            )
            text = soup.get_text("\n\n").strip() + "\n"
        for token, markdown in self.slots.items():
            text = text.replace(token, markdown)
        text = text.strip("\n")
        if footnotes:
            text += "\n\n" + "\n\n".join(footnotes)
        if images:
            hosts = sorted({urlsplit(src).hostname or "" for src, _line in images} - {""})
            self.note(
                min((line for _src, line in images if line), default=None),
                f"keeps {_plural(len(images), 'remote image')} ({', '.join(hosts)}); "
                f"download {'it' if len(images) == 1 else 'them'} into the post's folder and "
                f"link the {'copy' if len(images) == 1 else 'copies'} if the post should keep "
                "its images after the old site goes",
            )
        return text + "\n" if text else ""

    def note(self, line: int | None, message: str) -> None:
        self.site.note(self.source, line, message)

    def slot(self, markdown: str) -> str:
        token = f"{self.prefix}{len(self.slots)}end"
        self.slots[token] = markdown
        return token

    # Footnotes: <a class="footnote-anchor"> in the text, <div class="footnote"> at the end.
    def _footnotes(self, soup: BeautifulSoup) -> list[str]:
        definitions: list[str] = []
        defined: set[str] = set()
        for div in _with_class(soup, "footnote"):
            number = div.find("a", class_="footnote-number")
            label = _label(number.get_text() if number else "", div.get("id"), len(defined) + 1)
            content = div.find(class_="footnote-content") or div
            if number is not None:
                number.decompose()
            lines = html_to_markdown(content.decode_contents()).strip().split("\n")
            definitions.append(
                f"[^{label}]: {lines[0]}"
                + "".join(f"\n    {line}" if line else "\n" for line in lines[1:])
            )
            defined.add(label)
            div.decompose()
        referenced: set[str] = set()
        for anchor in _with_class(soup, "footnote-anchor"):
            label = _label(anchor.get_text(), anchor.get("href"), len(referenced) + 1)
            referenced.add(label)
            if label not in defined:
                self.note(
                    anchor.sourceline,
                    f"footnote {label} has no text in the export; add '[^{label}]: …' at "
                    "the end of the post or remove the marker",
                )
            anchor.replace_with(self.slot(f"[^{label}]"))
        for label in sorted(defined - referenced):
            self.note(None, f"footnote {label} is never referred to, so it will not show")
        return definitions

    def _widgets(self, soup: BeautifulSoup) -> None:
        for tag in _elements(soup):
            classes = _classes(tag)
            self._remember_address(tag)
            if any(_WIDGET_CLASS.match(name) for name in classes):
                tag.decompose()
            elif _BUTTON_CLASS in classes:
                self._button(tag)

    def _remember_address(self, tag: Tag) -> None:
        """Substack's own buttons link to ``<publication>/subscribe`` or this post."""
        for url in (_attrs(tag).get("url"), tag.get("href")):
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                continue
            parts = urlsplit(url)
            own_post = self.old_slug and parts.path.rstrip("/") in (
                f"/p/{self.old_slug}",
                f"/p/{self.old_slug}/comments",
            )
            if parts.path.rstrip("/") == "/subscribe" or own_post:
                self.hosts.append(f"{parts.scheme}://{parts.netloc}")

    def _button(self, tag: Tag) -> None:
        link = tag.find("a", href=True)
        url = _attrs(tag).get("url") or (link.get("href") if link else "")
        text = _attrs(tag).get("text") or (link.get_text(" ", strip=True) if link else "")
        if not isinstance(url, str) or not url or _substack_action(url):
            tag.decompose()
            return
        tag.replace_with(_paragraph_link(url, str(text or url)))

    def _embeds(self, soup: BeautifulSoup) -> None:
        for tag in _elements(soup):
            classes = set(_classes(tag))
            attrs = _attrs(tag)
            if "tweet" in classes:
                self._tweet(tag, attrs)
            elif "youtube-wrap" in classes:
                video = attrs.get("videoId") or ""
                start = attrs.get("startTime")
                url = f"https://www.youtube.com/watch?v={video}" + (f"&t={start}" if start else "")
                tag.replace_with(_paragraph_link(url, "Video on YouTube"))
            elif classes & {"embedded-post-wrap", "embedded-post"}:
                url = attrs.get("url") or _first_href(tag)
                title = attrs.get("title") or _text_of(tag, "embedded-post-title") or url
                tag.replace_with(_paragraph_link(str(url), str(title)))
            elif "instagram" in classes:
                code = attrs.get("instagram_id")
                url = f"https://www.instagram.com/p/{code}/" if code else _first_href(tag)
                author = attrs.get("author_name")
                tag.replace_with(
                    _paragraph_link(url, f"Instagram post by {author}" if author else url)
                )
            elif "image-gallery-embed" in classes:
                self._gallery(tag, attrs)
            elif "poll-embed" in classes:
                self.note(tag.sourceline, "a Substack poll cannot move with the post; removed")
                tag.decompose()
            elif "latex-rendered" in classes:
                expression = str(attrs.get("persistentExpression") or tag.get_text())
                self.note(
                    tag.sourceline,
                    "a LaTeX formula is kept as code: thoughtgen does not typeset formulas",
                )
                tag.replace_with(self._block(f"```latex\n{expression.strip()}\n```"))
            elif "pullquote" in classes:
                tag.name = "blockquote"
                tag.attrs = {}
            else:
                kind = next((name for name in classes if name in _LINK_EMBEDS), None)
                if kind is not None:
                    self._linked_embed(tag, attrs, _LINK_EMBEDS[kind])

    def _tweet(self, tag: Tag, attrs: dict[str, Any]) -> None:
        url = str(attrs.get("url") or _first_href(tag))
        name, user = attrs.get("name"), attrs.get("username")
        who = f"{name} (@{user})" if name and user else f"@{user}" if user else "a tweet"
        text = attrs.get("full_text")
        said = f"<p>{_escape(text.strip())}</p>" if isinstance(text, str) and text.strip() else ""
        _replace(
            tag,
            f'<blockquote>{said}<p><a href="{_escape(url)}">— {_escape(who)}</a></p></blockquote>',
        )

    def _gallery(self, tag: Tag, attrs: dict[str, Any]) -> None:
        gallery = attrs.get("gallery")
        if not isinstance(gallery, dict):
            gallery = {}
        images = gallery.get("images")
        listed = images if isinstance(images, list) else []
        sources = [
            str(image["src"]) for image in listed if isinstance(image, dict) and image.get("src")
        ] or [str(img.get("src")) for img in tag.find_all("img", src=True)]
        html = "".join(f'<img src="{_escape(src)}" alt="">' for src in sources)
        caption = gallery.get("caption")
        if caption:
            html += f"<figcaption>{_escape(str(caption))}</figcaption>"
        figure = _replace(tag, f"<figure>{html}</figure>")[0]
        figure.sourceline = tag.sourceline

    def _linked_embed(self, tag: Tag, attrs: dict[str, Any], what: str) -> None:
        url = attrs.get("url") or attrs.get("src") or _first_href(tag)
        if not url:
            frame = tag if tag.name == "iframe" else tag.find("iframe", src=True)
            url = frame.get("src") if frame else ""
        if not isinstance(url, str) or not url:
            self.note(tag.sourceline, f"an embed ({what}) without an address was removed")
            tag.decompose()
            return
        tag.replace_with(_paragraph_link(url, what))

    def _images(self, soup: BeautifulSoup) -> list[tuple[str, int | None]]:
        found: list[tuple[str, int | None]] = []
        for img in soup.find_all("img"):
            if img.find_parent("figure") is None:
                src = _image_source(img)
                found.append((src, img.sourceline))
                img.attrs = {"src": src, "alt": str(img.get("alt") or "")}
        for figure in list(soup.find_all("figure")):
            if figure.parent is None or not figure.find("img"):  # gone, or no image
                continue
            caption_tag = figure.find("figcaption")
            caption = caption_tag.decode_contents().strip() if caption_tag else ""
            caption_text = caption_tag.get_text(" ", strip=True) if caption_tag else ""
            parts = []
            for img in figure.find_all("img"):
                src = _image_source(img)
                alt = str(img.get("alt") or _attrs(img).get("alt") or caption_text)
                found.append((src, figure.sourceline))
                parts.append(f'<p><img src="{_escape(src)}" alt="{_escape(alt)}"></p>')
            if caption:
                parts.append(f"<p><em>{caption}</em></p>")
            container = figure
            if isinstance(figure.parent, Tag) and "captioned-image-container" in _classes(
                figure.parent
            ):
                container = figure.parent
            _replace(container, "".join(parts))
        return [(src, line) for src, line in found if src.startswith(("https://", "http://"))]

    def _iframes(self, soup: BeautifulSoup) -> None:
        for frame in list(soup.find_all("iframe")):
            src = frame.get("src")
            if isinstance(src, str) and src:
                frame.replace_with(_paragraph_link(src, "Embedded content"))
                self.note(frame.sourceline, f"an embedded frame became a link to {src}")
            else:
                frame.decompose()

    def _block(self, markdown: str) -> Tag:
        paragraph = BeautifulSoup("<p></p>", "html.parser").p
        assert paragraph is not None
        paragraph.string = self.slot(markdown)
        return paragraph


def _elements(root: Tag) -> Iterator[Tag]:
    """``root``'s elements in document order, without entering one the caller removed or
    replaced (a removed element has no parent)."""
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        if tag.parent is None:
            continue
        yield tag
        if tag.parent is not None:
            stack.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))


def _classes(tag: Tag) -> list[str]:
    return [str(name) for name in tag.get_attribute_list("class") if name]


def _with_class(soup: BeautifulSoup, name: str) -> list[Tag]:
    return [tag for tag in soup.find_all(class_=name) if isinstance(tag, Tag)]


def _label(text: str, fallback: object, position: int) -> str:
    digits = re.sub(r"\D", "", text) or re.sub(r"\D", "", str(fallback or ""))
    return digits or str(position)


def _attrs(tag: Tag) -> dict[str, Any]:
    raw = tag.get("data-attrs")
    if not isinstance(raw, str) or not raw.strip().startswith("{"):
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _substack_action(url: str) -> bool:
    """Whether a button's address is one of Substack's own actions, not a real link."""
    if "%%" in url:  # template placeholders Substack fills per reader (%%share_url%%…)
        return True
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return (
        path.endswith(("/subscribe", "/comments", "/share", "/leaderboard", "/app"))
        or "action=share" in parts.query
        or "utm_content=share" in parts.query
        or (
            (parts.hostname or "").endswith("substack.com")
            and path.startswith(("/account", "/app", "/redirect"))
        )
    )


def _first_href(tag: Tag) -> str:
    link = tag if tag.name == "a" and tag.get("href") else tag.find("a", href=True)
    href = link.get("href") if link else ""
    return href if isinstance(href, str) else ""


def _text_of(tag: Tag, class_name: str) -> str:
    found = tag.find(class_=class_name)
    return found.get_text(" ", strip=True) if found else ""


def _image_source(img: Tag) -> str:
    """The original image: Substack keeps it in ``data-attrs`` beside its resized copy."""
    original = _attrs(img).get("src")
    if isinstance(original, str) and original.startswith(("https://", "http://")):
        return original
    src = img.get("src")
    return src if isinstance(src, str) else ""


def _paragraph_link(url: str, text: str) -> Tag:
    html = f'<p><a href="{_escape(url)}">{_escape(text)}</a></p>'
    paragraph = soup_of(html).p
    assert paragraph is not None
    return paragraph


def _replace(tag: Tag, html: str) -> list[Tag]:
    """Put the elements of ``html`` where ``tag`` was; the new elements."""
    holder = soup_of(f"<div>{html}</div>").div
    assert holder is not None
    made = [child for child in holder.children if isinstance(child, Tag)]
    tag.replace_with(holder)
    holder.unwrap()
    return made


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
