"""How a rebuild's processes share the log out: every stream in exactly one part."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from adapters.event_scan import stream_ranges


@given(parts=st.integers(1, 64), stream=st.uuids())
def test_every_stream_falls_in_exactly_one_range(parts, stream):
    ranges = stream_ranges(parts)

    holding = [(lowest, beyond) for lowest, beyond in ranges
               if (lowest is None or stream >= lowest) and (beyond is None or stream < beyond)]
    assert len(ranges) == parts
    assert len(holding) == 1
    # The library keeps ids as their hex digits on SQLite: the ranges must hold there too.
    assert [r for r in ranges if (r[0] is None or stream.hex >= r[0].hex)
            and (r[1] is None or stream.hex < r[1].hex)] == holding


def test_the_ranges_are_even_and_cover_every_id():
    assert stream_ranges(1) == [(None, None)]
    assert stream_ranges(4) == [
        (None, UUID(int=1 << 126)), (UUID(int=1 << 126), UUID(int=2 << 126)),
        (UUID(int=2 << 126), UUID(int=3 << 126)), (UUID(int=3 << 126), None)]
