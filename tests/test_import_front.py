"""The import front door: what it accepts, what it never does, and what it says."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import SiteMaker
from import_support import feed_ids, import_and_build, run_import, served

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import import_site

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SUBSTACK = FIXTURES / "substack" / "export"


def zipped(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def test_a_zip_imports_like_the_folder(tmp_path: Path) -> None:
    from_folder = import_site(SUBSTACK, tmp_path / "a")
    archive = zipped(SUBSTACK, tmp_path / "export.zip")
    from_zip = import_site(archive, tmp_path / "b")
    assert from_zip.platform == from_folder.platform == "substack"
    assert [f.path for f in from_zip.written] == [f.path for f in from_folder.written]
    for planned in from_folder.written:
        assert (tmp_path / "b" / planned.path).read_bytes() == planned.data


def test_a_repository_zip_is_read_one_folder_down(tmp_path: Path) -> None:
    archive = zipped(SUBSTACK, tmp_path / "export.zip", prefix="lowtide-main/")
    report = import_site(archive, tmp_path / "site")
    assert report.platform == "substack"
    assert report.count("post") > 0


def test_a_hostile_zip_cannot_write_outside(tmp_path: Path) -> None:
    archive = zipped(SUBSTACK, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a") as extra:
        extra.writestr("../../escaped.txt", "out")
        extra.writestr("/abs.txt", "out")
        link = zipfile.ZipInfo("posts/link.html")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        extra.writestr(link, "/etc/passwd")
    report = import_site(archive, tmp_path / "site")
    assert not (tmp_path / "escaped.txt").exists()
    assert not list(tmp_path.parent.glob("escaped.txt"))
    messages = [str(note) for note in report.notes]
    assert "../../escaped.txt: a name that leads outside the archive; skipped" in messages
    assert "posts/link.html: a link inside the archive; skipped" in messages


def test_a_broken_zip_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    code, _out, err = run_import(str(bad), "--site", str(tmp_path / "site"))
    assert code == 1
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_an_unknown_export_asks_for_from(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("hello")
    code, _out, err = run_import(str(tmp_path / "stuff"), "--site", str(tmp_path / "site"))
    assert code == 1
    assert "cannot tell which platform this export comes from; name it with --from" in err


def test_a_folder_that_is_neither_site_nor_empty_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.md").write_text("my own file")
    code, _out, err = run_import(str(SUBSTACK), "--site", str(target))
    assert code == 1
    assert "is neither a thoughtgen site nor an empty folder; run 'thoughtgen init'" in err
    assert sorted(p.name for p in target.iterdir()) == ["thesis.md"]


def test_dry_run_writes_nothing_and_lists_the_plan(tmp_path: Path) -> None:
    code, out, _err = run_import(str(SUBSTACK), "--site", str(tmp_path / "site"), "--dry-run")
    assert code == 0
    assert not (tmp_path / "site").exists()
    assert "  would write content/posts/cafe-notes.md" in out
    assert out.splitlines()[-2].startswith("Would import ")


def test_a_second_run_skips_identical_files_and_never_overwrites(tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = import_site(SUBSTACK, site)
    assert first.written and not first.conflicts
    mine = site / "content/posts/cafe-notes.md"
    mine.write_text(mine.read_text() + "\nMy own edit.\n")
    code, out, err = run_import(str(SUBSTACK), "--site", str(site))
    assert code == 1
    assert "content/posts/cafe-notes.md: is there already and differs; kept yours" in err
    assert "already there and identical" in out
    assert mine.read_text().endswith("My own edit.\n")
    again = import_site(SUBSTACK, site)
    assert not again.written


def test_an_existing_site_keeps_its_posts_and_config(site: SiteMaker, tmp_path: Path) -> None:
    site.write("content/posts/cafe-notes.md", "---\ntitle: Mine\ndate: 2020-01-01\n---\nMine.\n")
    config_before = (site.root / "thoughtgen.yaml").read_bytes()
    report, _site_dir, public = import_and_build(SUBSTACK, tmp_path, site=site.root)
    assert (site.root / "thoughtgen.yaml").read_bytes() == config_before
    assert "Mine." in (site.root / "content/posts/cafe-notes.md").read_text()
    renamed = site.root / "content/posts/cafe-notes-2.md"
    assert "slug: cafe-notes-2" in renamed.read_text()
    assert any("this one became cafe-notes-2" in note.message for note in report.notes)
    assert served(public, "/posts/cafe-notes-2/") is not None


def test_summary_and_notes_name_files_and_lines(tmp_path: Path) -> None:
    code, out, err = run_import(str(SUBSTACK), "--site", str(tmp_path / "site"))
    assert code == 0
    assert out.splitlines()[0].endswith("substack/export/ looks like a Substack export.")
    summary = next(line for line in out.splitlines() if line.startswith("Imported "))
    assert summary.endswith(" need a look.")
    assert "substack/export/posts.csv:3: " in err  # a note carries the export's path and line


def test_imported_substack_site_serves_old_urls_and_keeps_ids(tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SUBSTACK, copy)
    _report, _site, public = import_and_build(copy, tmp_path)
    base = "https://lowtide.substack.com/"
    assert served(public, "/p/cafe-notes", base) is not None
    assert "https://lowtide.substack.com/p/cafe-notes" in feed_ids(public)


def test_unknown_platform_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ThoughtgenError, match="unknown platform 'blogger'"):
        import_site(SUBSTACK, tmp_path / "site", platform="blogger")


def test_old_feed_addresses_are_kept_or_explained(site: SiteMaker, tmp_path: Path) -> None:
    new = import_site(SUBSTACK, tmp_path / "new")
    assert (tmp_path / "new/content/static/_redirects").read_text() == "/feed /feed.xml 301\n"
    assert any("redirected to /feed.xml by _redirects" in n.message for n in new.notes)
    site.write("content/static/_redirects", "/x /y 301\n")
    existing = import_site(SUBSTACK, site.root)
    assert (site.root / "content/static/_redirects").read_text() == "/x /y 301\n"
    assert any("add these lines to your _redirects" in n.message for n in existing.notes)


def test_links_follow_a_post_renamed_for_an_existing_file(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from thoughtgen.config import parse_config
    from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
    from thoughtgen.importers.writeout import plan_files

    when = datetime(2020, 1, 1, tzinfo=UTC)
    found = SourceSite(
        "test",
        docs=[
            ImportedDoc("post", "a", "a", "A", "See [b](b.md) and [c](c/index.md).", date=when),
            ImportedDoc("post", "b", "b", "B", "Text.", date=when),
            ImportedDoc(
                "post",
                "c",
                "c",
                "C",
                "![x](x.png)",
                date=when,
                files=[ImportedFile("x.png", data=b"png")],
            ),
        ],
        files=[ImportedFile("content/static/robots.txt", data=b"old")],
    )
    existing = {
        "posts/b": ("content/posts/b.md", "---\ntitle: Mine\n---\n"),
        "posts/c": ("content/posts/c/index.md", "---\ntitle: Mine too\n---\n"),
    }
    config = parse_config("title: T\nbase_url: https://example.com/\n")
    plan = plan_files(found, config, existing)
    a = next(f for f in plan.files if f.path == "content/posts/a.md").data.decode()
    assert "See [b](b-2.md) and [c](c-2/index.md)." in a
    assert {f.path for f in plan.files} >= {"content/posts/b-2.md", "content/posts/c-2/index.md"}
    assert "content/static/robots.txt" not in {f.path for f in plan.files}
    assert any("thoughtgen makes its own /robots.txt" in n.message for n in plan.notes)
