"""The front door of ``thoughtgen import``.

One function, ``import_site``: open the export (folder, file or zip), tell which platform
made it, read it with that platform's reader, plan thoughtgen files (front matter, page
bundles, aliases for every old URL that changes, the old feed ids as ``guid``), and write
them without ever replacing a file that is there already.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from thoughtgen.config import CONFIG_FILE, Config, load_config, parse_config
from thoughtgen.errors import ProblemLog, ThoughtgenError
from thoughtgen.importers.archive import opened, single_folder
from thoughtgen.importers.model import Note, SourceSite
from thoughtgen.importers.platforms import PLATFORMS, USUAL_FEEDS, detect, reader
from thoughtgen.importers.writeout import ImportPlan, PlannedFile, plan_files
from thoughtgen.output.atomic import write_new_file
from thoughtgen.parse import bundle_folder, name_parts
from thoughtgen.permalinks import pattern_problem
from thoughtgen.scaffold import GITIGNORE, config_text
from thoughtgen.slugs import slugify
from thoughtgen.sources import scan_sources


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    platform: str
    detected: bool  # the platform was told apart, not given
    created_site: bool
    dry_run: bool
    written: list[PlannedFile] = field(default_factory=list)
    identical: list[PlannedFile] = field(default_factory=list)  # there already, same bytes
    conflicts: list[PlannedFile] = field(default_factory=list)  # there already, different
    notes: list[Note] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    redirects: int = 0
    same_urls: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for f in (*self.written, *self.identical) if f.kind == kind)

    @property
    def summary(self) -> str:
        """``Imported 118 posts, 6 pages, 5 drafts, 212 images; 7 need a look``."""
        verb = "Would import" if self.dry_run else "Imported"
        parts = [
            _plural(self.count("post"), "post"),
            _plural(self.count("page"), "page"),
            _plural(self.count("draft"), "draft"),
            _plural(self.count("image"), "image"),
        ]
        if self.count("file"):
            parts.append(_plural(self.count("file"), "other file"))
        look = len(self.notes) + len(self.conflicts)
        text = f"{verb} {', '.join(parts)}; {look} need{'s' if look == 1 else ''} a look"
        return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def import_site(
    source: Path, site_dir: Path, *, platform: str | None = None, dry_run: bool = False
) -> ImportReport:
    """Import ``source`` (a folder, a WXR file or a zip) into the site at ``site_dir``."""
    if platform is not None and platform not in PLATFORMS:
        raise ThoughtgenError.single(
            "--from", None, f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}"
        )
    config, creating = _target_site(site_dir)
    notes: list[Note] = []
    with opened(source, notes) as root:
        root, name = _platform_root(root, platform, source)
        found: SourceSite = reader(name).read(root)
    found.notes[:0] = notes
    new_config = _new_config_text(found) if creating else ""
    if creating:
        config = parse_config(new_config)
    assert config is not None
    feed_files = _feed_plan(found, creating, site_dir)
    plan = plan_files(found, config, _existing_slugs(site_dir))
    plan.files += feed_files
    report = ImportReport(
        platform=name,
        detected=platform is None,
        created_site=creating,
        dry_run=dry_run,
        notes=sorted([*found.notes, *plan.notes], key=lambda n: (n.path, n.line or 0)),
        skipped=dict(found.skipped),
        redirects=plan.redirects,
        same_urls=plan.same_urls,
    )
    if creating:
        plan.files[:0] = [
            PlannedFile(CONFIG_FILE, new_config.encode("utf-8"), "config", CONFIG_FILE),
            PlannedFile(".gitignore", GITIGNORE.encode("utf-8"), "config", ".gitignore"),
        ]
    _sort_out(plan, site_dir, report)
    if not dry_run:
        for planned in list(report.written):
            if not write_new_file(site_dir / planned.path, planned.data):
                report.written.remove(planned)  # appeared meanwhile: never replaced
                report.conflicts.append(planned)
    return report


def _target_site(site_dir: Path) -> tuple[Config | None, bool]:
    """The site's config, or (None, True) when ``site_dir`` is empty and will become a site."""
    if (site_dir / CONFIG_FILE).is_file():
        return load_config(site_dir), False
    if site_dir.exists() and (not site_dir.is_dir() or any(site_dir.iterdir())):
        raise ThoughtgenError.single(
            str(site_dir),
            None,
            "is neither a thoughtgen site nor an empty folder; run 'thoughtgen init' there "
            "first, or import into a new folder with --site",
        )
    return None, True


def _platform_root(root: Path, platform: str | None, source: Path) -> tuple[Path, str]:
    """The folder to read and the platform, looking one folder down in a repository's zip."""
    candidates = [root]
    if root.is_dir() and (inner := single_folder(root)) != root:
        candidates.append(inner)
    for candidate in candidates:
        name = platform or detect(candidate)
        if name is not None and (platform is None or reader(name).detect(candidate)):
            return candidate, name
    if platform is not None:
        return root, platform  # trust the writer; the reader says what it cannot find
    raise ThoughtgenError.single(
        str(source),
        None,
        "cannot tell which platform this export comes from; "
        f"name it with --from ({'|'.join(PLATFORMS)})",
    )


