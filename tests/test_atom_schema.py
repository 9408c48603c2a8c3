"""The Atom feeds against RFC 4287, as a RELAX NG grammar (tests/schemas/atom.rng) read by lxml.

The grammar holds what a schema can say (required elements, the author rule, link attributes,
date formats); the rules it cannot say are checked here in Python.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BASE_CONFIG, SiteMaker, post
from lxml import etree

from thoughtgen.cli import main

SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
LATER = "2099-01-01 12:00"  # a fresh site's first post is dated when `init` ran: publish it


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def problems(schema: etree.RelaxNG, data: bytes) -> list[str]:
    """Every way ``data`` breaks RFC 4287, from the grammar and from the rules beside it."""
    root = etree.fromstring(data)
    found = [] if schema.validate(root) else [str(e) for e in schema.error_log]
    for item in (root, *root.findall(f"{ATOM}entry")):
        links = item.findall(f"{ATOM}link")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in links
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):  # 4.1.1, 4.1.2
            found.append(f"{item.tag}: two alternate links of one type and language")
        if item is not root and item.find(f"{ATOM}content") is None and not alternates:
            found.append("an entry without content has no alternate link")  # 4.1.2
    return found


def assert_valid(schema: etree.RelaxNG, path: Path) -> None:
    found = problems(schema, path.read_bytes())
    assert not found, (path, found)
    rels = [link.get("rel") for link in etree.parse(str(path)).getroot().findall(f"{ATOM}link")]
    assert rels[:2] == ["alternate", "self"], path


def test_a_fresh_init_site_has_a_valid_atom_feed(schema: etree.RelaxNG, tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "fresh"
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    result = runner.invoke(main, ["build", "--source", str(root), "--now", LATER])
    assert result.exit_code == 0, result.output
    atom = root / "public" / "atom.xml"
    assert etree.parse(str(atom)).getroot().findall(f"{ATOM}entry")  # not an empty feed
    assert_valid(schema, atom)


def test_the_starter_sites_atom_feed_is_valid(schema: etree.RelaxNG, starter_build: Path) -> None:
    atom = starter_build / "atom.xml"
    assert len(etree.parse(str(atom)).getroot().findall(f"{ATOM}entry")) >= 5
    assert_valid(schema, atom)


@pytest.mark.parametrize(
    "config",
    [
        "",  # the site's author named on the feed
        "feed:\n  full_content: false\n",  # summaries only: entries keep their alternate link
        "author:\n  name: Ann\n  email: ann@example.com\n  url: https://ann.example/\n",
    ],
)
def test_atom_feeds_stay_valid_across_options(
    schema: etree.RelaxNG, site: SiteMaker, config: str
) -> None:
    base = BASE_CONFIG.replace("author:\n  name: Test Author\n", "") if "author" in config else None
    site.config(extra=config, base=base or BASE_CONFIG)
    site.write("content/posts/a.md", post("A & <b>", date="2024-03-01", tags="[One, Two]"))
    site.write("content/posts/b.md", post("B", date="2024-03-02 10:30", updated="2024-04-01"))
    site.write("content/posts/c.md", post("C", date="2024-03-03", author="Guest"))
    assert site.build().exit_code == 0
    assert_valid(schema, site.out / "atom.xml")


def test_the_schema_rejects_what_rfc_4287_forbids(schema: etree.RelaxNG, site: SiteMaker) -> None:
    """The grammar can fail: each broken copy of a good feed is caught."""
    site.write("content/posts/a.md", post("A"))
    site.write("content/posts/b.md", post("B", date="2024-03-06"))
    assert site.build().exit_code == 0
    good = (site.out / "atom.xml").read_bytes()
    assert problems(schema, good) == []
    no_author = re.sub(rb"<author>.*?</author>", b"", good, flags=re.S)
    broken = {
        "no author anywhere": no_author,
        "no feed id": re.sub(rb"<id>https://example.com/atom.xml</id>", b"", good),
        "a relative id": good.replace(b"<id>https://example.com/atom.xml", b"<id>atom.xml"),
        "two titles": good.replace(b"<title>A</title>", b"<title>A</title><title>B</title>"),
        "a date without T": re.sub(rb"(<updated>\d{4}-\d\d-\d\d)T", rb"\1 ", good, count=1),
        "a link without href": good.replace(b'<link href="https://example.com/" ', b"<link "),
        "two alternate links": good.replace(
            b"</generator>", b'</generator><link href="https://example.com/x"/>'
        ),
    }
    for what, data in broken.items():
        assert data != good, what
        assert problems(schema, data), what
    # ...while an author on every entry is enough (RFC 4287, 4.1.1).
    each = no_author.replace(b"<entry>", b"<entry><author><name>Ann</name></author>")
    assert problems(schema, each) == []
    one = no_author.replace(b"<entry>", b"<entry><author><name>Ann</name></author>", 1)
    assert problems(schema, one)
