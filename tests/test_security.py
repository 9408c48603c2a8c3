"""Nothing outside the site is published or read, odd files never hang or crash a build,
and hostile text is escaped wherever it lands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SiteMaker, post


def _names(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_links_out_of_the_site_are_not_published(site: SiteMaker, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret\n")
    site.write("content/posts/a.md", post("A"))
    static = site.root / "content" / "static"
    static.mkdir(parents=True)
    (static / "passwd").symlink_to("/etc/passwd")
    (static / "etc").symlink_to("/etc")
    (static / "secret.txt").symlink_to("../../../secret.txt")
    site.write("content/shared.css", "body {}\n")
    (static / "inside.css").symlink_to("../shared.css")  # stays in the site: followed

    result = site.build()

    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert "content/static/passwd: a link to a file outside the site; not published" in warnings
    assert "content/static/etc: a link to a folder outside the site; not published" in warnings
    assert "content/static/secret.txt: a link to a file outside the site; not published" in warnings
    published = _names(site.out)
    assert not {"passwd", "etc", "secret.txt"} & published
    assert site.page("inside.css") == "body {}\n"
    assert "top secret" not in "".join(
        p.read_text(errors="replace") for p in site.out.rglob("*") if p.is_file()
    )


def test_links_out_of_the_site_in_posts_and_pages_are_not_read(
    site: SiteMaker, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.md").write_text(post("Leaked"))
    site.write("content/posts/a.md", post("A"))
    (site.root / "content/posts/leak.md").symlink_to(outside / "leak.md")
    (site.root / "content/posts/more").symlink_to(outside)
    site.write("content/pages/about.md", "---\ntitle: About\n---\nHi\n")
    (site.root / "content/pages/leak.md").symlink_to(outside / "leak.md")

    result = site.build()

    assert result.exit_code == 0, result.output
    for rel in ("content/posts/leak.md", "content/pages/leak.md"):
        assert f"{rel}: a link to a file outside the site; not published" in result.stderr
    assert "content/posts/more: a link to a folder outside the site; not published" in (
        result.stderr
    )
    assert "Leaked" not in "".join(p.read_text() for p in site.out.rglob("*.html"))


def test_a_theme_link_out_of_the_site_is_not_published(site: SiteMaker, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("private key\n")
    site.config("theme: mine\n")
    site.write("themes/mine/static/extra.css", "p {}\n")
    (site.root / "themes/mine/static/key").symlink_to(tmp_path / "key")
    (site.root / "themes/mine/templates").mkdir()
    (site.root / "themes/mine/templates/passwd.html").symlink_to("/etc/passwd")
    site.write("content/posts/a.md", post("A"))

    result = site.build()

    assert result.exit_code == 0, result.output
    assert "themes/mine/static/key: a link to a file outside the site; not used" in result.stderr
    assert (
        "themes/mine/templates/passwd.html: a link to a file outside the site; not used"
        in result.stderr
    )
    assert (site.out / "theme/extra.css").is_file()
    assert not (site.out / "theme/key").exists()


def test_a_link_loop_in_content_neither_hangs_nor_crashes(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    (site.root / "content/posts/loop").symlink_to(".")
    (site.root / "content/static").mkdir(parents=True)
    (site.root / "content/static/up").symlink_to("..")
    (site.root / "content/static/one").symlink_to("two")
    (site.root / "content/static/two").symlink_to("one")

    result = site.build()

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "content/posts/loop: a link to a folder that contains it; skipped" in result.stderr
    assert "content/static/up: a link to a folder that contains it; skipped" in result.stderr
    assert "content/static/one: cannot read: Too many levels of symbolic links; skipped" in (
        result.stderr
    )


def test_a_pipe_in_static_is_skipped_not_opened(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("content/static/ok.txt", "fine\n")
    os.mkfifo(site.root / "content/static/pipe")

    result = site.build()  # opening the pipe would block forever

    assert result.exit_code == 0, result.output
    assert (
        "content/static/pipe: not a regular file (a pipe, socket or device); not published"
        in result.stderr
    )
    assert (site.out / "ok.txt").is_file()
    assert not (site.out / "pipe").exists()


def test_a_post_that_cannot_be_read_is_an_error(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    (site.root / "content/posts/gone.md").symlink_to("missing.md")

    result = site.build()

    assert result.exit_code == 1
    assert "content/posts/gone.md: cannot read: No such file or directory" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_post_without_read_permission_is_an_error(site: SiteMaker) -> None:
    path = site.write("content/posts/locked.md", post("Locked"))
    path.chmod(0)
    try:
        result = site.build()
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert "content/posts/locked.md: cannot read: Permission denied" in result.stderr


@pytest.mark.parametrize("folder", ["posts", "pages", "static"])
def test_a_file_name_that_is_not_utf8_is_reported_safely(site: SiteMaker, folder: str) -> None:
    site.write("content/posts/a.md", post("A"))
    target = site.root / "content" / folder
    target.mkdir(parents=True, exist_ok=True)
    fd = os.open(os.fsencode(target) + b"/caf\xe9.md", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, post("Cafe").encode())
    os.close(fd)

    result = site.build()

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"content/{folder}/caf\\xe9.md: the file name is not valid UTF-8; rename it"
        in result.stderr.splitlines()
    )
