"""``thoughtgen check``: links that do not resolve, and front matter worth a second look.

The site is rendered in memory, exactly as ``build`` would, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from thoughtgen.build import BuildOptions, open_site, render_site
from thoughtgen.calendar.report import report_for
from thoughtgen.errors import Problem, ProblemLog
from thoughtgen.model import Page, Post, Site, Status
from thoughtgen.outputs import OutputFile, page_path

IDEA_STALE_DAYS = 90
_SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")


@dataclass(frozen=True)
class CheckReport:
    pages: int
    broken: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    unreadable: tuple[Problem, ...] = ()  # files left out of the check: they do not read


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in ("href", "src") and tag in (
                "a",
                "img",
                "link",
                "script",
                "source",
                "video",
                "audio",
                "iframe",
            ):
                self.links.append(value)
            elif name == "srcset":
                self.links.extend(part.split()[0] for part in value.split(",") if part.strip())


def check_site(options: BuildOptions) -> CheckReport:
    """Check every file that reads cleanly; the others are named in ``unreadable``."""
    log = ProblemLog()
    with open_site(options, log, lenient=True) as site:
        outputs = render_site(site, options.site_dir)
        broken = find_broken_links(site, outputs)
        warnings = [*log.warnings, *front_matter_warnings(site)]
    pages = sum(1 for o in outputs if o.kind == "page")
    return CheckReport(
        pages,
        tuple(broken),
        tuple(sorted(set(warnings), key=lambda p: p.sort_key)),
        tuple(log.errors),
    )


def find_broken_links(site: Site, outputs: Iterable[OutputFile]) -> list[Problem]:
    config = site.config
    paths: set[str] = set()
    pages: list[tuple[OutputFile, _LinkCollector]] = []
    ids: dict[str, set[str]] = {}
    for out in outputs:
        paths.add(out.path)
        if out.kind == "page" and out.data is not None:
            collector = _LinkCollector()
            collector.feed(out.data.decode("utf-8"))
            pages.append((out, collector))
            ids[out.path] = collector.ids
    shown: tuple[Post | Page, ...] = (*site.posts, *site.pages)
    sources = {page_path(item.url): item.source for item in shown}
    site_url = urlsplit(config.site_url)
    problems = set()
    for out, collector in pages:
        page_url = config.site_url + out.path.removesuffix("index.html")
        where = sources.get(out.path, f"/{out.path.removesuffix('index.html')} ({out.origin})")
        for link in collector.links:
            target = _resolve(link, page_url, site_url.netloc, config.base_path)
            if target is None:
                continue
            path, fragment = target
            if path is None:
                ok = False
            elif path == "":
                path = out.path
                ok = True
            else:
                ok = path in paths or f"{path}/index.html" in paths
            if ok and fragment and path in ids and fragment not in ids[path]:
                ok = False
            if not ok:
                problems.add(Problem(where, None, f"broken link {link}"))
    return sorted(problems, key=lambda p: p.sort_key)


def _resolve(link: str, page_url: str, host: str, base_path: str) -> tuple[str | None, str] | None:
    """(output path or None when outside the site, fragment); None for links not checked."""
    link = link.strip()
    if not link or link.lower().startswith(_SKIPPED_SCHEMES):
        return None
    absolute = urlsplit(urljoin(page_url, link))
    if absolute.netloc != host or absolute.scheme not in ("http", "https"):
        return None  # another site: not ours to check
    fragment = unquote(absolute.fragment)
    if link.startswith("#"):
        return "", fragment
    path = unquote(absolute.path)
    if not (path + "/").startswith(base_path):
        return None, fragment
    rel = path[len(base_path) :] if path.startswith(base_path) else ""
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel, fragment


def front_matter_warnings(site: Site) -> list[Problem]:
    warnings = []
    for post in site.all_posts:
        if post.status is Status.PUBLISHED and not post.summary_given:
            warnings.append(
                Problem(post.source, None, "no summary; feeds and listings use the first paragraph")
            )
    report = report_for(site)
    for entry in report.ideas:
        if entry.waiting_days is not None and entry.waiting_days > IDEA_STALE_DAYS:
            warnings.append(
                Problem(
                    entry.post.source,
                    None,
                    f"idea waiting for {entry.waiting_days} days; write it, "
                    "schedule it or let it go",
                )
            )
    return warnings
