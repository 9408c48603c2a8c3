"""Assembling again after edits: the quick way gives exactly what a whole assembly gives.

``reassemble`` swaps the models of edited posts and pages into the last Site when nothing
an edit changed reaches beyond its own model. Seeded random edits (bodies, titles, links,
summaries, tags spelt another way, dates, slugs, aliases, drafts, pages, the clock) are
each assembled both ways: the quick way must either decline or give an equal Site, with
equal warnings in the same order, and it must not decline the edits it is for.
Declining is always safe; taking an edit that moved something would show as a difference.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import BASE_CONFIG

from thoughtgen.assemble import Assembly, ModelMemo, assemble, reassemble
from thoughtgen.build import read_items
from thoughtgen.config import load_config
from thoughtgen.errors import ProblemLog
from thoughtgen.parse import ParsedItem
from thoughtgen.sources import SourceRef, scan_sources

START = datetime(2026, 6, 1, 12, 0)
LOCAL = ("body", "title", "link", "summary", "broken link", "page", "same bytes", "clock")
FAR = ("tag spelling", "date", "slug", "alias", "draft", "schedule")


class Site:
    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.fields: dict[str, dict[str, str]] = {}
        self.bodies: dict[str, str] = {}
        (root / "thoughtgen.yaml").write_text(BASE_CONFIG, encoding="utf-8")
        for n in range(12):
            day = START - timedelta(days=n * 3)
            self.fields[f"content/posts/p{n}.md"] = {
                "title": f"Post {n}",
                "date": f"{day:%Y-%m-%d %H:%M}",
                "tags": rng.choice(["[Career]", "[career, Hiring]", "[networking]", "[]"]),
            }
            self.bodies[f"content/posts/p{n}.md"] = f"Note {n}.\n\nMore about it."
        self.fields["content/posts/soon.md"] = {
            "title": "Soon",
            "date": f"{START + timedelta(days=2):%Y-%m-%d %H:%M}",
        }
        self.bodies["content/posts/soon.md"] = "Later."
        self.fields["content/posts/old.md"] = {
            "title": "Old",
            "date": "2020-01-02",
            "aliases": "[/old-one/]",
        }
        self.bodies["content/posts/old.md"] = "See [the first](p0.md)."
        self.fields["content/pages/about.md"] = {"title": "About"}
        self.bodies["content/pages/about.md"] = "Who writes here."
        for rel in self.fields:
            self.write(rel)

    def write(self, rel: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        head = "".join(f"{k}: {v}\n" for k, v in self.fields[rel].items())
        path.write_text(f"---\n{head}---\n{self.bodies[rel]}\n", encoding="utf-8")

    def edit(self, how: str) -> str:
        rng = self.rng
        rel = rng.choice(sorted(r for r in self.fields if r.startswith("content/posts/")))
        fields = self.fields[rel]
        if how == "body":
            self.bodies[rel] += f"\n\nAnother {rng.randrange(1000)} words."
        elif how == "title":
            fields["title"] = f"Retitled {rng.randrange(1000)}"
        elif how == "link":
            self.bodies[rel] += f"\n\nSee [this](p{rng.randrange(12)}.md)."
        elif how == "broken link":
            self.bodies[rel] += "\n\nSee [gone](missing.md)."
        elif how == "summary":
            fields["summary"] = f"In short, {rng.randrange(1000)}."
        elif how == "page":
            rel = "content/pages/about.md"
            self.bodies[rel] += " Still."
        elif how == "same bytes":
            pass
        elif how == "tag spelling":
            fields["tags"] = rng.choice(["[CAREER]", "[career]", "[Hiring, networking]"])
        elif how == "date":
            fields["date"] = f"{START - timedelta(days=rng.randrange(40)):%Y-%m-%d %H:%M}"
        elif how == "slug":
            fields["slug"] = f"moved-{rng.randrange(1000)}"
        elif how == "alias":
            fields["aliases"] = f"[/was-{rng.randrange(1000)}/]"
        elif how == "draft":
            fields["draft"] = "false" if fields.get("draft") == "true" else "true"
        elif how == "schedule":
            fields["date"] = f"{START + timedelta(days=rng.randrange(1, 5)):%Y-%m-%d %H:%M}"
        self.write(rel)
        return rel


def read(root: Path, rels: set[str] | None = None) -> tuple[dict[str, SourceRef], list[ParsedItem]]:
    config = load_config(root)
    log = ProblemLog()
    refs, _static = scan_sources(root, log)
    chosen = [ref for ref in refs if rels is None or ref.rel in rels]
    items = read_items(chosen, config, None, 1, log)
    log.raise_if_errors()
    return {ref.rel: ref for ref in refs}, items


def whole(
    root: Path, items: list[ParsedItem], refs: dict[str, SourceRef], now: datetime
) -> tuple[Assembly, ProblemLog]:
    config = load_config(root)
    _refs, static = scan_sources(root)
    log = ProblemLog()
    mtimes = {rel: ref.mtime for rel, ref in refs.items()}
    made = assemble(config, items, static, now, log, mtimes=mtimes, models=ModelMemo())
    return made, log


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reassembly_equals_a_whole_assembly(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    site = Site(tmp_path, rng)
    config = load_config(tmp_path)
    now = START.replace(tzinfo=config.tz)
    refs, items = read(tmp_path)
    _refs, static = scan_sources(tmp_path)
    last = assemble(
        config,
        items,
        static,
        now,
        ProblemLog(),
        mtimes={r: f.mtime for r, f in refs.items()},
        models=ModelMemo(),
    )
    quick = {how: 0 for how in LOCAL}
    for step in range(60):
        how = rng.choice(LOCAL + FAR)
        rel = site.edit(how)
        if how == "clock":
            now += timedelta(hours=rng.choice([1, 30, -30]))  # "soon" goes live, or back
        refs, fresh = read(tmp_path, {rel})
        by_rel = {item.rel: item for item in last.items.values()}
        by_rel.update({item.rel: item for item in fresh})
        ordered = [by_rel[r] for r in refs if r in by_rel]
        expected, expected_log = whole(tmp_path, ordered, refs, now)
        log = ProblemLog()
        mtimes = {r: f.mtime for r, f in refs.items()}
        got = reassemble(last, [by_rel[rel]], now, log, mtimes)
        where = f"step {step}: {how} of {rel}"
        if got is None:
            assert how in FAR or how == "clock", f"{where}: declined"
            last = expected
            continue
        if how in quick:
            quick[how] += 1  # (an edit of the far kind may have changed nothing far)
        assert got.site == expected.site, where
        assert log.warnings == expected_log.warnings, where
        assert not log.errors
        last = got
    assert sum(quick.values()) >= 20, quick
