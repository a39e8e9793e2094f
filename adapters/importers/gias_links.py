"""Reads the GIAS links file (``links_edubasealldata*.csv``) into link records."""

from __future__ import annotations

from pathlib import Path

from adapters.importers.csv_rows import Cells, Extract, decode, rows
from application.imports import LinkRecord

WHAT = "a GIAS links file (links_edubasealldata*.csv)"
DATES = "dd-mm-yyyy"

URN = "URN"
LINK_URN = "LinkURN"
LINK_NAME = "LinkName"
LINK_TYPE = "LinkType"
ESTABLISHED = "LinkEstablishedDate"
REQUIRED = (URN, LINK_URN, LINK_NAME, LINK_TYPE, ESTABLISHED)


def read_links(path: Path) -> Extract[LinkRecord]:
    return parse_links(Path(path).read_bytes())


def parse_links(data: bytes) -> Extract[LinkRecord]:
    """Every link of the file; raises NotAnExtract if the columns are not GIAS's links."""
    return Extract([_record(cells) for cells in rows(decode(data), what=WHAT, required=REQUIRED,
                                                      dates=(ESTABLISHED,))])


def _record(cells: Cells) -> LinkRecord:
    return LinkRecord(
        row=cells.row,
        urn=cells.urn(URN),
        link_urn=cells.urn(LINK_URN),
        link_name=cells.text(LINK_NAME),
        link_type=cells.text(LINK_TYPE, required=True),
        established_on=cells.date(ESTABLISHED, shown_as=DATES),
        problems=tuple(cells.problems),
    )
