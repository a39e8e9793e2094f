"""The registers' CSV files as rows: encoding detected, the file checked as a whole before any
row is given, rows read from disk as they are gone through (or, for a file of a register's
size, kept from the check) and numbered as a spreadsheet shows them, and cells read into typed
values or a problem in the user's words."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, TextIO, TypeVar

from application.imports import RowProblem

T = TypeVar("T")

BOM = b"\xef\xbb\xbf"
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
"""Bytes windows-1252 leaves undefined; latin-1 reads them as control characters."""


class NotAnExtract(ValueError):
    """A file that is not the extract it was given as (wrong columns, not CSV at all)."""


OpenText = Callable[[], TextIO]
"""Opens a file's text afresh, from its start."""


@dataclass(frozen=True)
class FileShape:
    """What checking a file as a whole found: its data rows (blank ones left out) and the
    latest day in the column asked about; and the cells of the columns asked to be kept, if
    the file is short enough to keep them (KEPT_AT_MOST)."""

    rows: int
    latest: date | None = None
    header: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    """The kept columns that the file has, in the order of each kept row's cells."""
    kept_rows: list[tuple[Any, ...]] | None = None
    """Each data row as (row number, its number of cells, then its cells of ``kept``)."""


KEPT_AT_MOST = 100_000
"""The most rows whose cells the whole-file check keeps, so that the records are read from
them rather than by reading the file again: a whole GIAS register (some 52,000 rows, at about
300 bytes a row for the columns read) is kept; a longer file (Ofsted's all-inspections) is read
from disk again instead, in bounded memory."""

NOT_KEPT = sys.maxsize
"""Where Cells finds a column the file has but the check did not keep: reading it fails
(IndexError) rather than passing for an empty cell. A record reading a column it does not
name in ``keep`` is a mistake in scc."""


class Records(Generic[T]):
    """A file's records, read afresh from the file each time they are gone through, so that
    a large file is never held in memory; ``len`` is its data rows, counted when it was
    checked as a whole."""

    def __init__(self, open_text: OpenText, shape: FileShape, first_column: str,
                 blank_words: tuple[str, ...], record: Callable[[Cells], Iterable[T]]) -> None:
        self._open, self.shape, self._first_column = open_text, shape, first_column
        self._blank_words, self._record = blank_words, record

    def __len__(self) -> int:
        return self.shape.rows

    def __iter__(self) -> Iterator[T]:
        shape, record = self.shape, self._record
        if shape.kept_rows is not None:
            header = list(shape.header)
            index = {name: NOT_KEPT for name in header}
            index.update((name, at) for at, name in enumerate(shape.kept))
            for number, width, *values in shape.kept_rows:
                values.append("")  # the cell of a column the file lacks (index -1)
                yield from record(Cells(number, header, values, self._blank_words, index,
                                        width=width))
            return
        with self._open() as text:
            for cells in _cells(text, self._first_column, self._blank_words):
                yield from record(cells)


@dataclass(frozen=True)
class Extract(Generic[T]):
    """Every data row of a file as a record, and the problems found in its cells."""

    records: list[T] | Records[T]
    extract_on: date | None = None
    """The day the file was extracted, where it says (its name, or its rows' last changes)."""

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


