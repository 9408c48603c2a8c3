"""The warm rebuild session behind ``serve``: told which files changed, its output always
equals a ``--clean`` build of the same sources.

Seeded random walks change the site the way a writer does while serving (edits of bodies,
titles, tags, slugs, drafts, pages, links and aliases; new, renamed and deleted posts; the
config, templates and static files), plus two ways of breaking it: a post that does not
read, and two posts claiming one address. After each step the session is told exactly the
paths that changed, as the watcher would tell it, and rebuilds; the output must then equal
a clean build byte for byte, or the rebuild must fail exactly when the clean build does.
A rebuild that goes the whole way leaves the session cold, and it is primed again, as
``serve`` does. Most steps must be patches: a walk that never patched would prove nothing.

THOUGHTGEN_SESSION_WALK_STEPS=N runs N steps in all (spread over the seeds).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import output_files
from test_random_walk import START, Walk

from thoughtgen.build import BuildOptions, build
from thoughtgen.errors import ThoughtgenError
from thoughtgen.session import session

SEEDS = (5, 19, 44)
DEFAULT_STEPS = 60
BROKEN = "---\ntitle: [broken\n---\nThis post does not read.\n"


def steps_per_seed() -> int:
    total = int(os.environ.get("THOUGHTGEN_SESSION_WALK_STEPS", DEFAULT_STEPS))
    return max(1, -(-total // len(SEEDS)))


def sources(root: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file a build reads, with its bytes and mtime (a save of the same bytes is a
    change too: the watcher reports it, and a post's file time shows in the calendar)."""
    found = {}
    for top in ("content", "themes"):
        for path in (root / top).rglob("*"):
            if path.is_file():
                found[path] = (path.read_bytes(), path.stat().st_mtime_ns)
    config = root / "thoughtgen.yaml"
    found[config] = (config.read_bytes(), config.stat().st_mtime_ns)
    return found


class SessionWalk(Walk):
    """The build walk's edits, plus breaking the site and mending it."""

    broken: str | None = None
    clash: tuple[str, str] | None = None
    reserved: str | None = None  # a page that took the archive's address

    def break_post(self) -> str:
        if self.broken or self.clash or self.reserved:
            return self.mend()
        self.broken = self.pick_post()
        self.write(f"content/posts/{self.broken}", BROKEN)
        return f"break {self.broken}"

    def claim_one_address(self) -> str:
        """Two posts take one slug, in one step: the site does not build until one lets go."""
        if self.broken or self.clash or self.reserved or len(self.posts) < 2:
            return self.mend()
        first, second = self.rng.sample(sorted(self.posts), 2)
        slug = self.fresh_name("same")
        for name in (first, second):
            self.posts[name].slug = slug
            self.write_post(name)
        self.clash = (first, second)
        return f"{first} and {second} both take slug {slug}"

    def take_the_archive_address(self) -> str:
        """A page takes ``archive/``: the site assembles, but two outputs have one path."""
        if self.broken or self.clash or self.reserved or not self.pages:
            return self.mend()
        self.reserved = self.rng.choice(sorted(self.pages))
        self.write(
            f"content/pages/{self.reserved}",
            f"---\ntitle: {self.pages[self.reserved]}\nslug: archive\n---\nOlder posts.\n",
        )
        return f"page {self.reserved} takes the archive's address"

    def mend(self) -> str:
        if self.reserved:
            name, self.reserved = self.reserved, None
            self.write_page(name, self.sentence())
            return f"page {name} gives the archive's address back"
        if self.broken:
            name, self.broken = self.broken, None
            self.posts[name].body = self.sentence()
            self.write_post(name)
            return f"mend {name}"
        if self.clash:
            name = self.clash[self.rng.randrange(2)]  # only one of the two is written
            self.clash = None
            self.posts[name].slug = ""
            self.write_post(name)
            return f"{name} lets go of the slug"
        return self.edit_body()

    def pick_post(self) -> str:
        taken = {self.broken, *(self.clash or ())}
        return self.rng.choice(sorted(set(self.posts) - taken) or sorted(self.posts))

    def serving_step(self) -> str:
        if (self.broken or self.clash or self.reserved) and self.rng.random() < 0.4:
            return self.mend()
        actions: list[tuple[Callable[[], str], int]] = [
            (self.edit_body, 8),
            (self.retitle, 4),
            (self.retag, 3),
            (self.redate, 2),
            (self.mark_updated, 2),
            (self.change_slug, 2),
            (self.toggle_draft, 2),
            (self.add_alias, 2),
            (self.link_post, 2),
            (self.change_page, 2),
            (self.add_post, 1),
            (self.rename_post, 1),
            (self.delete_post, 1),
            (self.change_config, 1),
            (self.change_theme, 1),
            (self.change_static, 1),
            (self.break_post, 1),
            (self.claim_one_address, 1),
            (self.take_the_archive_address, 1),
            (self.nothing, 1),
        ]
        return self.take_one(actions)


@pytest.mark.parametrize("seed", SEEDS)
def test_session_output_equals_a_clean_build_over_a_random_walk(tmp_path: Path, seed: int) -> None:
    walk = SessionWalk(tmp_path / "site", tmp_path / "clean", random.Random(seed))
    walk.root.mkdir()
    walk.setup()
    now = f"{START:%Y-%m-%d %H:%M}"
    served = tmp_path / "served"
    options = BuildOptions(site_dir=walk.root, output_dir=served, now=now, accept_new_ids=True)
    clean = BuildOptions(
        site_dir=walk.root,
        output_dir=walk.clean_out,
        now=now,
        clean=True,
        use_cache=False,
        jobs=1,
        accept_new_ids=True,
    )
    build(options)
    history = ["setup"]
    patched = settled = 0
    with session(options) as warm:
        warm.prime()
        assert warm.warm
        for _ in range(steps_per_seed()):
            before = sources(walk.root)
            history.append(walk.serving_step())
            after = sources(walk.root)
            changed = [p for p in before.keys() | after.keys() if before.get(p) != after.get(p)]
            where = "after: " + " / ".join(history[-6:])
            was_warm = warm.warm
            try:
                warm.rebuild(changed)
                failed = None
            except ThoughtgenError as exc:
                failed = exc
            try:
                build(clean)
                clean_failed = None
            except ThoughtgenError as exc:
                clean_failed = exc
            assert (failed is None) == (clean_failed is None), f"{where}: {failed or clean_failed}"
            if walk.rng.random() < 0.3:
                # What the next serve starts with: settled, a build usually finds nothing to
                # do (not when a static file changed within the racy window: it is then
                # known by its bytes, later by its stat), its output is still the clean
                # build's (compared below), and a broken site stays broken.
                warm.settle()
                try:
                    again = build(options)
                except ThoughtgenError:
                    again = None
                assert (again is None) == (failed is not None), where
                settled += again is not None and again.report.written == 0
            if failed is not None:
                continue
            patched += was_warm and warm.warm
            ours, theirs = output_files(served), output_files(walk.clean_out)
            differ = sorted(p for p in ours.keys() | theirs.keys() if ours.get(p) != theirs.get(p))
            assert not differ, f"{where}\nthe session and a clean build differ in {differ}"
            if not warm.warm:
                warm.prime()  # as serve does once a whole build is done
    assert patched >= steps_per_seed() // 2, f"only {patched} of the rebuilds were patches"
    assert settled >= 1, "a settled output was never taken as it is by the next build"
