"""A warm rebuild keeps a page whose templates read nothing of a post that changed.

The archive lists every post by date and title: a new paragraph in one post must not
re-render it. But however a template gets at a post (an attribute, an item, a filter that
sorts or maps by an attribute, a post printed whole or handed to a function), a page that
shows what changed is made again, and the output always equals a clean build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ARCHIVE, NOW, SiteMaker, output_files, post

from thoughtgen.build import BuildOptions, build
from thoughtgen.session import BuildSession

LONG = " ".join(["Keep showing up, and the people you met will remember."] * 60)


def make_site(site: SiteMaker) -> None:
    site.config("posts_per_page: 3\n")
    for n in range(8):
        site.write(
            f"content/posts/p{n}.md",
            post(f"Post {n}", f"2024-03-{n + 1:02d} 09:00", f"Short note {n}.", tags="[career]"),
        )


def options(site: SiteMaker, out: Path, **extra: object) -> BuildOptions:
    return BuildOptions(site_dir=site.root, output_dir=out, now=NOW, accept_new_ids=True, **extra)  # type: ignore[arg-type]


def stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def edit_and_compare(site: SiteMaker, tmp_path: Path) -> tuple[dict[str, bytes], set[str]]:
    """Serve-build, prime, lengthen post 2's body, rebuild warm; the files before and the
    paths the rebuild replaced. The output must equal a clean build's."""
    served = tmp_path / "served"
    build(options(site, served))
    before = output_files(served)
    stamps = {rel: stamp(served / rel) for rel in before}
    warm = BuildSession(options(site, served))
    try:
        warm.prime()
        assert warm.warm
        # Render once warm, so each page's reads are known, then make the edit under test.
        site.write("content/posts/p5.md", post("Post 5 again", "2024-03-06 09:00", "Note."))
        warm.rebuild([site.root / "content/posts/p5.md"])
        stamps = {rel: stamp(served / rel) for rel in before if (served / rel).exists()}
        before = output_files(served)
        site.write("content/posts/p2.md", post("Post 2", "2024-03-03 09:00", LONG, tags="[career]"))
        warm.rebuild([site.root / "content/posts/p2.md"])
    finally:
        warm.close()
    clean = tmp_path / "clean"
    build(options(site, clean, clean=True, use_cache=False, jobs=1))
    assert output_files(served) == output_files(clean)
    replaced = {rel for rel, was in stamps.items() if stamp(served / rel) != was}
    return before, replaced


def test_a_longer_body_leaves_the_listings_that_do_not_show_it(
    site: SiteMaker, tmp_path: Path
) -> None:
    make_site(site)
    _before, replaced = edit_and_compare(site, tmp_path)
    assert "posts/p2/index.html" in replaced
    # The archive shows titles and dates only; the first listing page does not hold post 2.
    assert "archive/index.html" not in replaced
    assert "index.html" not in replaced
    # Post 2's listing page shows its reading time, which the longer body changed.
    assert "page/2/index.html" in replaced


# Ways a listing gets at what a longer body changes, other than ``post.word_count``.
READS = {
    "item": "{% for p in posts %}<p>{{ p['word_count'] }}</p>{% endfor %}",
    "attr filter": "{% for p in posts %}<p>{{ p|attr('word_count') }}</p>{% endfor %}",
    "map": "<p>{{ posts|map(attribute='word_count')|join(',') }}</p>",
    "sort": "{% for p in posts|sort(attribute='word_count') %}<p>{{ p.title }}</p>{% endfor %}",
    "printed": "{% for p in posts %}<pre>{{ p }}</pre>{% endfor %}",
    "pprint": "{% for p in posts %}<pre>{{ p|pprint }}</pre>{% endfor %}",
    "joined": "<pre>{{ posts|join(' ') }}</pre>",
    "concatenated": "{% for p in posts %}<pre>{{ 'a' ~ p }}</pre>{% endfor %}",
    "a list printed": "<pre>{{ posts }}</pre>",
    "a method": "{% for p in posts %}<p>{{ '{0.word_count}'.format(p) }}</p>{% endfor %}",
    "a call's answer": "{% for p in posts %}<pre>{{ site.neighbours(p) }}</pre>{% endfor %}",
}


@pytest.mark.parametrize("how", sorted(READS))
def test_a_listing_that_reads_the_change_is_made_again(
    site: SiteMaker, tmp_path: Path, how: str
) -> None:
    make_site(site)
    site.write("themes/default/templates/archive.html", ARCHIVE.format(body=READS[how]))
    before, replaced = edit_and_compare(site, tmp_path)
    assert "archive/index.html" in replaced
    served = tmp_path / "served" / "archive/index.html"
    assert served.read_bytes() != before["archive/index.html"]


def test_a_serve_stopped_before_its_quiet_moment_leaves_a_trusted_output(
    site: SiteMaker, tmp_path: Path
) -> None:
    """A rebuild that only replaced files leaves the manifest for the quiet moment; stopped
    before it, the next build finds those files changed, and makes the clean build's site."""
    make_site(site)
    served = tmp_path / "served"
    build(options(site, served))
    warm = BuildSession(options(site, served))
    try:
        warm.prime()
        for n in range(3):
            site.write("content/posts/p2.md", post("Post 2", "2024-03-03 09:00", f"Edit {n}."))
            warm.rebuild([site.root / "content/posts/p2.md"])
    finally:
        warm.close()  # no settle: the process went away
    again = build(options(site, served))
    assert not again.report.kept_foreign
    clean = tmp_path / "clean"
    build(options(site, clean, clean=True, use_cache=False, jobs=1))
    assert output_files(served) == output_files(clean)
    assert build(options(site, served)).report.written == 0