def _new_config_text(found: SourceSite) -> str:
    values: dict[str, object] = {}
    if found.title:
        values["title"] = found.title
    if found.base_url:
        values["base_url"] = (
            found.base_url if found.base_url.endswith("/") else found.base_url + "/"
        )
    else:
        found.note(
            CONFIG_FILE,
            None,
            "the export does not say the site's address; set base_url in thoughtgen.yaml "
            "before you publish (feeds and redirects use it)",
        )
    if found.description:
        values["description"] = found.description
    if found.language:
        values["language"] = found.language
    if found.timezone:
        values["timezone"] = found.timezone
    if found.author:
        values["author.name"] = found.author
    rss, atom, _redirected = feed_addresses(found)
    if rss:
        values["feed.rss_copies"] = rss
    if atom:
        values["feed.atom_copies"] = atom
    if found.post_permalink and not pattern_problem(found.post_permalink):
        values["permalinks.posts"] = found.post_permalink
    if found.page_permalink and not pattern_problem(found.page_permalink):
        values["permalinks.pages"] = found.page_permalink
    text = config_text(values)
    try:
        parse_config(text)
    except ThoughtgenError as exc:  # a value the export had that thoughtgen cannot take
        bad = {p.line for p in exc.problems}
        for problem in exc.problems:
            found.note(CONFIG_FILE, None, f"left at its default: {problem.message}")
        kept = {k: v for k, v in values.items() if _line_of(text, k) not in bad}
        text = config_text(kept)
    return text


OUR_FEEDS = {"/feed.xml", "/atom.xml"}


def feed_addresses(found: SourceSite) -> tuple[list[str], list[str], list[str]]:
    """The old feed addresses as (RSS copies, Atom copies, addresses only a redirect can keep)."""
    feeds = found.feeds or USUAL_FEEDS.get(found.platform, {})
    rss: list[str] = []
    atom: list[str] = []
    redirected: list[str] = []
    for path, kind in sorted(feeds.items()):
        if path in OUR_FEEDS:
            continue  # served there already (in thoughtgen's format: readers follow it)
        if path.endswith("/") or "." not in path.rpartition("/")[2]:
            redirected.append(path)
        else:
            (atom if kind == "atom" else rss).append(path)
    return rss, atom, redirected


def _feed_plan(found: SourceSite, creating: bool, site_dir: Path) -> list[PlannedFile]:
    """Keep old feed addresses alive: notes for an existing site, a _redirects for the rest."""
    rss, atom, redirected = feed_addresses(found)
    if not creating and (rss or atom):
        lists = ", ".join(f"feed.{k}_copies: {v}" for k, v in (("rss", rss), ("atom", atom)) if v)
        found.note(
            CONFIG_FILE,
            None,
            f"the old feeds lived at {', '.join(rss + atom)}; add {lists} to thoughtgen.yaml "
            "so subscribers keep receiving posts",
        )
    if not redirected:
        return []
    lines = "".join(f"{path} /feed.xml 301\n" for path in redirected)
    own = site_dir / "content/static/_redirects"
    if own.exists():
        found.note(
            "content/static/_redirects",
            None,
            f"the old feed lived at {', '.join(redirected)}; add these lines to your "
            f"_redirects so subscribers keep receiving posts: {lines.strip()}",
        )
        return []
    found.note(
        "content/static/_redirects",
        None,
        f"the old feed address {', '.join(redirected)} is redirected to /feed.xml by "
        "_redirects, which Netlify and Cloudflare Pages read; on other hosts, set up that "
        "redirect there",
    )
    return [PlannedFile("content/static/_redirects", lines.encode(), "file", "feeds")]


def _line_of(text: str, dotted: str) -> int:
    key = dotted.rsplit(".", 1)[-1]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(f"{key}:"):
            return number
    return 0


def _existing_slugs(site_dir: Path) -> dict[str, tuple[str, str]]:
    """ "posts/<name>" → (the site's source named so, its text), found as a build finds them."""
    found: dict[str, tuple[str, str]] = {}
    refs, _static = scan_sources(site_dir, ProblemLog())
    for ref in refs:
        _date, name = name_parts(ref.rel, bundle_folder(ref.rel))
        text = ref.read_bytes().decode("utf-8", "replace")
        found.setdefault(f"{ref.kind}s/{slugify(name)}", (ref.rel, text))
    return found


def _sort_out(plan: ImportPlan, site_dir: Path, report: ImportReport) -> None:
    """Split the planned files into new, identical and conflicting ones."""
    seen: Counter[str] = Counter()
    for planned in plan.files:
        seen[planned.path] += 1
        if seen[planned.path] > 1:
            report.notes.append(
                Note(planned.origin, None, f"{planned.path} would be written twice; kept the first")
            )
            continue
        path = site_dir / planned.path
        if not os.path.lexists(path):
            report.written.append(planned)
        elif path.is_file() and not path.is_symlink() and path.read_bytes() == planned.data:
            report.identical.append(planned)
        else:
            report.conflicts.append(planned)
