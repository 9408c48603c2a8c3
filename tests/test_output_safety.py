"""The output folder under real conditions: modes, locks, two builds at once, readers polling
during builds, read-only folders, a full disk, a symlinked output, leftovers of killed builds.

Builds run as real processes; the disk-full case uses a real, small tmpfs.
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW
from output_support import build_command, edit, leftovers, make_site, run_build, tree

import thoughtgen.output.tree as tree_module
from thoughtgen.build import BuildOptions, build
from thoughtgen.incremental.manifest import read_manifest
from thoughtgen.output.atomic import TEMP_SUFFIX
from thoughtgen.output.lock import WAIT_VARIABLE, output_lock
from thoughtgen.output.tree import DIRTY


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def clean_tree(site: Path, out: Path, *args: str) -> dict[str, bytes]:
    ok(run_build(site, "--clean", "--output", str(out), *args))
    return tree(out)


def test_new_folders_and_files_get_the_modes_of_the_users_umask(tmp_path: Path) -> None:
    site = make_site(tmp_path, 3)
    (site / "content" / "static" / "note.txt").chmod(0o600)
    for mask, folder_mode, file_mode in ((0o022, 0o755, 0o644), (0o002, 0o775, 0o664)):
        shutil.rmtree(site / "public", ignore_errors=True)
        subprocess.run(
            build_command(site),
            check=True,
            capture_output=True,
            preexec_fn=lambda m=mask: os.umask(m),
        )
        public = site / "public"
        assert stat.S_IMODE(public.stat().st_mode) == folder_mode
        assert stat.S_IMODE((public / "posts").stat().st_mode) == folder_mode
        assert stat.S_IMODE((public / "index.html").stat().st_mode) == file_mode
        assert stat.S_IMODE((public / "note.txt").stat().st_mode) == file_mode
        edit(site, 0, f"mask {mask}")  # an incremental build keeps to the same modes
        subprocess.run(
            build_command(site),
            check=True,
            capture_output=True,
            preexec_fn=lambda m=mask: os.umask(m),
        )
        assert stat.S_IMODE(public.stat().st_mode) == folder_mode
        assert stat.S_IMODE((public / "posts/p0/index.html").stat().st_mode) == file_mode


def test_a_second_build_waits_then_says_who_holds_the_lock(tmp_path: Path) -> None:
    site = make_site(tmp_path, 3)
    ok(run_build(site))
    before = tree(site / "public")
    edit(site, 1, "changed")
    with output_lock(site / "public"):
        started = time.monotonic()
        result = run_build(site, env={WAIT_VARIABLE: "1"})
        waited = time.monotonic() - started
    assert result.returncode == 1
    assert f"another thoughtgen is building here (pid {os.getpid()}, started " in result.stderr
    assert "Traceback" not in result.stderr
    assert waited >= 1
    assert tree(site / "public") == before
    ok(run_build(site))  # the lock went with its holder
    assert "changed" in (site / "public/posts/p1/index.html").read_text()


def test_two_builds_at_once_end_with_one_whole_build(tmp_path: Path) -> None:
    site = make_site(tmp_path, 60)
    ok(run_build(site))
    for round_number in range(4):
        edit(site, round_number, f"round {round_number}")
        urls = ("https://one.example/", "https://two.example/")
        processes = [
            subprocess.Popen(
                build_command(site, "--base-url", url, "--accept-new-ids"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for url in urls
        ]
        errors = [p.communicate(timeout=120)[1] for p in processes]
        assert [p.returncode for p in processes] == [0, 0], errors
        live = tree(site / "public")
        expected = [
            clean_tree(site, tmp_path / f"clean{i}", "--base-url", u) for i, u in enumerate(urls)
        ]
        assert live in expected
        assert leftovers(site) == []


def test_readers_never_miss_files_thoughtgen_did_not_write(tmp_path: Path) -> None:
    site = make_site(tmp_path, 40)
    ok(run_build(site))
    public = site / "public"
    (public / "CNAME").write_text("blog.example.com\n")
    (public / ".git").mkdir()
    (public / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (public / ".nojekyll").write_text("")
    missing: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            for rel in ("CNAME", ".git/HEAD", ".nojekyll", "index.html"):
                if not os.path.exists(public / rel):
                    missing.append(rel)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for round_number in range(12):
            edit(site, round_number % 40, f"poll {round_number}")
            args = ["--clean"] if round_number % 4 == 3 else []
            ok(run_build(site, *args))
    finally:
        stop.set()
        poller.join()
    assert missing == []
    assert (public / "CNAME").read_text() == "blog.example.com\n"


def test_files_put_in_the_output_while_a_build_writes_stay_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file added or changed in the live folder between a build's start and its swap is
    live afterwards, whether its folder was known to hold only thoughtgen's files or not."""
    site = make_site(tmp_path, 6)
    ok(run_build(site))
    public = site / "public"
    (public / "CNAME").write_text("old.example.com\n")
    (public / ".git").mkdir()
    (public / ".git" / "HEAD").write_text("ref: refs/heads/old\n")
    marked: dict[str, int] = {}
    # Folders that hold only our files and sat still are marked so when a build writes the
    # manifest. A build that changes nothing writes it only when the files added by hand
    # changed, so each round adds one. While the sources are in the racy window, a build goes
    # the whole way instead, and the folders of a tree it has just made are not marked yet:
    # the rounds go on (on a slow machine, a few) until a build finds nothing to do.
    deadline = time.monotonic() + 60
    for round_ in itertools.count():
        long_ago = time.time() - 3600
        for folder, _dirs, _files in os.walk(public):
            os.utime(folder, (long_ago, long_ago))
        (public / f"by-hand-{round_}.txt").write_text("mine\n")
        ok(run_build(site))
        marked = read_manifest(public).folders
        if any(f.count("/") >= 1 for f in marked) or time.monotonic() > deadline:
            break
    deep = next(f for f in sorted(marked) if f.count("/") >= 1)
    edit(site, 2, "second")
    made = {
        "CNAME": "new.example.com\n",  # known, changed
        ".git/HEAD": "ref: refs/heads/new\n",  # mirrored, changed
        ".git/ORIG_HEAD": "abc\n",  # mirrored, new
        f"{deep}/notes.txt": "mine\n",  # new, in a folder that held only our files
        "top.txt": "top\n",  # new, at the top
    }
    real = tree_module.exchange_folders

    def write_by_hand_then_swap(*args: Any) -> None:  # the last moment before the swap
        for rel, text in made.items():
            (public / rel).write_text(text)
        real(*args)

    monkeypatch.setattr(tree_module, "exchange_folders", write_by_hand_then_swap)
    result = build(BuildOptions(site_dir=site, now=NOW))
    assert result.report.written >= 1
    for rel, text in made.items():
        assert (public / rel).read_text() == text, rel
    assert "second" in (public / "index.html").read_text()
    assert leftovers(site) == []


