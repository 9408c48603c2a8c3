"""Series: the part list on each post, the /series/<slug>/ page, errors, and the post context."""

from __future__ import annotations

from pathlib import Path

import extruct
import lxml.html
from conftest import SiteMaker, assert_same_as_clean, post

from thoughtgen.build import BuildOptions, read_site
from thoughtgen.render import HtmlRenderer
from thoughtgen.series import collect_series
from thoughtgen.theme import find_theme


def write_series(site: SiteMaker) -> None:
    # Files named against the reading order, so order can only come from series_part.
    site.write(
        "content/posts/a-finale.md",
        post("The Finale", "2024-01-01 09:00", series="Hiring Well", series_part=3),
    )
    site.write(
        "content/posts/b-opening.md",
        post(
            "The Opening",
            "2024-03-01 09:00",
            series="hiring well",
            series_part=1,
            summary="Where it starts.",
        ),
    )
    site.write(
        "content/posts/c-middle.md",
        post("The Middle", "2024-02-01 09:00", series="Hiring Well", series_part=2),
    )
    site.write("content/posts/d-other.md", post("Something Else", "2024-02-15 09:00"))


def tree(site: SiteMaker, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(site.page(rel))


def resolves(site: SiteMaker, href: str) -> bool:
    assert href.startswith("/")
    return (site.out / href.lstrip("/") / "index.html").is_file()


def test_each_part_shows_its_place_and_links_every_other_part(site: SiteMaker) -> None:
    write_series(site)
    result = site.build()
    assert result.exit_code == 0, result.output
    titles = ["The Opening", "The Middle", "The Finale"]
    slugs = ["b-opening", "c-middle", "a-finale"]
    for number, slug in enumerate(slugs, start=1):
        nav = tree(site, f"posts/{slug}/index.html").xpath(
            ".//nav[contains(@class, 'series-nav')]"
        )[0]
        heading = nav.xpath(".//*[contains(@class, 'series-title')]")[0]
        assert heading.text_content() == f"Part {number} of 3 in Hiring Well"
        assert heading.xpath(".//em")[0].text == "Hiring Well"
        assert resolves(site, heading.xpath(".//a")[0].get("href"))
        items = nav.xpath("./ol/li")
        assert [li.text_content().strip() for li in items] == titles
        for index, li in enumerate(items, start=1):
            if index == number:
                assert li.xpath(".//a") == []
                assert li.xpath(".//*[@aria-current='page']")[0].text == titles[index - 1]
            else:
                link = li.xpath(".//a")[0]
                assert link.get("aria-current") is None
                assert link.get("href") == f"/posts/{slugs[index - 1]}/"
                assert resolves(site, link.get("href"))
    other = site.page("posts/d-other/index.html")
    assert "series-nav" not in other


def test_the_series_page_lists_the_parts_in_order_with_dates_and_summaries(
    site: SiteMaker,
) -> None:
    write_series(site)
    assert site.build().exit_code == 0
    page = tree(site, "series/hiring-well/index.html")
    assert page.xpath(".//h1")[0].text == "Hiring Well"
    cards = page.xpath(".//ol[contains(@class, 'series-list')]/li")
    assert [c.xpath(".//h2//a")[0].text for c in cards] == [
        "The Opening",
        "The Middle",
        "The Finale",
    ]
    assert [c.xpath(".//time")[0].get("datetime")[:10] for c in cards] == [
        "2024-03-01",
        "2024-02-01",
        "2024-01-01",
    ]
    assert "Where it starts." in cards[0].text_content()
    for card in cards:
        assert resolves(site, card.xpath(".//h2//a")[0].get("href"))
    assert "https://example.com/series/hiring-well/" in site.page("sitemap.xml")
    data = extruct.extract(site.page("series/hiring-well/index.html"), syntaxes=["json-ld"])
    (series,) = data["json-ld"]
    assert series["@type"] == "CreativeWorkSeries"
    assert series["url"] == "https://example.com/series/hiring-well/"
    assert [p["url"] for p in series["hasPart"]] == [
        "https://example.com/posts/b-opening/",
        "https://example.com/posts/c-middle/",
        "https://example.com/posts/a-finale/",
    ]


def test_without_part_numbers_parts_follow_their_dates(site: SiteMaker) -> None:
    site.write("content/posts/z.md", post("First", "2024-01-01 09:00", series="Notes"))
    site.write("content/posts/y.md", post("Second", "2024-01-08 09:00", series="Notes"))
    site.write(
        "content/posts/x.md", post("Numbered", "2024-02-01 09:00", series="Notes", series_part=1)
    )
    assert site.build().exit_code == 0
    nav = tree(site, "posts/y/index.html").xpath(".//nav[contains(@class, 'series-nav')]")[0]
    assert (
        nav.xpath(".//*[contains(@class, 'series-title')]")[0].text_content()
        == "Part 3 of 3 in Notes"
    )
    assert [li.text_content().strip() for li in nav.xpath(".//li")] == [
        "Numbered",
        "First",
        "Second",
    ]


def test_two_posts_claiming_one_part_is_an_error_at_the_line(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", series="Tips", series_part=2))
    site.write("content/posts/b.md", post("B", series="tips", series_part=2))
    site.write("content/posts/c.md", post("C", series="Other", series_part=2))
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/posts/b.md:5: part 2 of series 'tips' is also content/posts/a.md; "
        "give each part its own series_part"
    )
    assert "Traceback" not in result.output
    assert not site.out.exists()


def test_only_listed_posts_count(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", series="Tips", series_part=1))
    site.write("content/posts/b.md", post("B", series="Tips", series_part=1, draft="true"))
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Part 1 of 1 in" in site.page("posts/a/index.html")
    assert site.build("--drafts").exit_code == 1


def test_a_series_name_without_letters_is_an_error(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", series='"!!!"'))
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/posts/a.md:4: series '!!!' has no letters or digits to make its URL from; "
        "give it a name with some"
    )


def test_series_names_are_escaped(site: SiteMaker) -> None:
    name = '"<b>Tips & Tricks</b>"'
    site.write("content/posts/a.md", post("A", series=name))
    site.write("content/posts/b.md", post("B", "2024-04-01 09:00", series=name))
    assert site.build().exit_code == 0
    for rel in ("posts/a/index.html", "series/b-tips-tricks-b/index.html"):
        text = site.page(rel)
        assert "<b>" not in text
        assert "&lt;b&gt;Tips &amp; Tricks&lt;/b&gt;" in text


def test_the_post_context_carries_what_is_part_of_needs(site: SiteMaker) -> None:
    write_series(site)
    found = read_site(BuildOptions(site_dir=site.root, now="2026-01-01"))
    renderer = HtmlRenderer(found, find_theme(site.root, found.config.theme), site.root)
    contexts = {url: ctx for template, url, ctx in renderer.plan() if template == "post.html"}
    place = contexts["posts/c-middle/"]["series"]
    assert (place.name, place.url, place.number, place.total, place.index) == (
        "Hiring Well",
        "series/hiring-well/",
        2,
        3,
        1,
    )
    assert [p.title for p in place.parts] == ["The Opening", "The Middle", "The Finale"]
    assert place.previous.title == "The Opening" and place.next.title == "The Finale"
    assert contexts["posts/d-other/"]["series"] is None
    assert [s.slug for s in collect_series(found.posts).series] == ["hiring-well"]


def test_incremental_builds_follow_changes_to_other_parts(site: SiteMaker) -> None:
    write_series(site)
    assert site.build().exit_code == 0
    site.write(
        "content/posts/b-opening.md",
        post("A New Opening", "2024-03-01 09:00", series="Hiring Well", series_part=1),
    )
    site.write(
        "content/posts/e-coda.md",
        post("Coda", "2024-04-01 09:00", series="Hiring Well", series_part=4),
    )
    assert site.build().exit_code == 0
    middle = site.page("posts/c-middle/index.html")
    assert "A New Opening" in middle and "Part 2 of 4 in" in middle
    assert_same_as_clean(site)
    (site.root / "content/posts/e-coda.md").unlink()
    site.write("content/posts/a-finale.md", post("The Finale", "2024-01-01 09:00"))
    assert site.build().exit_code == 0
    assert "Part 2 of 2 in" in site.page("posts/c-middle/index.html")
    assert "The Finale" not in site.page("series/hiring-well/index.html")
    assert_same_as_clean(site)


def test_two_starter_posts_form_a_series(starter_build: Path) -> None:
    page = lxml.html.fromstring(
        (starter_build / "posts/give-before-you-ask/index.html").read_text(encoding="utf-8")
    )
    title = page.xpath(
        ".//nav[contains(@class, 'series-nav')]//*[contains(@class, 'series-title')]"
    )[0].text_content()
    assert title == "Part 2 of 2 in Networking Foundations"
    series_page = starter_build / "series/networking-foundations/index.html"
    assert series_page.is_file()
    listed = lxml.html.fromstring(series_page.read_text(encoding="utf-8"))
    assert [a.text for a in listed.xpath(".//ol[contains(@class, 'series-list')]//h2//a")] == [
        "Build Your Network Before You Need It",
        "Give Before You Ask",
    ]
