"""The output folder belongs to thoughtgen: refusals, atomic swap, nothing foreign deleted."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import SiteMaker, post, snapshot

from thoughtgen.errors import ThoughtgenError
from thoughtgen.output.policy import check_output_dir


@pytest.fixture
def built(site: SiteMaker) -> SiteMaker:
    site.write("content/posts/a.md", post("A"))
    site.write("content/posts/b.md", post("B", date="2024-03-06"))
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def test_failed_build_leaves_previous_output_byte_identical(built: SiteMaker) -> None:
    before = snapshot(built.out)
    built.write("content/posts/b.md", "---\ntitle: [broken\n---\n")
    result = built.build()
    assert result.exit_code == 1
    assert snapshot(built.out) == before
    assert not [
        p for p in built.root.iterdir() if p.name.startswith(".public") and p.suffix != ".lock"
    ]


def test_git_folder_and_foreign_files_survive_rebuilds(built: SiteMaker) -> None:
    (built.out / ".git").mkdir()
    (built.out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (built.out / "CNAME").write_text("blog.example.com\n")
    (built.out / "posts" / "notes.txt").write_text("mine\n")
    built.write("content/posts/b.md", post("B renamed", date="2024-03-06"))
    result = built.build()
    assert result.exit_code == 0, result.output
    assert (built.out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (built.out / "CNAME").read_text() == "blog.example.com\n"
    assert (built.out / "posts" / "notes.txt").read_text() == "mine\n"
    assert "B renamed" in built.page("posts/b/index.html")
    leftovers = [p.name for p in built.root.iterdir() if p.name.startswith(".public")]
    # The last build is kept to make the next one fast; files that are not ours are in both
    # trees as one file (hard links), so a reader of either never misses them.
    assert sorted(leftovers) == [".public.lock", ".public.previous"]
    for rel in (".git/HEAD", "CNAME", "posts/notes.txt"):
        assert (built.root / ".public.previous" / rel).samefile(built.out / rel)


def test_removed_post_page_is_deleted_but_only_ours(built: SiteMaker) -> None:
    (built.root / "content/posts/b.md").unlink()
    (built.out / "posts" / "b" / "draft-notes.txt").write_text("keep me\n")
    assert built.build().exit_code == 0
    assert not (built.out / "posts" / "b" / "index.html").exists()
    assert (built.out / "posts" / "b" / "draft-notes.txt").read_text() == "keep me\n"


def test_foreign_file_where_a_page_goes_is_an_error(built: SiteMaker) -> None:
    (built.root / "content/posts/b.md").unlink()
    assert built.build().exit_code == 0
    (built.out / "posts" / "b").mkdir(exist_ok=True)
    (built.out / "posts" / "b" / "index.html").write_text("hand made\n")
    built.write("content/posts/b.md", post("B", date="2024-03-06"))
    result = built.build()
    assert result.exit_code == 1
    assert "posts/b/index.html: exists and was not written by thoughtgen" in result.stderr
    assert (built.out / "posts" / "b" / "index.html").read_text() == "hand made\n"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (".", "it is the site folder itself"),
        ("..", "it contains the site's sources"),
        ("content", "it is inside the site's content/ folder"),
        ("content/out", "it is inside the site's content/ folder"),
        ("themes", "it is inside the site's themes/ folder"),
    ],
)
def test_refuses_dangerous_output_folders(site: SiteMaker, target: str, reason: str) -> None:
    site.write("content/posts/a.md", post("A"))
    (site.root / "themes").mkdir(exist_ok=True)
    before = snapshot(site.root.parent)
    result = site.build("--output", str(site.root / target))
    assert result.exit_code == 1
    assert f"refusing to build here: {reason}" in result.stderr
    assert snapshot(site.root.parent) == before


def test_refuses_non_empty_folder_it_did_not_create(site: SiteMaker, tmp_path: Path) -> None:
    site.write("content/posts/a.md", post("A"))
    elsewhere = tmp_path / "documents"
    elsewhere.mkdir()
    (elsewhere / "thesis.docx").write_bytes(b"precious")
    result = site.build("--output", str(elsewhere))
    assert result.exit_code == 1
    assert (
        "refusing to build here: the folder is not empty and was not created by thoughtgen"
        in result.stderr
    )
    assert (elsewhere / "thesis.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["thesis.docx"]


def test_builds_into_an_empty_existing_folder_and_a_file_is_refused(
    site: SiteMaker, tmp_path: Path
) -> None:
    site.write("content/posts/a.md", post("A"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert site.build("--output", str(empty)).exit_code == 0
    assert (empty / "index.html").is_file()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = site.build("--output", str(a_file))
    assert result.exit_code == 2
    assert "is a file" in result.stderr
    assert a_file.read_text() == "x"
    with pytest.raises(ThoughtgenError, match="it is a file, not a folder"):
        check_output_dir(a_file, site.root)


def test_static_files_are_copied_and_collisions_reported(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("content/static/CNAME", "blog.example.com\n")
    site.write("content/static/images/pic.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert site.build().exit_code == 0
    assert (site.out / "CNAME").read_text() == "blog.example.com\n"
    assert (site.out / "images" / "pic.svg").is_file()
    site.write("content/static/feed.xml", "<mine/>")
    result = site.build()
    assert result.exit_code == 1
    assert "/feed.xml is produced by both RSS feed and content/static/feed.xml" in result.stderr


def _folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_folders_made_by_a_build_are_trusted_by_the_next_without_waiting(
    built: SiteMaker,
) -> None:
    """Folders settled before the build's last touch are marked in its manifest, so the next
    build lists only those that changed; a file added to any folder at once is still found
    and kept."""
    from thoughtgen.incremental.manifest import read_manifest

    time.sleep(0.3)  # the output's folders are older than the margin
    built.write("content/posts/a.md", post("A, edited"))
    assert built.build().exit_code == 0, "the first edit makes the kept tree"
    time.sleep(0.3)
    built.write("content/posts/a.md", post("A, edited twice"))
    assert built.build().exit_code == 0
    marks = read_manifest(built.out).folders
    assert {"tags", "theme"} <= set(marks) and "posts/a" not in marks
    folders = _folders(built.out)
    for folder in folders:  # a file added right away is found, marked folder or not
        (built.out / folder / "notes.txt").write_text(f"mine: {folder}\n")
    built.write("content/posts/b.md", post("B renamed", date="2024-03-06"))
    for _ in range(2):  # found while swapping in the next tree, and carried into the one after
        assert built.build().exit_code == 0
        for folder in folders:
            assert (built.out / folder / "notes.txt").read_text() == f"mine: {folder}\n"
        built.write("content/posts/b.md", post("B renamed again", date="2024-03-06"))


def test_a_folder_changed_after_the_probe_never_keeps_its_mark(tmp_path: Path) -> None:
    """However soon after the marks are taken a folder changes, its mtime differs from its
    mark, so the next listing looks inside it; a folder changed just before is not marked."""
    from thoughtgen.incremental.manifest import Entry, Manifest, folder_marks, foreign_files

    files = {f"f{n}/page.html": Entry("k", "d", 1, 0) for n in range(200)}
    for rel in files:
        (tmp_path / rel).parent.mkdir()
        (tmp_path / rel).write_text("x")
    probe = tmp_path / "probe"
    probe.write_text("")
    time.sleep(0.2)
    (tmp_path / "f0" / "late.txt").write_text("made just before the marks\n")
    marks = folder_marks(tmp_path, files, [], probe)
    assert "f0" not in marks and len(marks) == 199
    for n in range(200):
        (tmp_path / f"f{n}" / "new.txt").write_text("mine\n")
    found, _ = foreign_files(tmp_path, Manifest(files, marks))
    assert set(found) == {f"f{n}/new.txt" for n in range(200)} | {"f0/late.txt", "probe"}


def test_the_previous_tree_keeps_the_manifest_it_had_while_live(built: SiteMaker) -> None:
    """After a swap the tree that was live is where the next build starts: its manifest
    names its files and the files not ours in it, whether or not those changed."""
    from thoughtgen.incremental.manifest import MANIFEST, read_manifest

    spare = built.root / ".public.previous"
    theirs: list[str] = []
    for n, foreign in enumerate(("", "CNAME", "", "notes/plan.txt", "")):
        if foreign:
            (built.out / foreign).parent.mkdir(exist_ok=True)
            (built.out / foreign).write_text(f"mine {n}\n")
            theirs.append(foreign)
        live = (built.out / MANIFEST).read_bytes()
        built.write("content/posts/b.md", post(f"B, take {n}", date="2024-03-06"))
        assert built.build().exit_code == 0
        kept, now = read_manifest(spare), read_manifest(built.out)
        assert set(kept.files) == set(now.files)
        assert kept.foreign == now.foreign == tuple(sorted(theirs))
        if not foreign and n:  # nothing of anyone else's changed: the very file that was live
            assert (spare / MANIFEST).read_bytes() == live
        for rel in (*kept.files, *theirs):
            assert (spare / rel).is_file(), rel
    # The previous tree serves the next build as well as an empty folder does.
    built.write("content/posts/a.md", post("A again"))
    assert built.build().exit_code == 0
    clean = built.root / "clean"
    assert built.build("--clean", "--output", str(clean)).exit_code == 0
    skipped = {*theirs, MANIFEST}
    ours = {rel: data for rel, data in snapshot(built.out).items() if rel not in skipped}
    assert ours == {rel: data for rel, data in snapshot(clean).items() if rel != MANIFEST}


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_a_build_that_changes_nothing_writes_nothing_not_even_the_manifest(
    built: SiteMaker,
) -> None:
    """Folders left unmarked by a build (written moments before its end) are marked by
    none of the builds that change nothing, which leave every file as it was, manifest and
    all; a file added by hand is found and named in the manifest all the same."""
    from thoughtgen.incremental.manifest import MANIFEST, read_manifest, write_manifest

    before = read_manifest(built.out)
    old = time.time_ns() - 3_000_000_000  # settled long ago
    for folder in _folders(built.out):
        os.utime(built.out / folder, ns=(old, old))
    # Every folder marked as it is now (a mark that no longer holds is a reason to rewrite
    # the manifest), but two at the top, as if written too late to be marked.
    unmarked = {folder: old for folder in _folders(built.out)}
    dropped = sorted(folder for folder in unmarked if "/" not in folder)[:2]
    for folder in dropped:
        del unmarked[folder]
    write_manifest(built.out, before.files, unmarked, before.inputs, before.foreign)
    stamps = _stamps(built.out)
    for _ in range(2):
        assert built.build().exit_code == 0
        assert _stamps(built.out) == stamps
    assert not set(dropped) & set(read_manifest(built.out).folders)
    (built.out / "tags" / "notes.txt").write_text("mine\n")
    assert built.build().exit_code == 0
    assert read_manifest(built.out).foreign == ("tags/notes.txt",)
    assert _stamps(built.out)[MANIFEST] != stamps[MANIFEST]
