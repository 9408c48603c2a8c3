"""The look at the output that a build takes while it reads the site (``output.survey``), in
a forked process (``parallel.Beside``): real forks, real files, real builds.

Whatever was done to the live output or to the spare tree beside it (files changed by
hand in place or replaced, deleted, touched, added; the spare's manifest or the whole spare
gone), the look taken in another process is the one taken here, and a build that uses it
equals a clean build, then and at the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import output_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from output_support import build_command, edit, leftovers, make_site, run_build

from thoughtgen.incremental.manifest import MANIFEST, read_manifest
from thoughtgen.output.survey import Survey, spare_path, survey
from thoughtgen.parallel import Beside

JOBS = {"THOUGHTGEN_JOBS": "2"}  # so that the build may fork, on any machine


def build(site: Path, *args: str) -> None:
    done = run_build(site, *args, env=JOBS)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def looked_at_beside(output: Path) -> Survey | None:
    manifest = read_manifest(output)
    data = Beside(lambda: survey(output, manifest).encode()).result()
    return None if data is None else Survey.decode(data)


def assert_same_look(before: Survey, beside: Survey | None, after: Survey) -> None:
    """``beside`` saw what looks taken in-process just before and just after it saw. Only the
    folder marks depend on the moment of a look (a folder is marked once it has sat still
    for the racy window), so while nothing changes they may only be added to."""
    assert beside is not None

    def unmarked(look: Survey) -> Survey:
        return replace(look, live=replace(look.live, marks={}))

    assert unmarked(before) == unmarked(beside) == unmarked(after)
    assert before.live.marks.items() <= beside.live.marks.items() <= after.live.marks.items()


# -- the forked task --------------------------------------------------------------------------
def test_a_task_beside_gives_back_all_its_bytes() -> None:
    for size in (0, 1, 65_536, 5_000_000):  # more than a pipe holds: read while it writes
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        assert Beside(lambda data=data: data).result() == data


def test_a_failing_task_beside_gives_nothing_and_prints_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def fail() -> bytes:
        raise OSError("no such folder")

    assert Beside(fail).result() is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_task_beside_is_stopped_when_nobody_waits_for_it() -> None:
    job = Beside(lambda: time.sleep(60) or b"late")
    pid = job._pid
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):  # stopped and reaped: no zombie is left
        os.waitpid(pid, os.WNOHANG)
    job.cancel()  # twice is harmless
    assert job.result() is None


def test_a_build_stopped_while_it_reads_leaves_no_process_behind(tmp_path: Path) -> None:
    """Ctrl-C during the reading: the look at the output ends with the build."""
    site = make_site(tmp_path, posts=400)
    build(site)
    for number in range(400):
        edit(site, number, "second")
    proc = subprocess.Popen(
        build_command(site), env={**os.environ, **JOBS}, stderr=subprocess.PIPE, text=True
    )
    children: list[str] = []
    deadline = time.monotonic() + 30
    while not children and proc.poll() is None and time.monotonic() < deadline:
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
    assert children, "the build should be reading, beside its look at the output"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(running(int(pid)) for pid in children):
        time.sleep(0.05)
    assert not any(running(int(pid)) for pid in children)
    build(site)  # and the next build is whole
    build(site, "--clean", "--output", str(tmp_path / "clean"))
    assert output_files(site / "public") == output_files(tmp_path / "clean")


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_build_takes_its_look_in_another_process_and_sees_what_looking_here_sees(
    tmp_path: Path,
) -> None:
    """In a process of its own (as ``thoughtgen build`` is: no other thread running)."""
    site = make_site(tmp_path, posts=6)
    build(site)
    edit(site, 1, "second")
    build(site)
    (site / "public" / "extra.txt").write_text("mine\n")
    (site / "public" / "index.html").write_text("changed by hand\n")
    script = textwrap.dedent(
        """
        import json, os, sys
        from pathlib import Path
        import thoughtgen.output.survey as survey_module
        from thoughtgen.incremental.manifest import read_manifest
        output = Path(sys.argv[1])
        manifest = read_manifest(output)
        real = survey_module.survey
        def survey_noting_where(*args):
            Path(sys.argv[2]).write_text(str(os.getpid()))
            return real(*args)
        survey_module.survey = survey_noting_where
        before = real(output, manifest)
        with survey_module.Surveying(output, manifest, 2) as surveying:
            beside = surveying.result()
        after = real(output, manifest)
        looks = [look.encode().decode() if look else None for look in (before, beside, after)]
        print(json.dumps({"looks": looks, "pid": os.getpid()}))
        """
    )
    where = tmp_path / "pid"
    done = subprocess.run(
        [sys.executable, "-c", script, str(site / "public"), str(where)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    before, beside, after = (
        None if look is None else Survey.decode(look.encode()) for look in found["looks"]
    )
    assert before is not None and after is not None
    assert_same_look(before, beside, after)
    assert int(where.read_text()) != found["pid"]
    assert after.live.damaged == frozenset({"index.html"})
    assert after.live.foreign == ["extra.txt"]
    assert after.spare is not None


# -- whatever happened to the output and its spare ----------------------------------------------
TAMPERING = st.sampled_from(
    (
        "edit live in place",
        "replace live",
        "delete live",
        "touch live",
        "add to live",
        "add to a new live folder",
        "replace spare",
        "edit spare in place",
        "delete spare",
        "add to spare",
        "drop the spare's manifest",
        "drop the spare",
    )
)


def tamper(site: Path, how: str, pick: int) -> None:
    public, spare = site / "public", spare_path(site / "public")
    ours = sorted(p for p in read_manifest(public).files if (public / p).is_file())
    theirs = sorted(read_manifest(spare).files) if spare.is_dir() else []
    live_file = public / ours[pick % len(ours)]
    spare_file = spare / theirs[pick % len(theirs)] if theirs else None
    if how == "edit live in place":  # writes through a hard link: the spare's copy too
        with live_file.open("ab") as handle:
            handle.write(b"<!-- by hand -->")
    elif how == "replace live":
        live_file.unlink()
        live_file.write_bytes(b"by hand\n")
    elif how == "delete live":
        live_file.unlink()
    elif how == "touch live":
        os.utime(live_file, (1_000_000_000, 1_000_000_000))
    elif how == "add to live":
        (live_file.parent / f"mine-{pick}.txt").write_text("mine\n")
    elif how == "add to a new live folder":
        (public / f"kept-{pick}").mkdir(exist_ok=True)
        (public / f"kept-{pick}" / "a.txt").write_text("mine too\n")
    elif spare_file is not None and spare_file.is_file():
        if how == "replace spare":
            spare_file.unlink()
            spare_file.write_bytes(b"stale\n")
        elif how == "edit spare in place":  # the live copy too, when they are one file
            with spare_file.open("ab") as handle:
                handle.write(b"<!-- spare -->")
        elif how == "delete spare":
            spare_file.unlink()
        elif how == "add to spare":
            (spare_file.parent / f"left-{pick}.txt").write_text("left\n")
    if how == "drop the spare's manifest" and spare.is_dir():
        (spare / MANIFEST).unlink(missing_ok=True)
    elif how == "drop the spare" and spare.is_dir():
        shutil.rmtree(spare)


def planted_in_spare(site: Path) -> dict[str, bytes]:
    """Files the tampering added to the spare tree, where no build put them."""
    spare = spare_path(site / "public")
    if not spare.is_dir():
        return {}
    return {rel: data for rel, data in output_files(spare).items() if "left-" in rel}


def added_by_hand(public: Path) -> dict[str, bytes]:
    """Files the tampering added to the live output: a build keeps them as they are."""
    return {
        rel: data
        for rel, data in output_files(public).items()
        if rel.rsplit("/", 1)[-1].startswith("mine-") or rel.startswith("kept-")
    }


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rounds=st.lists(
        st.tuples(
            st.lists(st.tuples(TAMPERING, st.integers(0, 500)), min_size=1, max_size=4),
            st.booleans(),  # whether a post changes too
        ),
        min_size=1,
        max_size=3,
    )
)
def test_after_any_tampering_a_build_equals_a_clean_build(
    tmp_path_factory: pytest.TempPathFactory,
    rounds: list[tuple[list[tuple[str, int]], bool]],
) -> None:
    root = tmp_path_factory.mktemp("survey")
    site = make_site(root, posts=6)
    public = site / "public"
    build(site)
    edit(site, 0, "second")
    build(site)  # a spare tree now stands beside the output
    for number, (tampering, edit_post) in enumerate(rounds):
        for how, pick in tampering:
            tamper(site, how, pick)
        manifest = read_manifest(public)
        before = survey(public, manifest)
        assert_same_look(before, looked_at_beside(public), survey(public, manifest))
        kept = added_by_hand(public)
        planted = planted_in_spare(site)
        if edit_post:
            edit(site, 1 + number % 5, f"round{number}")
        build(site)
        clean = root / f"clean-{number}"
        build(site, "--clean", "--output", str(clean))
        made = {rel: data for rel, data in output_files(public).items() if rel not in kept}
        assert made == output_files(clean), f"after {tampering}"
        assert added_by_hand(public) == kept
        set_aside = [name for name in leftovers(site) if ".previous.kept-" in name]
        assert sorted(leftovers(site)) == set_aside
        if planted:  # never published, never deleted (set aside once a build stages there)
            assert not planted.keys() & output_files(public).keys()
            holder = site / set_aside[0] if set_aside else spare_path(public)
            assert planted.items() <= output_files(holder).items()
        for name in set_aside:
            shutil.rmtree(site / name)
    shutil.rmtree(root)


def test_the_look_says_what_it_saw(tmp_path: Path) -> None:
    site = make_site(tmp_path, posts=6)
    build(site)
    edit(site, 2, "second")
    build(site)
    public = site / "public"
    spare = spare_path(public)
    manifest = read_manifest(public)
    assert survey(public, manifest).live.damaged == frozenset()
    first = survey(public, manifest).spare
    assert first is not None
    assert first.missing == frozenset() and first.only == ()
    assert "index.html" in first.differs  # the spare holds the build before: other bytes
    (public / "index.html").write_text("by hand\n")
    (spare / "tags" / "t0" / "index.html").unlink()
    (public / "top.txt").write_text("mine\n")
    seen = survey(public, manifest)
    assert seen.live.damaged == {"index.html"}
    assert seen.live.foreign == ["top.txt"]
    assert seen.spare is not None and "tags/t0/index.html" in seen.spare.differs
    assert Survey.decode(seen.encode()) == seen
    shutil.rmtree(spare)
    assert survey(public, manifest).spare is None


KILLED_IN_COMPLETE = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import thoughtgen.output.tree as tree_module
    from thoughtgen.build import BuildOptions, build
    def die(*_args):  # as SIGKILL would, once the pages are written into the spare
        os._exit(9)
    tree_module.StagingTree.complete = die
    build(BuildOptions(site_dir=Path(sys.argv[1]), now=sys.argv[2]))
    """
)


