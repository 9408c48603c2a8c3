"""The starter content that ships with the repository builds into a real site."""

from __future__ import annotations

import itertools
from pathlib import Path

import feedparser
import pytest
from conftest import REPO, html_files

from thoughtgen.build import BuildOptions, load_site
from thoughtgen.errors import ProblemLog
from thoughtgen.model import Status


def test_starter_feeds_parse_with_at_least_ten_entries(starter_build: Path) -> None:
    for rel in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((starter_build / rel).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert len(feed.entries) >= 10
        assert all(e.link.startswith("https://") for e in feed.entries)
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True)


def test_starter_content_is_real_and_varied() -> None:
    site = load_site(BuildOptions(site_dir=REPO, now="2026-11-22 12:00"), ProblemLog())
    published = site.with_status(Status.PUBLISHED)
    assert len(published) >= 12
    for post in published:
        assert 400 <= post.word_count <= 900, (post.source, post.word_count)
        assert post.tags and post.summary
    assert [p.date.year for p in site.with_status(Status.SCHEDULED)] == [2027]
    assert len(site.with_status(Status.DRAFT)) == 1
    assert len(site.with_status(Status.IDEA)) == 1
    dates = sorted(p.date for p in published)
    assert max((b - a).days for a, b in itertools.pairwise(dates)) >= 30
    assert [p.slug for p in site.pages] == ["about"]


def test_starter_site_pages(starter_build: Path) -> None:
    names = {p.relative_to(starter_build).as_posix() for p in html_files(starter_build)}
    assert {
        "index.html",
        "page/2/index.html",
        "about/index.html",
        "archive/index.html",
        "tags/index.html",
        "404.html",
    } <= names
    assert (starter_build / "sitemap.xml").is_file()
    assert "Sitemap: https://example.com/sitemap.xml" in (starter_build / "robots.txt").read_text()


@pytest.mark.validator
def test_every_starter_page_passes_the_nu_html_checker(starter_build: Path) -> None:
    from validator import run_vnu

    messages = run_vnu(html_files(starter_build))
    assert messages == [], "\n".join(messages)
