"""The registers' CSV files as rows: encoding detected, rows numbered as a spreadsheet shows
them (the header is row 1), and cells read into typed values or a problem in the user's words."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from application.imports import RowProblem

T = TypeVar("T")

BOM = b"\xef\xbb\xbf"
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
"""Bytes windows-1252 leaves undefined; latin-1 reads them as control characters."""


class NotAnExtract(ValueError):
    """A file that is not the extract it was given as (wrong columns, not CSV at all)."""


@dataclass(frozen=True)
class Extract(Generic[T]):
    """Every data row of a file as a record, and the problems found in its cells."""

    records: list[T]

    @property
    def problems(self) -> list[RowProblem]:
        return [p for record in self.records for p in getattr(record, "problems", ())]


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else windows-1252, which is latin-1 with
    typographic quotes where latin-1 has control characters: what GIAS and Excel write."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    text = data.decode("cp1252", errors="surrogateescape")
    return text.translate({0xDC00 + byte: byte for byte in CP1252_UNDEFINED})


def rows(text: str, *, what: str, required: tuple[str, ...],
         blank_words: tuple[str, ...] = ()) -> Iterator[Cells]:
    """The data rows after the header, blank rows left out; ``blank_words`` (lower case)
    are read as empty cells. Raises NotAnExtract if a required column is missing, or if the
    text cannot be read as CSV."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header, header_row = _header(reader, required[0])
        missing = [name for name in required if name not in header]
        if missing:
            raise NotAnExtract(
                f"This is not {what}: it has no column "
                + ", ".join(repr(name) for name in missing)
            )
        for number, values in enumerate(reader, start=header_row + 1):
            if not any(value.strip() for value in values):
                continue
            yield Cells(number, header, values, blank_words)
    except csv.Error as error:
        raise NotAnExtract(
            f"This is not {what}: row {reader.line_num} cannot be read as CSV ({error})"
        ) from None


TITLE_LINES = 5
"""At most this many lines above the header: Ofsted's 2015-19 files open with a title."""


def _header(reader: Iterator[list[str]], first_column: str) -> tuple[list[str], int]:
    """The header (the first row naming ``first_column``, after at most TITLE_LINES title
    lines) and its row number; the first row if none names it, for the message."""
    first: list[str] | None = None
    for number, values in enumerate(reader, start=1):
        names = [name.strip() for name in values]
        if first is None:
            first = names
        if first_column in names:
            return names, number
        if number > TITLE_LINES:
            break
    return first or [], 1


class Cells:
    """One row's cells by column name. A cell that cannot be read adds a problem to the row
    and reads as None, so that every problem of a row is reported at once."""

    def __init__(self, row: int, header: list[str], values: list[str],
                 blank_words: tuple[str, ...] = ()) -> None:
        self.row = row
        self.problems: list[RowProblem] = []
        self.blank_words = blank_words
        if len(values) != len(header):
            self.problems.append(RowProblem(
                row, None, f"has {len(values)} cells where the header has {len(header)}; "
                           "look for a stray comma or quote mark",
            ))
        self._values = dict(zip(header, values, strict=False))

    def has(self, column: str) -> bool:
        """Whether the file has the column at all."""
        return column in self._values

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.row, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self._values.get(column, "").strip()
        if value.lower() in self.blank_words:
            value = ""
        if required and not value:
            self.problem(column, "is empty")
        return value

    def whole_number(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if not re.fullmatch(r"\d+", value):
            self.problem(column, f"{value!r} is not a whole number")
            return None
        return int(value)

    def urn(self, column: str, *, required: bool = True) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if not re.fullmatch(r"\d{6}", value):
            self.problem(column, f"{value!r} is not a URN (a six-digit number)")
            return None
        return int(value)

    def date(self, column: str, *, shown_as: str, required: bool = False) -> date | None:
        """A day written dd-mm-yyyy or dd/mm/yyyy (or yyyy-mm-dd, as a re-saved file may);
        ``shown_as`` is how the file's publisher writes it, for the message."""
        value = self.text(column, required=required)
        if not value:
            return None
        found = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})", value)
        iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        try:
            if found:
                return date(int(found[3]), int(found[2]), int(found[1]))
            if iso:
                return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
        self.problem(column, f"{value!r} is not a date ({shown_as})")
        return None
