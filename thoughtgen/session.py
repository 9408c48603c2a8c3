"""A build kept warm in one process between rebuilds, for ``serve``.

``prime`` reads the site as a build would and keeps what it made: the parsed items, the
assembled models, the planning (theme, compiled templates, memoised digests) and the
output's manifest. It writes nothing. After that, when the only changes are edits of posts
and pages that existed before, a rebuild re-reads just those files, assembles and plans the
site again from memory, renders only the outputs whose keys differ from the manifest's
(and, of those, only the pages whose templates read something that changed: see
``thoughtgen.incremental.views``), and replaces only the files whose bytes changed, each
in one step, all while ``hold`` is held (the dev server holds it to answer a request, so
no answer mixes two builds). Any other change (the config, the theme, a static file, a
file added or removed, or one the watcher could not name) is a whole ``build``, after
which the session is cold until primed again.

The result of a rebuild is always what a clean build of the same sources would give: the
keys are the ones ``build`` computes, over a Site assembled from every item, and they are
compared with what the output's manifest says its files were made from. The feed-id guard
does not run: a preview's feeds have no subscribers.

The cyclic garbage collector pauses from a rebuild until the next quiet moment (``settle``
or ``prime``): with the warm site in memory, a collection inside a rebuild took longer
than the rest of it. What ``prime`` keeps is frozen out of later collections.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from thoughtgen.assemble import Assembly, ModelMemo, assemble, reassemble
from thoughtgen.build import (
    BuildOptions,
    BuildResult,
    build,
    find_inputs,
    later_warnings,
    open_cache,
    output_path,
    parse_fresh,
    read_items,
    resolve_now,
)
from thoughtgen.cards.plan import card_warnings
from thoughtgen.config import CONFIG_FILE, Config, load_config
from thoughtgen.errors import Problem, ProblemLog
from thoughtgen.incremental.cache import BuildCache, Fresh
from thoughtgen.incremental.manifest import Entry, read_manifest, write_manifest
from thoughtgen.incremental.replaced import replaced
from thoughtgen.incremental.stamp import Record, racy, record_key, stamp
from thoughtgen.incremental.views import Reads, View, Viewer, reading
from thoughtgen.model import Post, Site
from thoughtgen.output.lock import output_lock
from thoughtgen.output.policy import check_collisions, check_output_dir, resolve_output
from thoughtgen.output.produce import WriteReport, write_failure
from thoughtgen.output.tree import write_one
from thoughtgen.outputs import OutputFile, Planned
from thoughtgen.parse import ParsedItem, digest_of
from thoughtgen.plan import Planning, plan_site
from thoughtgen.render import LOOKED_THROUGH
from thoughtgen.sources import SourceRef, StaticFile

# Held while files are put in place: a lock, or nothing at all.
Hold = AbstractContextManager[object]


@dataclass
class _Warm:
    """What the last successful rebuild made, kept for the next one."""

    config: Config
    refs: dict[str, SourceRef]  # every post and page file, in the order scanned
    items: dict[str, ParsedItem]
    static: list[StaticFile]
    models: ModelMemo
    assembly: Assembly
    planning: Planning
    output: Path
    files: dict[str, Entry]  # what the output holds, as its manifest lists it
    folders: dict[str, int]
    foreign: tuple[str, ...]
    fixed: str  # the stamp of all but the posts and pages (``stamp.fixed_part``)
    warned: tuple[tuple[Problem, ...], tuple[Problem, ...]]  # warnings: assembly's, cards'
    unsettled: bool = False  # the manifest lacks the stamp of the inputs it was made from
    manifest_due: bool = False  # the manifest on disk lags behind ``files``
    # What the render that made each page read of its posts (only pages rendered here).
    views: dict[str, View] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # the outputs of the last rebuild
    planned: list[Planned] = field(default_factory=list)  # and how it planned them


class BuildSession:
    """Rebuilds of one site into one output folder, as fast as the change allows."""

    def __init__(self, options: BuildOptions, hold: Hold | None = None) -> None:
        self.options = options
        self.hold = hold if hold is not None else contextlib.nullcontext()
        self._warm: _Warm | None = None
        self._cache_stack = contextlib.ExitStack()
        self._cache: BuildCache | None = None
        self._cache_settings: tuple[object, ...] | None = None
        self._failed: set[str] = set()  # read by a rebuild that failed: read again next time
        self._collector_paused = False
        self._froze = False

    def close(self) -> None:
        self._cache_stack.close()
        self._cache = None
        self._thaw()

    def _pause_collector(self) -> None:
        """No cyclic garbage collection until the next quiet moment: a full collection walks
        every object the warm session keeps, and one falls inside most rebuilds otherwise."""
        if gc.isenabled():
            gc.disable()
            self._collector_paused = True

    def _thaw(self) -> None:
        """What an earlier ``prime`` froze may be collected again (it may be garbage now)."""
        if self._froze:
            self._froze = False
            gc.unfreeze()
        self._resume_collector()

    def _resume_collector(self) -> None:
        if self._collector_paused:
            self._collector_paused = False
            gc.collect()
            gc.enable()

    @property
    def warm(self) -> bool:
        return self._warm is not None

    def settle(self) -> None:
        """Write the stamp of the inputs into the manifest after patches, so the next
        session (or build) starts by finding nothing changed, as it does after a whole build.

        Meant for a quiet moment: it looks at every source file's stat. While a file was
        changed a moment ago (its rebuild may be on its way), it waits for the next.
        """
        self._resume_collector()
        warm = self._warm
        if warm is None:
            return
        related = warm.planning.renderer.related
        if related is not None:
            related.save()  # (the related posts' choice, remembered for the next process)
        if not warm.unsettled:
            return
        if self._failed:  # the planning's site is not the output's: no stamp
            if warm.manifest_due:
                self._write_manifest(warm, "")
            return
        inputs = self._stamp(warm)
        if inputs is None:
            return
        self._write_manifest(warm, inputs)
        warm.unsettled = False

    def _stamp(self, warm: _Warm) -> str | None:
        """The stamp of the files the output was made from, its record kept in the cache;
        "" when a build could not trust one (no cache, a theme that reads the time of day);
        None while a file is newer than its rebuild or was changed a moment ago."""
        span = warm.planning.clock_span()
        if self._cache is None or span is None:
            return ""
        since_ns = time.time_ns()
        refs = warm.refs.values()
        if any(racy(ref, since_ns) for ref in refs) or any(_restat(r) != r for r in refs):
            return None
        inputs = stamp(warm.fixed, refs, since_ns)
        self._cache.remember(record_key(inputs), Record(*span, *warm.warned).encode())
        return inputs

    def _write_manifest(self, warm: _Warm, inputs: str) -> None:
        with output_lock(warm.output, shown=str(output_path(self.options, warm.config))):
            write_manifest(warm.output, warm.files, warm.folders, inputs, warm.foreign)
        warm.manifest_due = False

    def forget(self) -> None:
        """Keep nothing: the output is being made some other way."""
        self._warm = None
        self._failed = set()

    def rebuild(self, changed: Collection[Path] | None = None) -> BuildResult:
        """Bring the output up to date; ``changed`` names the files changed since the last
        rebuild (None: unknown, look at everything).

        Raises ThoughtgenError with every problem; the output stays as the last successful
        rebuild left it, and the files of a failed rebuild are read again by the next.
        """
        edits = self._edits(changed)
        if edits is None:
            self.forget()  # whatever happens next, nothing kept is trusted
            self._thaw()  # (a whole build makes garbage of what was kept)
            return build(self.options)
        self._pause_collector()
        try:
            result = self._patch(edits)
        except BaseException:
            self._failed.update(edits)
            raise
        self._failed = set()
        return result

    # -- deciding --------------------------------------------------------------------------
    def _edits(self, changed: Collection[Path] | None) -> list[str] | None:
        """The posts and pages to re-read, or None when the rebuild must go the whole way."""
        warm = self._warm
        if warm is None or changed is None:
            return None
        site_dir = self.options.site_dir.resolve()
        edits: set[str] = set(self._failed)
        for path in changed:
            try:
                rel = path.resolve().relative_to(site_dir).as_posix()
            except ValueError:
                return None  # not named as the build names it (a linked folder): look at all
            if rel == CONFIG_FILE or rel.startswith("themes/"):
                return None
            if not rel.startswith("content/"):
                continue  # not read by a build
            if rel not in warm.refs or not os.path.isfile(path):
                return None  # added, removed, or not a post or page (a static file)
            edits.add(rel)
        if not warm.output.is_dir():
            return None  # the output was removed meanwhile
        return sorted(edits)

    # -- reading the site once -------------------------------------------------------------
    def prime(self) -> None:
        """Read the site and the output's manifest and keep them (nothing is written).

        Raises ThoughtgenError when the site does not build; the session stays cold.
        """
        self._thaw()
        self._warm = None
        options = self.options
        log = ProblemLog()
        config = load_config(options.site_dir, options.base_url)
        shown = output_path(options, config)
        output = resolve_output(shown)
        check_output_dir(output, options.site_dir)
        with output_lock(output, shown=str(shown)):
            cache = self._open_cache(config)
            found = find_inputs(options, config, log)
            refs, static = found.refs, found.static
            scanned = len(log.warnings)
            items = read_items(refs, config, cache, 1, log)
            log.raise_if_errors()
            by_rel = {item.rel: item for item in items}
            ref_map = {ref.rel: ref for ref in refs if ref.rel in by_rel}
            models = ModelMemo()
            assembly = self._assemble(config, ref_map, by_rel, static, models, found.now, log)
            site = assembly.site
            planning = Planning(site, options.site_dir, cache, found.theme, remembering=True)
            for planned in plan_site(site, options.site_dir, planning):
                planned.key  # noqa: B018 (remembered: the first edit computes only what changed)
            warned = (tuple(log.warnings[scanned:]), tuple(card_warnings(site, options.site_dir)))
            manifest = read_manifest(output) if output.is_dir() else None
        if manifest is None or not manifest.files:
            return  # nothing built there yet: the next rebuild goes the whole way
        # What is kept lives as long as the session: later collections need not walk it.
        gc.collect()
        gc.freeze()
        self._froze = True
        self._failed = set()
        self._warm = _Warm(
            config,
            ref_map,
            by_rel,
            static,
            models,
            assembly,
            planning,
            output,
            dict(manifest.files),
            dict(manifest.folders),
            manifest.foreign or (),
            found.fixed,
            warned,
        )

    def _open_cache(self, config: Config) -> BuildCache | None:
        """The build cache, kept open between rebuilds (items read their HTML from it)."""
        settings = (config.timezone, self.options.use_cache)
        if self._cache_settings != settings:
            self.close()
            self._cache_stack = contextlib.ExitStack()
            self._cache = self._cache_stack.enter_context(open_cache(self.options, config))
            self._cache_settings = settings
        return self._cache

    def _assemble(
        self,
        config: Config,
        refs: dict[str, SourceRef],
        items: dict[str, ParsedItem],
        static: list[StaticFile],
        models: ModelMemo,
        now: datetime,
        log: ProblemLog,
    ) -> Assembly:
        options = self.options
        assembly = assemble(
            config,
            [items[rel] for rel in refs],
            static,
            now,
            log,
            include_drafts=options.include_drafts,
            include_future=options.include_future,
            mtimes={rel: ref.mtime for rel, ref in refs.items()},
            models=models,
        )
        log.raise_if_errors()
        return assembly

    # -- only what changed -----------------------------------------------------------------
    def _patch(self, edits: list[str]) -> BuildResult:
        started = time.perf_counter()
        warm = self._warm
        assert warm is not None
        log = ProblemLog()
        refs, items = dict(warm.refs), dict(warm.items)
        fresh: list[Fresh] = []
        for rel in edits:
            ref = _restat(warm.refs[rel])
            if ref is None:  # gone since the watcher saw it
                self.forget()
                return build(self.options)
            data = ref.read_bytes()
            refs[rel] = ref
            if digest_of(data) == items[rel].digest:
                continue  # saved without a change
            result = parse_fresh(ref, data, warm.config.tz, self._cache is None)
            if isinstance(result, list):
                for problem in result:
                    log.error(problem.path, problem.line, problem.message)
                continue
            fresh.append(result)
        log.raise_if_errors()
        if self._cache is not None:
            stored = self._cache.store(fresh)
        else:
            stored = [one.item for one in fresh]
        for item in stored:
            items[item.rel] = item
        mtimes = {rel: refs[rel].mtime for rel in edits}  # (only edited models are made)
        now = resolve_now(self.options.now, warm.config)
        edited = [items[rel] for rel in edits]  # a save of the same bytes changes a file time
        assembly = reassemble(warm.assembly, edited, now, log, mtimes)
        if assembly is None:
            assembly = self._assemble(warm.config, refs, items, warm.static, warm.models, now, log)
        log.raise_if_errors()
        site = assembly.site
        planning = warm.planning
        planning.retarget(site)
        cards = card_warnings(site, self.options.site_dir, planning.cards)
        warnings = later_warnings(planning.theme, cards, self.options.site_dir, warm.config)
        planned = plan_site(site, self.options.site_dir, planning)
        paths = [item.path for item in planned]
        same_paths = paths == warm.paths
        if not same_paths:  # (whether two outputs collide follows from the paths alone)
            check_collisions(planned)
        views = _Views(warm.views, planning, site)
        with output_lock(warm.output, shown=str(output_path(self.options, warm.config))):
            report = self._write(warm, planned, views, warm.planned if same_paths else None)
        warm.refs, warm.items, warm.assembly, warm.paths = refs, items, assembly, paths
        warm.warned = (tuple(log.warnings), tuple(cards))
        return BuildResult(
            site,
            warm.output,
            tuple(p.path for p in planned),
            report,
            (*log.warnings, *warnings),
            time.perf_counter() - started,
        )

    def _write(
        self, warm: _Warm, planned: list[Planned], views: _Views, last: list[Planned] | None
    ) -> WriteReport:
        """Render what changed, then put it in place in one go under ``hold``.

        ``last``: the plan of the last rebuild, when it had the same outputs in the same
        order. An output planned by the very same ``Planned`` then is as its entry says.
        """
        files = warm.files
        made: dict[str, tuple[Planned, bytes, str]] = {}
        copies: list[Planned] = []
        if last:
            entries = dict(files)
            todo = [planned[i] for i in replaced(last, planned)]
            gone = []
        else:
            entries = {}
            todo = planned
            gone = sorted(set(files) - {item.path for item in planned})
        for item in todo:
            old = files.get(item.path)
            if old is not None and item.key is not None and old.key == item.key:
                entries[item.path] = old
                continue
            if old is not None and item.key is not None and views.unchanged(item):
                # What the page reads is as it was: the same bytes, made from new inputs.
                entries[item.path] = Entry(item.key, old.digest, old.size, old.mtime_ns)
                continue
            out = views.produce(item)
            if out.data is None:
                copies.append(item)
                continue
            digest = digest_of(out.data)
            if old is not None and old.digest == digest:
                entries[item.path] = Entry(item.key, digest, old.size, old.mtime_ns)
            else:
                made[item.path] = (item, out.data, digest)
        touched: set[str] = set()
        root = warm.output
        try:
            with self.hold:
                for path, (item, data, digest) in made.items():
                    entries[path] = write_one(root, path, item.key, digest, data, True)
                    touched.add(path)
                for item in copies:
                    out = item.produce()
                    assert out.source is not None
                    entries[item.path] = write_one(root, item.path, item.key, "", out.source, True)
                    touched.add(item.path)
                for path in gone:
                    with contextlib.suppress(FileNotFoundError):
                        (root / path).unlink()
                    touched.add(path)
                _prune_empty_folders(root, gone)
        except OSError as exc:
            self._warm = None  # the output is in doubt: the next rebuild goes the whole way
            raise write_failure(root, exc) from None
        for path in touched:  # their folders changed: the next full look lists them
            folder = path.rpartition("/")[0]
            while folder:
                warm.folders.pop(folder, None)
                folder = folder.rpartition("/")[0]
        if touched or entries != files:
            # ``settle`` adds the inputs' digest later (it takes a while). The files' new
            # sizes and times can wait for it too: a build finds a file whose size or time
            # differs from the manifest's and makes it again. A file added or removed cannot
            # (a build would take one it does not know of for the writer's own).
            if entries.keys() != files.keys():
                write_manifest(root, entries, warm.folders, "", warm.foreign)
            else:
                warm.manifest_due = True
            warm.unsettled = True
        warm.files, warm.planned = entries, planned
        warm.views = views.kept(entries)
        written = len(made) + len(copies)
        return WriteReport(written, len(entries) - written, len(gone), warm.foreign)


class _Views:
    """The views of one rebuild's pages: the last rebuild's, and those of what it renders."""

    def __init__(self, before: dict[str, View], planning: Planning, site: Site) -> None:
        self.before = before
        self.now: dict[str, View] = {}
        prints = planning.prints
        self.viewer = Viewer(prints, LOOKED_THROUGH)
        self.frame = (prints.global_key, prints.site_key)
        self.site = site
        self._posts: dict[str, Post] | None = None

    def _view(self, item: Planned, reads: Reads) -> View:
        assert item.page is not None
        if self._posts is None:
            self._posts = {post.source: post for post in self.site.all_posts}
        posts = {source: self._posts[source] for source in reads if source in self._posts}
        template, url, context = item.page
        return View(template, url, context, reads, posts, self.frame)

    def unchanged(self, item: Planned) -> bool:
        """Whether ``item`` would read just what its file was made from."""
        before = self.before.get(item.path)
        if before is None or item.page is None:
            return False
        view = self._view(item, before.reads)
        if not self.viewer.same(before, view):
            return False
        self.now[item.path] = view
        return True

    def produce(self, item: Planned) -> OutputFile:
        """Make ``item``, noting what a page read."""
        if item.page is None:
            return item.produce()
        with reading() as reads:
            out = item.produce()
        self.now[item.path] = self._view(item, reads)
        return out

    def kept(self, entries: dict[str, Entry]) -> dict[str, View]:
        """The views that hold for the files ``entries`` lists."""
        views = {path: view for path, view in self.before.items() if path in entries}
        views.update(self.now)
        return views


def _restat(ref: SourceRef) -> SourceRef | None:
    try:
        stat = os.stat(ref.path)
    except OSError:
        return None
    return SourceRef(
        rel=ref.rel,
        kind=ref.kind,
        path=ref.path,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        inode=stat.st_ino,
        ctime_ns=stat.st_ctime_ns,
    )


def _prune_empty_folders(root: Path, removed: list[str]) -> None:
    for path in removed:
        folder = (root / path).parent
        while folder != root:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent


@contextlib.contextmanager
def session(options: BuildOptions, hold: Hold | None = None) -> Iterator[BuildSession]:
    one = BuildSession(options, hold)
    try:
        yield one
    finally:
        one.close()
