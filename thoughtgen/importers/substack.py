"""Substack: an unzipped export, ``posts.csv`` plus ``posts/<post_id>.html``.

Substack's export lists every post in ``posts.csv`` (``post_id`` is ``<id>.<slug>``,
``post_date`` ISO 8601 in UTC, ``is_published``, ``type``, ``audience``, ``title``,
``subtitle``, ``podcast_url``) and keeps each post's body, an HTML fragment, in
``posts/<post_id>.html``. Everything else in the export (``email_list…csv``,
``posts/<post_id>.opens.csv``, ``….delivers.csv``) names subscribers: it is never read.

The export does not say the publication's address. Posts lived at ``/p/<slug>`` under it,
and Substack's RSS feed (``/feed``) gives each item ``<guid isPermaLink="false">`` set to
the post's address, ``https://<publication>/p/<slug>``: so the guid needs the address.
It is taken from ``base_url`` when given, else from the subscribe and share buttons in the
posts themselves (Substack writes them with the publication's absolute address), else the
guids stay empty and a note says why. With the address known, links to the publication's
own posts are pointed at the imported posts' sources.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from thoughtgen.errors import ThoughtgenError, shown
from thoughtgen.importers.exportfile import link_own_posts, read_export_text
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.substack_body import BodyCleaner
from thoughtgen.slugs import slugify, unsafe_slug_reason

NAME = "substack"
DESCRIPTION = "a Substack export (posts.csv and posts/*.html)"

CSV_NAME = "posts.csv"
# A post body larger than this is not an export Substack wrote; it is skipped with a note.
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_CSV_BYTES = 50 * 1024 * 1024
_REQUIRED = ("post_id", "title")
_PAID = {"only_paid": "paying subscribers", "founding": "founding members"}


def detect(root: Path) -> bool:
    """An unzipped Substack export: ``posts.csv`` whose header names ``post_id``."""
    path = root / CSV_NAME
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"post_id" in head.split(b"\n", 1)[0]


def read(root: Path, base_url: str = "") -> SourceSite:
    """Every post in ``root``'s ``posts.csv``, with its body converted to Markdown.

    ``base_url`` is the publication's address (``https://name.substack.com``), which the
    export does not hold; without it the address is looked for in the posts' buttons.
    """
    site = SourceSite(platform=NAME)
    rows = _read_rows(root / CSV_NAME)
    hosts: Counter[str] = Counter()
    # (doc, the slug Substack served it at, whether it was published)
    converted: list[tuple[ImportedDoc, str, bool]] = []
    for row in rows:
        made = _post(root, row, site, hosts)
        if made is not None:
            converted.append(made)
    if not rows:
        site.note(CSV_NAME, None, "the export lists no posts: nothing to import")
    address = _publication_address(base_url, hosts, site) if converted else ""
    site.base_url = address + "/" if address else ""
    if converted:
        site.post_permalink = "/p/:slug/"
    for doc, old_slug, published in converted:
        if published and old_slug:  # only published posts had an address and a feed item
            path = "/p/" + quote(old_slug, safe="-._~")
            doc.old_urls = [path]
            doc.guid = address + path if address else ""
        site.docs.append(doc)
    if address:
        _link_own_posts(site.docs, address)
    return site


# A Markdown link's destination, or an autolink, to an address on the web.


def _link_own_posts(docs: list[ImportedDoc], address: str) -> None:
    """Links to the publication's own posts lead to the imported posts' sources.

    Only published posts that stay published, with a slug no other post shares (the
    importer renames those, and a link to the old name would break). The build turns
    ``<slug>.md`` into the post's new address.
    """
    slugs = Counter(doc.slug for doc in docs)
    targets = {
        doc.old_urls[0]: doc
        for doc in docs
        if doc.old_urls and not doc.draft and slugs[doc.slug] == 1
    }

    def target_of(url: str) -> ImportedDoc | None:
        parts = urlsplit(url)
        own = f"{parts.scheme}://{parts.netloc}" == address
        return targets.get(parts.path.rstrip("/")) if own else None

    link_own_posts(docs, target_of)


# -- posts.csv ----------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def _read_rows(path: Path) -> list[_Row]:
    if not path.is_file():
        raise ThoughtgenError.single(CSV_NAME, None, "not found: this is not a Substack export")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ThoughtgenError.single(
            CSV_NAME, None, f"larger than {MAX_CSV_BYTES // 2**20} MB: not a Substack export"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ThoughtgenError.single(CSV_NAME, None, f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ThoughtgenError.single(
            CSV_NAME, line, "is not UTF-8 text; Substack writes UTF-8: re-download the export"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = [name.strip().lower() for name in record]
                missing = [name for name in _REQUIRED if name not in header]
                if missing:
                    raise ThoughtgenError.single(
                        CSV_NAME,
                        line,
                        f"has no {', '.join(repr(m) for m in missing)} column; "
                        "a Substack export's posts.csv starts with post_id,post_date,…",
                    )
                continue
            if not any(value.strip() for value in record):
                continue
            rows.append(_Row(line, dict(zip(header, record, strict=False))))
    except csv.Error as exc:
        raise ThoughtgenError.single(
            CSV_NAME, start, f"the row starting here cannot be read as CSV ({exc})"
        ) from None
    if header is None:
        raise ThoughtgenError.single(CSV_NAME, 1, "is empty; a Substack export lists posts here")
    return rows


def _post(
    root: Path, row: _Row, site: SourceSite, hosts: Counter[str]
) -> tuple[ImportedDoc, str, bool] | None:
    post_id = row.get("post_id")
    id_part, _, old_slug = post_id.partition(".")
    if not post_id or not _safe_name(post_id):
        site.note(CSV_NAME, row.line, f"post_id {shown(post_id)} is not <id>.<slug>: skipped")
        return None
    title = " ".join(row.get("title").split())
    slug = _slug(old_slug, title, id_part)
    if old_slug and slug != old_slug:
        site.note(
            CSV_NAME,
            row.line,
            f"slug {shown(old_slug)} is not a valid thoughtgen slug; the post is '{slug}' "
            f"and its old address /p/{old_slug} redirects to it",
        )
    if not title:
        title = slug.replace("-", " ").capitalize()
        site.note(CSV_NAME, row.line, f"the post has no title; it is titled {shown(title)}")
    published = row.get("is_published").lower() == "true"
    doc = ImportedDoc(
        kind="post",
        source=f"posts/{post_id}.html",
        slug=slug,
        title=title,
        body="",
        summary=row.get("subtitle"),
        draft=not published,
        date=_date(row, site),
    )
    body_html = _body(root, doc.source, row, site)
    if body_html is None:
        if published:
            doc.draft = True
            site.note(
                doc.source,
                None,
                "the export holds no text for this published post; it is imported as a "
                "draft: paste its text from Substack, then remove 'draft: true'",
            )
        body_html = ""
    audience = row.get("audience")
    if published and audience in _PAID:
        doc.draft = True
        site.note(
            CSV_NAME,
            row.line,
            f"a post for {_PAID[audience]} only is imported as a draft: the export may hold "
            "only its free preview; check the text, then remove 'draft: true'",
        )
    cleaner = BodyCleaner(doc.source, old_slug, site)
    doc.body = cleaner.convert(body_html)
    hosts.update(cleaner.hosts)
    kind = row.get("type")
    if kind == "podcast":
        audio = row.get("podcast_url")
        if audio:
            doc.body = f"[Listen to this episode]({audio})\n\n" + doc.body
        site.note(
            CSV_NAME,
            row.line,
            "a podcast episode: its audio stays on Substack"
            + (f" ({audio}); download it and link the copy" if audio else " and is not linked")
            + " so the episode keeps playing after you leave",
        )
    elif kind == "thread":
        site.note(
            CSV_NAME,
            row.line,
            "a discussion thread: the comments are not in the export, only the opening text",
        )
    return doc, old_slug, published


def _safe_name(post_id: str) -> bool:
    return (
        "/" not in post_id
        and "\\" not in post_id
        and "\0" not in post_id
        and not post_id.startswith(".")
        and ".." not in post_id
    )


def _slug(old_slug: str, title: str, id_part: str) -> str:
    for candidate in (slugify(old_slug), slugify(title), slugify(f"post-{id_part}")):
        if candidate and unsafe_slug_reason(candidate) is None:
            return candidate
    return "post"


def _date(row: _Row, site: SourceSite) -> datetime | None:
    for column in ("post_date", "email_sent_at"):
        value = row.get(column)
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            site.note(
                CSV_NAME,
                row.line,
                f"{column} {shown(value)} is not a date; set 'date:' in the post by hand",
            )
            continue
        moment = moment.replace(microsecond=0)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if row.get("is_published").lower() == "true":
        site.note(CSV_NAME, row.line, "a published post without a date; set 'date:' by hand")
    return None


def _body(root: Path, source: str, row: _Row, site: SourceSite) -> str | None:
    path = root / source
    return read_export_text(
        root, path, source, site, MAX_BODY_BYTES, note_missing=False, check="check the text there"
    )


def _publication_address(given: str, hosts: Counter[str], site: SourceSite) -> str:
    if given:
        return given.rstrip("/")
    if hosts:
        (address, _count), *others = hosts.most_common()
        site.note(
            CSV_NAME,
            None,
            f"the publication's address, {address}, was read from the posts' subscribe and "
            "share buttons; feed ids (guid) and redirects from /p/<slug> assume it"
            + (f" (other addresses seen: {', '.join(a for a, _ in others[:3])})" if others else ""),
        )
        return address
    site.note(
        CSV_NAME,
        None,
        "the export does not give the publication's address, so the posts' feed ids cannot "
        "be kept (Substack's feed identifies a post by its address, https://<publication>/p/"
        "<slug>); run the import again with the publication's address as the base URL",
    )
    return ""
