"""Reads the GIAS links file (``links_edubasealldata*.csv``) into link records."""

from __future__ import annotations

from pathlib import Path

from adapters.importers.csv_rows import Cells, Extract, OpenText, Records, file_text, table, text_of
from application.imports import LinkRecord
from domain.areas.core import one_line

WHAT = "a GIAS links file (links_edubasealldata*.csv)"
DATES = "dd-mm-yyyy"

URN = "URN"
LINK_URN = "LinkURN"
LINK_NAME = "LinkName"
LINK_TYPE = "LinkType"
ESTABLISHED = "LinkEstablishedDate"
REQUIRED = (URN, LINK_URN, LINK_NAME, LINK_TYPE, ESTABLISHED)


def read_links(path: Path) -> Extract[LinkRecord]:
    """The file's links, read from the file as they are gone through."""
    return Extract(_table(file_text(Path(path))))


def parse_links(data: bytes) -> Extract[LinkRecord]:
    """Every link of the file in hand, as a list."""
    return Extract(list(_table(text_of(data))))


def _table(open_text: OpenText) -> Records[LinkRecord]:
    """Raises NotAnExtract if the file is not a GIAS links file."""
    return table(open_text, what=WHAT, required=REQUIRED, dates=(ESTABLISHED,),
                 record=lambda cells: (_record(cells),))


def _record(cells: Cells) -> LinkRecord:
    return LinkRecord(
        row=cells.row,
        urn=cells.urn(URN),
        link_urn=cells.urn(LINK_URN),
        link_name=one_line(cells.text(LINK_NAME)),
        link_type=cells.text(LINK_TYPE, required=True),
        established_on=cells.date(ESTABLISHED, shown_as=DATES),
        problems=tuple(cells.problems),
    )