def _latin1_for_undefined(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("scc-cp1252", _latin1_for_undefined)
"""windows-1252, with the bytes it leaves undefined read as latin-1 (decode's fallback)."""

READ_AT_ONCE = 1 << 20


def file_text(path: Path) -> OpenText:
    """Opens the file as text in the encoding ``decode`` would find, found by reading the
    file a megabyte at a time rather than whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        encoding = "utf-8-sig" if f.read(len(BOM)) == BOM else "utf-8"
        f.seek(0)
        try:
            while block := f.read(READ_AT_ONCE):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    return lambda: open(path, encoding=encoding, errors="scc-cp1252", newline="")


def text_of(data: bytes) -> OpenText:
    text = decode(data)
    return lambda: io.StringIO(text, newline="")


def table(open_text: OpenText, *, what: str, required: tuple[str, ...],
          record: Callable[[Cells], Iterable[T]], blank_words: tuple[str, ...] = (),
          dates: tuple[str, ...] = (), latest_of: str | None = None,
          keep: tuple[str, ...] = ()) -> Records[T]:
    """A file's records, after checking it as a whole (check_whole_file). ``keep`` names
    every column ``record`` reads, if the check is to keep them for it (see KEPT_AT_MOST)."""
    shape = check_whole_file(open_text, what=what, required=required, dates=dates,
                             latest_of=latest_of, keep=keep)
    return Records(open_text, shape, required[0], blank_words, record)


def _cells(text: TextIO, first_column: str, blank_words: tuple[str, ...]) -> Iterator[Cells]:
    reader = csv.reader(text)
    header, header_row = _header(reader, first_column)
    index = {name: at for at, name in enumerate(header)}
    for number, values in enumerate(reader, start=header_row + 1):
        if not _filled(values):
            continue
        yield Cells(number, header, values, blank_words, index)


def check_whole_file(open_text: OpenText, *, what: str, required: tuple[str, ...],
                     dates: tuple[str, ...] = (), latest_of: str | None = None,
                     keep: tuple[str, ...] = ()) -> FileShape:
    """Raises NotAnExtract, with one message saying what is wrong and what to do, if the
    file as a whole is not of the shape expected: not CSV, columns separated by something
    other than commas, a required column missing, a header a column short or long of its
    rows, the header repeated further down, whole numbers re-saved by a spreadsheet as
    decimals, or dates written month first (US style). The cells of the columns ``keep``
    names are kept as it goes, while there are no more than KEPT_AT_MOST rows."""
    with open_text() as text:
        return _check(csv.reader(text), what, required, dates, latest_of, keep)


def _check(reader: Iterator[list[str]], what: str, required: tuple[str, ...],
           dates: tuple[str, ...], latest_of: str | None, keep: tuple[str, ...]) -> FileShape:
    latest: date | None = None
    kept_rows: list[tuple[Any, ...]] | None = [] if keep else None
    try:
        header, header_row = _header(reader, required[0])
        missing = [name for name in required if name not in header]
        if missing:
            raise NotAnExtract(_missing_columns(what, header, missing, required))
        urn_at = header.index(required[0])
        date_at = [(name, header.index(name)) for name in dates if name in header]
        latest_at = header.index(latest_of) if latest_of in header else None
        kept = tuple(name for name in keep if name in header)
        cells_kept = _cells_at([header.index(name) for name in kept])
        intern = sys.intern  # a register's cells repeat (types, phases, days): kept once each
        days: dict[str, date | None] = {}
        data_rows = 0
        misfits: dict[int, int] = {}
        month_first = day_first = None
        for number, values in enumerate(reader, start=header_row + 1):
            urn = values[urn_at].strip() if urn_at < len(values) else ""
            if not urn and not _filled(values):
                continue
            data_rows += 1
            width = len(values)
            if width != len(header):
                misfits[width] = misfits.get(width, 0) + 1
            if kept_rows is not None:
                if width < len(header):
                    values = values + [""] * (len(header) - width)
                kept_rows.append((number, width, *map(intern, cells_kept(values))))
                if data_rows > KEPT_AT_MOST:
                    kept_rows = None
            if urn == required[0] and [value.strip() for value in values] == header:
                raise NotAnExtract(
                    f"Row {number} repeats the header: the file looks like two files joined "
                    "together. Remove the second header row (and check the rows after it "
                    "belong to this file), then import it again."
                )
            if "." in urn and RESAVED_WHOLE_NUMBER.fullmatch(urn):
                raise NotAnExtract(
                    f"Whole numbers are written as decimals ({required[0]} {urn!r} in row "
                    f"{number}): a spreadsheet re-saved the file. Use the file as it was "
                    "downloaded, or save it again with those columns formatted as text."
                )
            if latest_at is not None and latest_at < len(values):
                written = values[latest_at]
                if written not in days:  # a register has a few thousand days in all
                    days[written] = _day_month_year(written.strip())
                day = days[written]
                if day is not None and (latest is None or day > latest):
                    latest = day
            # One date that can only be day first settles it: the rest need no look.
            for name, at in date_at if day_first is None else ():
                found = DAY_MONTH_YEAR.fullmatch(values[at].strip()) if at < len(values) else None
                if found and int(found[1]) > 12:
                    day_first = (number, name, found[0])
                if found and int(found[2]) > 12 and month_first is None:
                    month_first = (number, name, found[0])
    except csv.Error as error:
        raise NotAnExtract(
            f"This is not {what}: row {getattr(reader, 'line_num', '?')} cannot be read as "
            f"CSV ({error})"
        ) from None
    if misfits and max(misfits.values()) * 2 > data_rows:
        cells = max(misfits, key=lambda n: misfits[n])
        raise NotAnExtract(
            f"The header names {len(header)} columns but most rows have {cells} cells: the "
            "header is a column " + ("short" if cells > len(header) else "long")
            + ", so every cell after it would be read under the wrong column. Use the file "
            "as it was downloaded."
        )
    if month_first is not None and day_first is None:
        number, name, written = month_first
        raise NotAnExtract(
            f"Dates are written month first, US style ({name} {written!r} in row {number}), "
            "so every day and month would be swapped. Save the file with dates written day "
            "first (dd-mm-yyyy or dd/mm/yyyy) and import it again."
        )
    return FileShape(data_rows, latest, tuple(header), kept, kept_rows)


def _cells_at(places: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A row's cells at ``places``, as a tuple (itemgetter gives a lone cell bare)."""
    if not places:
        return lambda values: ()
    if len(places) == 1:
        return lambda values: (values[places[0]],)
    return itemgetter(*places)


def _filled(values: list[str]) -> bool:
    """Whether a row has any cell that is not blank (most rows' first cell says so)."""
    return bool(values and values[0].strip()) or bool("".join(values).strip())


def _day_month_year(text: str) -> date | None:
    found = DAY_MONTH_YEAR.fullmatch(text)
    try:
        return date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:
        return None


RESAVED_WHOLE_NUMBER = re.compile(r"\d+\.0+")
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _missing_columns(what: str, header: list[str], missing: list[str],
                     required: tuple[str, ...]) -> str:
    for separator, named in SEPARATORS.items():
        # a file that quotes every cell keeps the quotes of all but its first once misread
        names = [name.strip().strip('"') for cell in header for name in cell.split(separator)]
        if all(name in names for name in required):
            return (f"The columns are separated by {named}, not commas: save the file from "
                    "the spreadsheet as \"CSV (comma delimited)\" and import that.")
    return f"This is not {what}: it has no column " + ", ".join(repr(n) for n in missing)


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
                 blank_words: tuple[str, ...] = (), index: dict[str, int] | None = None, *,
                 width: int | None = None) -> None:
        """``index`` is where each column of the header is, worked out once for a file.
        ``width`` is the row's number of cells in the file when ``values`` are only the
        cells kept of it (FileShape.kept_rows, ending with an empty cell), at the places
        ``index`` gives."""
        self.row = row
        self.problems: list[RowProblem] = []
        self.blank_words = blank_words
        cells = len(values) if width is None else width
        if cells != len(header):
            self.problems.append(RowProblem(
                row, None, f"has {cells} cells where the header has {len(header)}; "
                           "look for a stray comma or quote mark",
            ))
        self._index = index if index is not None else {n: at for at, n in enumerate(header)}
        if width is None:
            # A short row is padded, and a last empty cell stands for any column the file
            # lacks (index -1), so that reading a cell needs no test. The row's own list is
            # padded, not copied: csv.reader gives each row a list of its own.
            values.extend([""] * max(1, len(header) - len(values) + 1))
        self._values = values

    def has(self, column: str) -> bool:
        """Whether the file has the column at all."""
        return column in self._index

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.row, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self._values[self._index.get(column, -1)].strip()
        if value and self.blank_words and value.lower() in self.blank_words:
            value = ""
        if required and not value:
            self.problem(column, "is empty")
        return value

    def whole_number(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if not WHOLE_NUMBER.fullmatch(value):
            self.problem(column, f"{value!r} is not a whole number")
            return None
        return int(value)

    def urn(self, column: str, *, required: bool = True) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if not SIX_DIGITS.fullmatch(value):
            self.problem(column, f"{value!r} is not a URN (a six-digit number)")
            return None
        return int(value)

    def date(self, column: str, *, shown_as: str, required: bool = False) -> date | None:
        """A day written dd-mm-yyyy or dd/mm/yyyy (or yyyy-mm-dd, as a re-saved file may);
        ``shown_as`` is how the file's publisher writes it, for the message."""
        value = self.text(column, required=required)
        if not value:
            return None
        day = _day_written(value)
        if day is None:
            self.problem(column, f"{value!r} is not a date ({shown_as})")
        return day


WHOLE_NUMBER = re.compile(r"\d+")
SIX_DIGITS = re.compile(r"\d{6}")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@functools.lru_cache(maxsize=4096)
def _day_written(value: str) -> date | None:
    """The day ``value`` names, dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd, or None. Remembered:
    a register's tens of thousands of dates are a few thousand days."""
    found, iso = DAY_MONTH_YEAR.fullmatch(value), ISO_DATE.fullmatch(value)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        pass
    return None
