"""Reads a GIAS establishment extract (``edubasealldata*.csv``) into register records."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from adapters.importers.csv_rows import Cells, Extract, OpenText, file_text, table, text_of
from application.imports import SchoolRecord
from domain.areas.core import one_line
from domain.areas.register import NO_RELIGIOUS_CHARACTER

WHAT = "a GIAS establishment extract (edubasealldata*.csv)"
DATES = "dd-mm-yyyy"

URN = "URN"
NAME = "EstablishmentName"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
NUMBER = "EstablishmentNumber"
TYPE = "TypeOfEstablishment (name)"
TYPE_GROUP = "EstablishmentTypeGroup (name)"
STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
OPENED = "OpenDate"
CLOSED = "CloseDate"
PUPILS = "NumberOfPupils"
RELIGIOUS_CHARACTER = "ReligiousCharacter (name)"
REQUIRED = (URN, NAME, LA_CODE, TYPE, TYPE_GROUP, STATUS, PHASE, OPENED, CLOSED, PUPILS,
            RELIGIOUS_CHARACTER)
"""The columns a register must have; the extract's many others (addresses, heads, trusts...)
are ignored."""
READ = (*REQUIRED, LA_NAME, NUMBER)
"""Every column a record is read from."""

MAINTAINED_GROUPS = ("Local authority maintained schools", "LA maintained schools",
                     "Special schools")
""""LA maintained schools" is the wording of extracts to about 2019."""
ACADEMY_GROUPS = ("Academies", "Free Schools")
PUPIL_REFERRAL_UNIT = "pupil referral unit"


LAST_CHANGED = "LastChangedDate"
EXTRACT_NAME = re.compile(r"edubasealldata(\d{4})(\d{2})(\d{2})", re.IGNORECASE)
"""GIAS names its daily extract for the day it was made: edubasealldata20261120.csv."""


def read_establishments(path: Path) -> Extract[SchoolRecord]:
    """The extract's establishments, read from the file as they are gone through."""
    return _extract(file_text(Path(path)), Path(path).name)


def parse_establishments(data: bytes, *, name: str = "") -> Extract[SchoolRecord]:
    """Every establishment of the extract in hand, as a list."""
    extract = _extract(text_of(data), name)
    return Extract(list(extract.records), extract.extract_on)


def _extract(open_text: OpenText, name: str) -> Extract[SchoolRecord]:
    """The establishments and the day of the extract: from its name, or else the last day
    any of its rows changed. Raises NotAnExtract if the file is not a GIAS extract."""
    records = table(open_text, what=WHAT, required=REQUIRED, dates=(OPENED, CLOSED),
                    latest_of=LAST_CHANGED, keep=READ, record=lambda cells: (_record(cells),))
    named = EXTRACT_NAME.search(name)
    extract_on = (date(int(named[1]), int(named[2]), int(named[3])) if named
                  else records.shape.latest)
    return Extract(records, extract_on)


def governance(type_group: str, establishment_type: str) -> tuple[str | None, str | None]:
    """(governance, why the LA keeps no case file on it) from the GIAS type group and type.

    The "Special schools" group holds academies and free schools (their types say so),
    non-maintained special schools (charities) and, in some years, independent special
    schools besides the LA's own (domain.md). Pupil referral units are kept, but are not
    maintained schools in the sense of EIA 2006 s59(1), so the intervention powers do not
    reach them.
    """
    kind = establishment_type.lower()
    if type_group in ACADEMY_GROUPS:
        return "academy", None
    if type_group in MAINTAINED_GROUPS:
        if kind.startswith("non-maintained") or "independent" in kind:
            return None, establishment_type
        if "academy" in kind or kind.startswith("free school"):
            return "academy", None
        if kind.startswith(PUPIL_REFERRAL_UNIT):
            return PUPIL_REFERRAL_UNIT, None
        return "maintained", None
    return None, type_group


def _record(cells: Cells) -> SchoolRecord:
    type_group = cells.text(TYPE_GROUP, required=True)
    establishment_type = cells.text(TYPE, required=True)
    governs, not_kept = governance(type_group, establishment_type) if type_group else (None, None)
    religious_character = cells.text(RELIGIOUS_CHARACTER)
    return SchoolRecord(
        row=cells.row,
        urn=cells.urn(URN),
        name=one_line(cells.text(NAME, required=True)),
        la_code=cells.text(LA_CODE, required=True),
        la_name=cells.text(LA_NAME),
        establishment_number=cells.text(NUMBER),
        establishment_type=establishment_type,
        type_group=type_group,
        status=cells.text(STATUS),
        phase=cells.text(PHASE, required=True),
        governance=governs,
        opened_on=cells.date(OPENED, shown_as=DATES),
        closed_on=cells.date(CLOSED, shown_as=DATES),
        pupils=cells.whole_number(PUPILS),
        religious_character=(
            None if religious_character.lower() in NO_RELIGIOUS_CHARACTER else religious_character
        ),
        not_kept=not_kept,
        problems=tuple(cells.problems),
    )
