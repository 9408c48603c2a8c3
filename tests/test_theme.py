"""Themes: the site's own templates override the bundled default and can extend it."""

from __future__ import annotations

from conftest import SiteMaker, post


def test_site_without_themes_uses_the_bundled_default(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    assert site.build().exit_code == 0
    assert (site.out / "theme" / "style.css").is_file()
    assert '<a class="skip-link" href="#main">' in site.page("index.html")


def test_override_one_template_and_extend_the_default_version(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write(
        "themes/default/templates/post.html",
        '{% extends "!default/post.html" %}\n'
        '{% block content %}<p class="mine">Mine first</p>{{ super() }}{% endblock %}\n',
    )
    site.write("themes/default/static/extra.css", "p { color: red; }")
    assert site.build().exit_code == 0
    page = site.page("posts/a/index.html")
    assert '<p class="mine">Mine first</p>' in page
    assert '<h1 class="p-name">A</h1>' in page  # the default's block content is still there
    assert '<a class="skip-link"' in page  # and its base layout
    assert (site.out / "theme" / "extra.css").is_file()
    assert (site.out / "theme" / "style.css").is_file()


def test_named_theme_falls_back_to_default_for_missing_templates(site: SiteMaker) -> None:
    site.config(extra="theme: plain\n")
    site.write("content/posts/a.md", post("A"))
    site.write(
        "themes/plain/templates/base.html",
        '<!DOCTYPE html><html lang="en"><head><title>{{ config.title }}</title></head>'
        "<body>{% block content %}{% endblock %}</body></html>\n",
    )
    site.write("themes/plain/static/style.css", "body { margin: 0 }")
    assert site.build().exit_code == 0
    page = site.page("posts/a/index.html")
    assert "skip-link" not in page and '<h1 class="p-name">A</h1>' in page
    assert (site.out / "theme" / "style.css").read_text() == "body { margin: 0 }"


def test_unknown_theme_is_an_error(site: SiteMaker) -> None:
    site.config(extra="theme: fancy\n")
    site.write("content/posts/a.md", post("A"))
    result = site.build()
    assert result.exit_code == 1
    assert "theme 'fancy' not found: expected a folder themes/fancy/ in the site" in result.stderr
