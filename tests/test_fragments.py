"""``{% cache post %}``: a part of a template made once per post, never stale.

The default archive caches each month's list. Whatever sequence of edits a writer makes
while serving, the output equals a clean build's; a block that could show something stale
(it reads a name that is not its key) fails the build with its template's path and line.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ARCHIVE, NOW, REPO, SiteMaker, output_files, post
from test_calendar_report import make_post

from thoughtgen.build import BuildOptions, build
from thoughtgen.fragments import FragmentCache
from thoughtgen.incremental.views import ReadingEnvironment, Reads, reading
from thoughtgen.session import BuildSession

CACHED = {
    "attributes": "{% for p in posts %}{% cache p %}<p>{{ p.title }} {{ p.word_count }} "
    "{{ url(p.url) }}</p>{% endcache %}{% endfor %}",
    "printed whole": "{% for p in posts %}{% cache p %}<pre>{{ p }}</pre>{% endcache %}"
    "{% endfor %}",
    "a month and a post": "{% for p in posts %}{% cache p, month %}<p>{{ month }}: "
    "{{ p.summary }}</p>{% endcache %}{% endfor %}",
    "a key that is not a post": "{% for p in posts %}{% cache p, p.tags %}<p>{{ p.tags|length }}"
    " {{ p.title }}</p>{% endcache %}{% endfor %}",
    "a month of posts": "{% cache month, posts %}<h3>{{ month }}</h3>{% for p in posts %}"
    "<p>{{ p.title }} {{ p.word_count }}</p>{% endfor %}{% endcache %}",
    "a list that is not of posts": "{% cache month, posts, posts|map(attribute='title')|list %}"
    "{% for p in posts %}"
    "<p>{{ p.title }}</p>{% endfor %}{% endcache %}",
    "nested": "{% for p in posts %}{% cache p %}{% cache p %}<b>{{ p.title }}</b>{% endcache %}"
    "<i>{{ p.reading_minutes }}</i>{% endcache %}{% endfor %}",
}


def options(site: SiteMaker, out: Path, **extra: object) -> BuildOptions:
    return BuildOptions(site_dir=site.root, output_dir=out, now=NOW, accept_new_ids=True, **extra)  # type: ignore[arg-type]


def source(n: int, title: str, words: int, summary: str = "") -> str:
    body = " ".join(["Keep showing up."] * words)
    return post(title, f"2024-0{1 + n % 3}-{n + 1:02d} 09:00", body, summary=f'"{summary}"')


@pytest.mark.parametrize("how", sorted(CACHED))
def test_cached_parts_follow_every_edit_while_serving(
    site: SiteMaker, tmp_path: Path, how: str
) -> None:
    site.config()
    site.write("themes/default/templates/archive.html", ARCHIVE.format(body=CACHED[how]))
    for n in range(6):
        site.write(f"content/posts/p{n}.md", source(n, f"Post {n}", 1))
    served = tmp_path / "served"
    build(options(site, served))
    rng = random.Random(how)
    warm = BuildSession(options(site, served))
    try:
        warm.prime()
        assert warm.warm
        for step in range(10):
            n = rng.randrange(6)
            words, title = rng.randint(1, 400), rng.choice([f"Post {n}", f"Step {step}"])
            path = site.write(
                f"content/posts/p{n}.md", source(n, title, words, rng.choice(["", "A summary"]))
            )
            warm.rebuild([path])
            clean = tmp_path / f"clean{step}"
            build(options(site, clean, clean=True, use_cache=False, jobs=1))
            assert output_files(served) == output_files(clean), f"step {step}"
    finally:
        warm.close()


def test_the_default_archive_keeps_its_bytes(site: SiteMaker, tmp_path: Path) -> None:
    """The cache block in the default archive changes nothing in what it makes."""
    site.config()
    for n in range(4):
        site.write(f"content/posts/p{n}.md", source(n, f"Post <{n}> & co", 3))
    assert site.build().exit_code == 0
    archive = site.page("archive/index.html")
    site.write("themes/default/templates/archive.html", _uncached_archive())
    assert site.build("--clean").exit_code == 0
    assert site.page("archive/index.html") == archive
    assert "Post &lt;1&gt; &amp; co" in archive


def _uncached_archive() -> str:
    text = (REPO / "themes/default/templates/archive.html").read_text(encoding="utf-8")
    assert "{% cache month, posts %}" in text
    return text.replace("  {% cache month, posts %}\n", "").replace("  {% endcache %}\n", "")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{% cache p %}{{ loop.index }} {{ p.title }}{% endcache %}", "loop"),
        ("{% cache p %}{{ site.title }}{% endcache %}", "site"),
        ("{% cache p.title %}{{ p.date }}{% endcache %}", "p"),
        ("{% cache p %}{{ month }}{% endcache %}", "month"),
        ("{% cache %}{{ p.title }}{% endcache %}", None),
        ('{% cache p %}{% include "404.html" %}{% endcache %}', "include"),
        (
            '{% cache p %}{% if p %}{% import "base.html" as b %}{% endif %}{% endcache %}',
            "include",
        ),
    ],
)
def test_a_block_that_reads_what_is_not_its_key_fails_the_build(
    site: SiteMaker, body: str, named: str | None
) -> None:
    site.config()
    site.write("content/posts/p0.md", source(0, "Post 0", 1))
    assert site.build().exit_code == 0
    before = output_files(site.out)
    template = ARCHIVE.format(body="{% for p in posts %}" + body + "{% endfor %}")
    site.write("themes/default/templates/archive.html", template)
    result = site.build()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    line = template.splitlines().index(next(x for x in template.splitlines() if "cache" in x))
    assert f"themes/default/templates/archive.html:{line + 1}: template error: " in result.output
    if named is None:
        assert "the cache block needs a key: {% cache post %}" in result.output
    elif named == "include":
        assert "a cache block cannot include or import another template" in result.output
    else:
        assert f"the cache block reads {named}" in result.output
    assert output_files(site.out) == before


def test_what_a_block_read_stays_its_own() -> None:
    """A page that reads more of a post than a cached block did never adds it to what the
    block is remembered to have read (the next page showing the block would compare more)."""
    env = ReadingEnvironment(extensions=[FragmentCache], autoescape=True)
    template = env.from_string(
        "{% cache p %}{{ p.title }}{% endcache %}{{ p.date }}{% cache p %}{% endcache %}"
    )
    one = replace(make_post("2024-05-01 09:00"), title="One")
    for _ in range(3):  # made once, then handed back twice
        with reading() as reads:
            assert template.render(p=one).startswith("One2024-05-01")
        assert reads == {one.source: {"title", "date"}}
    made = sorted(sorted(found[1].get(one.source) or ()) for found in _made(env).values())
    assert made == [[], ["title"]]


def _made(env: ReadingEnvironment) -> dict[tuple[object, ...], tuple[str, Reads, list[object]]]:
    (extension,) = (e for e in env.extensions.values() if isinstance(e, FragmentCache))
    return extension.made
