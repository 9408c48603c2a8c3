"""Nothing outside the site is published or read, odd files never hang or crash a build,
and hostile text is escaped wherever it lands."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

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


HOSTILE = "Q\"'<>&]]></script><script>alert(1)</script>{{ 7*7 }}"


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _hostile_site(site: SiteMaker) -> None:
    site.config(
        base=f"title: {_yaml(HOSTILE)}\n"
        f"description: {_yaml(HOSTILE)}\n"
        "base_url: https://example.com/\n"
        "timezone: Europe/Berlin\n"
        "author:\n"
        f"  name: {_yaml(HOSTILE)}\n"
        "feed:\n"
        "  full_content: true\n"
        "calendar:\n"
        "  page: true\n"
        "  ics: true\n"
    )
    fields = {
        "summary": _yaml(HOSTILE),
        "tags": f"[{_yaml(HOSTILE)}, plain]",
        "author": _yaml(HOSTILE),
        "series": _yaml(HOSTILE),
        "image": _yaml(HOSTILE),
        "canonical_url": _yaml(HOSTILE),
        "mood": _yaml(HOSTILE),
    }
    # The body is the author's own HTML by design: only its links are exercised here.
    body = 'A [link](a"b) and <a href="rel&amp;x">raw</a>.\n'
    site.write("content/posts/hostile.md", post(_yaml(HOSTILE), body=body, **fields))
    site.write("content/posts/later.md", post(_yaml(HOSTILE), date="2027-01-05 09:00"))
    site.write("content/pages/about.md", f"---\ntitle: {_yaml(HOSTILE)}\n---\nAbout.\n")


def _as_read(detail: Any) -> str:
    """What a feed reader shows for a parsed text construct."""
    return html.unescape(detail.value) if detail.type == "text/html" else detail.value


def test_hostile_text_is_escaped_wherever_it_lands(site: SiteMaker) -> None:
    from xml.etree import ElementTree

    import feedparser
    import html5lib
    import icalendar

    _hostile_site(site)
    result = site.build()
    assert result.exit_code == 0, result.output

    ns = "{http://www.w3.org/1999/xhtml}"
    for page in site.out.rglob("*.html"):
        tree = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)
        scripts = list(tree.iter(f"{ns}script"))
        assert all(s.get("type") == "application/ld+json" for s in scripts), page
        for script in scripts:
            data = json.loads(script.text or "")
            if data["@type"] == "CreativeWorkSeries":  # the series page
                assert data["name"] == HOSTILE and data["hasPart"][0]["headline"] == HOSTILE
                continue
            if data["@type"] == "WebSite":  # the home page
                assert data["name"] == data["description"] == data["author"]["name"] == HOSTILE
                continue
            assert data["headline"] == HOSTILE
            assert data["author"]["name"] == HOSTILE
            assert data["keywords"] == [HOSTILE, "plain"]
        title = tree.find(f".//{ns}title")
        assert title is not None and HOSTILE in (title.text or ""), page

    post_page = html5lib.parse(
        (site.out / "posts/hostile/index.html").read_bytes(), treebuilder="etree"
    )
    h1 = post_page.find(".//{http://www.w3.org/1999/xhtml}h1")
    assert h1 is not None and h1.text == HOSTILE
    metas = {
        m.get("property") or m.get("name"): m.get("content")
        for m in post_page.iter("{http://www.w3.org/1999/xhtml}meta")
    }
    assert metas["og:title"] == HOSTILE
    assert metas["description"] == HOSTILE
    assert metas["article:tag"] in (HOSTILE, "plain")
    links = {
        a.get("rel"): a.get("href") for a in post_page.iter("{http://www.w3.org/1999/xhtml}link")
    }
    assert links["canonical"] == HOSTILE

    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((site.out / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert feed.feed.title == HOSTILE, name
        entry = next(e for e in feed.entries if e.link.endswith("/posts/hostile/"))
        assert entry.title == HOSTILE, name
        # RSS carries the summary as HTML, Atom as text: both must read as the literal text.
        assert _as_read(entry.summary_detail) == HOSTILE, name
        assert _as_read(feed.feed.subtitle_detail) == HOSTILE, name
        if name == "feed.xml":
            assert "&lt;/script&gt;" in entry.summary
        assert [t.term for t in entry.tags] == [HOSTILE, "plain"], name
        if name == "atom.xml" or "author_detail" in entry:  # RSS names authors by email only
            assert entry.author_detail.name == HOSTILE, name
        content = entry.content[0].value if "content" in entry else ""
        assert 'href="https://example.com/posts/hostile/rel&amp;x"' in content or name == "feed.xml"

    ElementTree.fromstring((site.out / "sitemap.xml").read_bytes())
    calendar = icalendar.Calendar.from_ical((site.out / "calendar.ics").read_bytes())
    summaries = [str(e.get("summary")) for e in calendar.walk("VEVENT")]
    assert any(s.endswith(HOSTILE) for s in summaries), summaries


def test_rewritten_links_are_escaped_as_attribute_values() -> None:
    from thoughtgen.links import absolute_against, rewrite_urls

    fragment = '<a href="x">a</a> <img src=\'it&#x27;s.png\'> <a href="https://b.c/?a=1&amp;b=2">'
    broken = rewrite_urls(fragment, lambda url: url + '"><script>alert(1)</script>')
    assert "<script>" not in broken
    assert 'href="x&quot;&gt;&lt;script&gt;' in broken

    made_absolute = rewrite_urls(fragment, absolute_against("https://e.com/posts/p/", "/"))
    assert 'href="https://e.com/posts/p/x"' in made_absolute
    assert "src='https://e.com/posts/p/it&#x27;s.png'" in made_absolute
    assert 'href="https://b.c/?a=1&amp;b=2"' in made_absolute  # untouched: byte for byte
