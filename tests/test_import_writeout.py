"""Whatever a reader hands over, the files the importer writes build."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgen.config import parse_config
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.writeout import plan_files
from thoughtgen.parse import ParsedItem, parse_source, shared_renderer

CONFIG = parse_config("title: T\nbase_url: https://example.com/\n")

texts = st.text(max_size=60)
dates = (
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    )
    | st.none()
)
docs = st.builds(
    ImportedDoc,
    kind=st.sampled_from(["post", "page"]),
    source=st.just("export/x.html"),
    slug=st.text(max_size=300),
    title=texts,
    body=st.text(max_size=200),
    date=dates,
    updated=dates,
    draft=st.booleans(),
    tags=st.lists(texts, max_size=4),
    summary=texts,
    old_urls=st.lists(st.sampled_from(["/a/", "/2013/05/x.html", "/p/x", "/?p=1", "/x y/"])),
    guid=st.sampled_from(["", "https://old.example.org/?p=12", "tag:a,2013:/x"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(docs, min_size=1, max_size=5))
def test_every_written_post_and_page_builds(found_docs: list[ImportedDoc]) -> None:
    found = SourceSite("test", base_url="https://example.com/", docs=found_docs)
    plan = plan_files(found, CONFIG, {})
    assert not [n for n in plan.notes if "will not build" in n.message], plan.notes
    texts_written = [f for f in plan.files if f.path.endswith(".md")]
    assert len(texts_written) == len(found_docs)
    assert len({f.path for f in texts_written}) == len(found_docs)  # never two on one path
    for planned, doc in zip(texts_written, found_docs, strict=True):
        item = parse_source(planned.path, doc.kind, planned.data, UTC, shared_renderer())
        assert isinstance(item, ParsedItem), item
        if doc.date is not None and doc.kind == "post":
            assert item.date == doc.date
        assert item.unpublished == (doc.draft or (doc.kind == "post" and doc.date is None))
        if doc.guid:
            assert item.guid == doc.guid


def test_dates_keep_their_offset() -> None:
    when = datetime(2013, 5, 6, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    doc = ImportedDoc("post", "a.md", "a", "A", "Body.", date=when)
    plan = plan_files(SourceSite("t", docs=[doc]), CONFIG, {})
    text = plan.files[0].data.decode()
    assert "date: 2013-05-06 10:00:00+02:00\n" in text
