"""Bad input: every problem in every file is reported as path:line, exit 1, output untouched."""

from __future__ import annotations

from conftest import SiteMaker, post, snapshot


def test_every_bad_file_is_reported_with_its_line_and_nothing_is_lost(site: SiteMaker) -> None:
    site.write("content/posts/good.md", post("Good"))
    assert site.build().exit_code == 0
    before = snapshot(site.out)

    site.write(
        "content/posts/broken-yaml.md", "---\ntitle: Fine\ntags: [a, b\ndate: 2024-01-01\n---\nx\n"
    )
    site.write("content/posts/no-title.md", "---\ndate: 2024-01-01\n---\nbody\n")
    site.write("content/posts/bad-date.md", post("Bad date", date="2024-02-30"))
    site.write("content/posts/garbled-date.md", post("Garbled", date="next tuesday"))
    site.write("content/posts/latin1.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    site.write("content/posts/list.md", "---\n- just\n- a list\n---\nbody\n")
    site.write("content/posts/slashy.md", post("Slashy", slug="a/b"))
    site.write("content/posts/dots.md", post("Dots", slug="'..'"))
    site.write("content/posts/no-date.md", "---\ntitle: Undated\n---\nbody\n")
    site.write("content/posts/open.md", "---\ntitle: Never closed\n")
    site.write("content/posts/plain.md", "Just text, no front matter.\n")

    result = site.build()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    expected = [
        "content/posts/bad-date.md:3: 'date': date '2024-02-30' does not exist "
        "(day is out of range for month)",
        "content/posts/broken-yaml.md:3: the list opened with '[' on line 3 is not closed: "
        "add ']' after its last item",
        "content/posts/dots.md:4: slug '..' contains '..'",
        "content/posts/garbled-date.md:3: 'date': cannot read date 'next tuesday'; write it as "
        "2024-03-05, 2024-03-05 14:30 or 2024-03-05T14:30:00+02:00",
        "content/posts/latin1.md:2: not UTF-8 text (byte 0xe9); save it as UTF-8",
        "content/posts/list.md:2: front matter must be a mapping of key: value",
        "content/posts/no-date.md:1: missing 'date' (e.g. date: 2024-03-05 09:00), "
        "or mark the post 'draft: true'",
        "content/posts/no-title.md:1: missing 'title'",
        "content/posts/open.md:1: front matter is not closed: add a '---' line after it",
        "content/posts/plain.md:1: no front matter: the file must start with a '---' line",
        "content/posts/slashy.md:4: slug 'a/b' contains a slash; a slug is one URL segment",
    ]
    assert lines[:-1] == expected
    assert lines[-1] == "Error: 11 problems; nothing was written."
    assert "Traceback" not in result.output
    assert snapshot(site.out) == before


def test_two_posts_with_one_url_name_both_files(site: SiteMaker) -> None:
    site.write("content/posts/2023/hello.md", post("Hello one"))
    site.write("content/posts/2024/hello.md", post("Hello two"))
    result = site.build()
    assert result.exit_code == 1
    assert (
        "content/posts/2024/hello.md:1: /posts/hello/ is also the URL of "
        "content/posts/2023/hello.md; give one of them another slug"
    ) in result.stderr


def test_a_page_and_a_generated_page_cannot_share_a_path(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("content/pages/tags.md", "---\ntitle: Tags page\n---\nMine.\n")
    result = site.build()
    assert result.exit_code == 1
    assert "/tags/index.html is produced by both" in result.stderr


def test_bom_and_crlf_are_accepted(site: SiteMaker) -> None:
    text = "\ufeff---\r\ntitle: Windows post\r\ndate: 2024-01-02\r\ntags: a, b\r\n---\r\nHi\r\n"
    site.write("content/posts/win.md", text.encode("utf-8"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Windows post" in site.page("posts/win/index.html")


def test_line_numbers_count_crlf_files_correctly(site: SiteMaker) -> None:
    site.write("content/posts/win.md", b"---\r\ntitle: X\r\n\r\ndate: 2024-13-01\r\n---\r\n")
    result = site.build()
    assert "content/posts/win.md:4: 'date': date '2024-13-01' does not exist" in result.stderr


def test_typo_keys_are_warnings_with_lines(site: SiteMaker) -> None:
    site.write(
        "content/posts/t.md",
        "---\ntittle: Oops\ntitle: Real\ndate: 2024-01-01\ntag: career\nmood: happy\n---\nx\n",
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/posts/t.md:2: unknown key 'tittle'; did you mean 'title'?" in result.stderr
    assert "content/posts/t.md:5: unknown key 'tag'; did you mean 'tags'?" in result.stderr
    assert "mood" not in result.stderr  # other keys are the author's own, kept in extra


def test_wrong_types_in_front_matter(site: SiteMaker) -> None:
    site.write(
        "content/posts/t.md",
        "---\ntitle: [a, b]\ndate: 2024-01-01\ndraft: maybe\n"
        "tags: {a: 1}\nstatus: someday\n---\nx\n",
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "content/posts/t.md:2: 'title' must be text, got list",
        "content/posts/t.md:4: 'draft' must be true or false, got 'maybe'",
        "content/posts/t.md:5: 'tags' must be a list of names or one comma-separated string",
        "content/posts/t.md:6: 'status' must be one of idea, draft, published; got 'someday'",
    ]


def test_template_typo_names_template_and_line(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("themes/default/templates/page.html", "{% extends '!default/page.html' %}")
    site.write("content/pages/about.md", "---\ntitle: About\n---\nMe.\n")
    site.write(
        "themes/default/templates/404.html",
        "{% extends 'base.html' %}\n{% block content %}\n<p>{{ site.titel }}</p>\n{% endblock %}\n",
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "themes/default/templates/404.html:3: template error while rendering /404.html"
    )
    assert "titel" in result.stderr


def test_template_syntax_error_names_template_and_line(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write(
        "themes/default/templates/tags.html",
        "{% extends 'base.html' %}\n{% block content %}\n{% for x in %}\n{% endblock %}\n",
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.startswith("themes/default/templates/tags.html:3: template error: ")


def test_no_config_is_a_clear_error(tmp_path) -> None:
    from click.testing import CliRunner

    from thoughtgen.cli import main

    result = CliRunner().invoke(main, ["build", "--source", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("thoughtgen.yaml: no thoughtgen.yaml in ")


def test_a_draft_cannot_claim_a_published_posts_url(site: SiteMaker) -> None:
    site.write("content/posts/hello.md", post("Hello"))
    site.write("content/posts/drafts/hello.md", post("Hello again", date=None, draft="true"))
    result = site.build()
    assert result.exit_code == 1
    assert "content/posts/hello.md:1: /posts/hello/ is also the URL of" in result.stderr