class ReadOnly:
    """Makes a folder read-only for real: a read-only bind mount as root (who ignores file
    modes), else its mode."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.mode = folder.stat().st_mode

    def __enter__(self) -> None:
        if os.geteuid() == 0:
            folder = str(self.folder)
            subprocess.run(["mount", "--bind", folder, folder], check=True)
            subprocess.run(["mount", "-o", "remount,ro,bind", folder, folder], check=True)
        else:
            self.folder.chmod(0o555)

    def __exit__(self, *exc: object) -> None:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(self.folder)], check=True)
        else:
            self.folder.chmod(self.mode)


def can_bind_mount(tmp_path: Path) -> bool:
    if os.geteuid() != 0:
        return True
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["mount", "--bind", str(probe), str(probe)], capture_output=True)
    if done.returncode == 0:
        subprocess.run(["umount", str(probe)], check=True)
    return done.returncode == 0


def test_a_read_only_output_folder_fails_before_anything_changes(tmp_path: Path) -> None:
    if not can_bind_mount(tmp_path):
        pytest.skip("cannot make a read-only bind mount here")
    site = make_site(tmp_path, 5)
    ok(run_build(site))
    public = site / "public"
    (public / "CNAME").write_text("blog.example.com\n")
    before = tree(public)
    edit(site, 2, "changed")
    for folder in (public, site):  # the output, then the folder holding it
        with ReadOnly(folder):
            result = run_build(site)
        assert result.returncode == 1
        assert "read-only" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.splitlines()[0].startswith(str(public))
        assert tree(public) == before
    ok(run_build(site))
    assert "changed" in (public / "posts/p2/index.html").read_text()
    assert (public / "CNAME").read_text() == "blog.example.com\n"


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() == 0:
        command = ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)]
        if subprocess.run(command, capture_output=True).returncode != 0:
            pytest.skip("cannot mount a tmpfs here")
        yield mount
        subprocess.run(["umount", "-l", str(mount)], check=False)
    else:
        pytest.skip("mounting a small file system needs root")


def used_bytes(folder: Path) -> int:
    info = os.statvfs(folder)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def test_a_full_disk_fails_before_the_swap_and_frees_what_it_took(
    tmp_path: Path, small_disk: Path
) -> None:
    site = make_site(tmp_path, 20)
    out = small_disk / "public"
    ok(run_build(site, "--output", str(out)))
    (out / "CNAME").write_text("blog.example.com\n")
    edit(site, 1, "second")
    ok(run_build(site, "--output", str(out)))  # now the previous tree exists too
    before, used = tree(out), used_bytes(small_disk)
    big = site / "content" / "static" / "big.bin"
    big.write_bytes(os.urandom(4 * 1024 * 1024))
    edit(site, 3, "third")
    for args in ((), ("--clean",)):
        result = run_build(site, "--output", str(out), *args)
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert "No space left on device" in lines[0] and "free some disk space" in lines[0]
        assert "Traceback" not in result.stderr
        assert tree(out) == before
        assert used_bytes(small_disk) <= used + 64 * 1024
        assert leftovers(small_disk) == []
    big.unlink()
    ok(run_build(site, "--output", str(out)))
    assert "third" in (out / "posts/p3/index.html").read_text()
    assert (out / "CNAME").read_text() == "blog.example.com\n"


def test_a_symlinked_output_is_built_into_its_target_every_time(tmp_path: Path) -> None:
    site = make_site(tmp_path, 5)
    webroot = tmp_path / "www" / "blog"
    webroot.mkdir(parents=True)
    (site / "public").symlink_to(webroot)
    for round_number in range(4):
        edit(site, 0, f"round {round_number}")
        ok(run_build(site))
        assert (site / "public").is_symlink()
        assert os.readlink(site / "public") == str(webroot)
        assert f"round {round_number}" in (webroot / "posts/p0/index.html").read_text()


def test_leftovers_of_killed_builds_are_cleared_and_never_published(tmp_path: Path) -> None:
    site = make_site(tmp_path, 5)
    ok(run_build(site))
    edit(site, 0, "again")
    ok(run_build(site))  # the previous tree now exists
    spare = site / ".public.previous"
    # A killed build left its marker and half-written files in the tree it was staging,
    (spare / DIRTY).touch()
    (spare / "posts" / f".index.html{TEMP_SUFFIX}").write_text("half")
    # and older versions left a temporary tree and a swap marker beside the output.
    legacy = site / ".public.tmp-abc123"
    (legacy / "posts").mkdir(parents=True)
    (legacy / "posts" / "index.html").write_text("old temporary tree")
    (site / ".public.swapping").touch()
    edit(site, 1, "later")
    ok(run_build(site))
    assert leftovers(site) == []
    assert not [p for p in (site / "public").rglob("*") if TEMP_SUFFIX in p.name]
    clean = tmp_path / "clean"
    assert tree(site / "public") == clean_tree(site, clean)
