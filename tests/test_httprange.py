"""The Range header, read as RFC 9110 says: one range answered, anything else the whole file."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from thoughtgen.httprange import UNSATISFIABLE, Part, requested_range

sizes = st.integers(min_value=0, max_value=10**12)


@given(header=st.one_of(st.none(), st.text(max_size=40)), size=sizes)
def test_any_header_gives_a_part_inside_the_file_or_none_or_416(
    header: str | None, size: int
) -> None:
    found = requested_range(header, size)
    if isinstance(found, Part):
        assert 0 <= found.start < found.stop <= size == found.size
        assert found.content_range == f"bytes {found.start}-{found.stop - 1}/{size}"
    else:
        assert found is None or found is UNSATISFIABLE


@given(size=sizes, first=sizes, length=sizes)
def test_first_last_is_those_bytes_clipped_at_the_end(size: int, first: int, length: int) -> None:
    last = first + length
    found = requested_range(f"bytes={first}-{last}", size)
    if first >= size:
        assert found is UNSATISFIABLE
    else:
        assert found == Part(first, min(last + 1, size), size)
    assert requested_range(f"bytes={last + 1}-{first}", size) is None  # backwards: ignored


@given(size=sizes, first=sizes)
def test_open_ended_is_the_rest_of_the_file(size: int, first: int) -> None:
    found = requested_range(f"bytes={first}-", size)
    assert found == (Part(first, size, size) if first < size else UNSATISFIABLE)


@given(size=sizes, suffix=sizes)
def test_a_suffix_is_the_last_bytes(size: int, suffix: int) -> None:
    found = requested_range(f"bytes=-{suffix}", size)
    if suffix == 0 or size == 0:
        assert found is UNSATISFIABLE
    else:
        assert found == Part(max(0, size - suffix), size, size)


def test_what_the_server_may_ignore_is_the_whole_file() -> None:
    for header in ["", "bytes=", "bytes=-", "bytes=0-1,4-5", "items=0-5", "bytes=a-b", "0-5"]:
        assert requested_range(header, 100) is None, header
    assert requested_range("Bytes=0-9", 100) == Part(0, 10, 100)  # the unit is any case