def test_pages_of_a_killed_build_are_not_published_once_their_post_is_gone(
    tmp_path: Path,
) -> None:
    """A build killed after writing a new post's page into the spare tree: once the post is
    deleted, the next build publishes exactly a clean build, not that page of a post that
    no longer exists."""
    site = make_site(tmp_path, posts=6)
    build(site)
    edit(site, 1, "second")
    build(site)  # a spare tree stands beside the output
    edit(site, 40, "new")  # a page at a place the spare's manifest does not know
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_IN_COMPLETE, str(site), "2026-11-22 12:00"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr
    spare = spare_path(site / "public")
    written = [rel for rel in output_files(spare) if rel.startswith("posts/p40/")]
    assert written, "the killed build wrote the new post's page into the spare"
    (site / "content" / "posts" / "p40.md").unlink()
    edit(site, 2, "third")  # so that the next build stages a tree, in that spare
    build(site)
    assert not (site / "public" / "posts" / "p40").exists()
    build(site, "--clean", "--output", str(tmp_path / "clean"))
    assert output_files(site / "public") == output_files(tmp_path / "clean")
    assert leftovers(site) == []


@pytest.mark.parametrize("its_manifest", ["kept", "gone"])
def test_files_put_in_the_spare_tree_are_set_aside_not_published(
    tmp_path: Path, its_manifest: str
) -> None:
    """Whether or not the spare tree still has its manifest: without one, the files it has
    in common with the live output go, and a file no build wrote is kept all the same."""
    site = make_site(tmp_path, posts=6)
    build(site)
    edit(site, 1, "second")
    build(site)
    spare = spare_path(site / "public")
    (spare / "posts").mkdir(exist_ok=True)
    (spare / "posts" / "draft-notes.txt").write_text("mine\n")
    if its_manifest == "gone":
        (spare / MANIFEST).unlink()
    edit(site, 2, "third")
    loud = [arg for arg in build_command(site) if arg != "--quiet"]
    done = subprocess.run(
        loud, capture_output=True, text=True, timeout=120, env={**os.environ, **JOBS}
    )
    assert done.returncode == 0, done.stderr
    assert "set aside because it holds files thoughtgen did not write" in done.stderr
    assert not (site / "public" / "posts" / "draft-notes.txt").exists()
    (kept,) = (name for name in leftovers(site) if ".previous.kept-" in name)
    assert (site / kept / "posts" / "draft-notes.txt").read_text() == "mine\n"
    build(site, "--clean", "--output", str(tmp_path / "clean"))
    assert output_files(site / "public") == output_files(tmp_path / "clean")
