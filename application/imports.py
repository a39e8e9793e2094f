"""Imports from the public registers (GIAS establishments, Ofsted inspections): idempotent.

Bad-row policy: good rows go in; a bad row (unreadable, or refused by a rule) records nothing
and is reported with its row number and column; the caller treats any rejected row as a
failure. Rows that are not errors but ask for nothing to be recorded (a school not yet
inspected, another LA's, one the LA keeps no case file on) are counted apart, each outcome
with its count, and are no failure. Re-running after fixing the file is safe: a row already in the case files is not
recorded twice.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import IO, Any, Protocol, TypeVar

from application.case_files import SchoolCaseFiles, SchoolNotFound, Who
from domain.areas.register import check_school_details
from domain.errors import CaseFileError
from domain.ofsted import FRAMEWORKS
from domain.wording import long_date

BAD_ROW_POLICY = (
    "Rejected rows recorded nothing; every other row went in. Fix them and import the "
    "file again: rows already imported are not recorded twice."
)

RECORDS_BEGIN = FRAMEWORKS[0].starts
"""Where the case file of a school GIAS gives no open date for begins: a school without an
OpenDate was on the register before scc's records (its first Ofsted framework), and opening
its file then lets its published inspections be recorded against it."""

REGISTER_FIELDS = ("name", "phase", "establishment_type", "governance", "la_code", "pupils",
                   "opened_on", "closed_on", "religious_character")
"""What GIAS says about a school that its case file keeps (domain.case_file.Registered)."""

NOT_YET_INSPECTED = "not yet inspected"
ANOTHER_LAS = "another LA's"
NOT_KEPT = "not a school the LA keeps a case file on"
OLDER = "older than the facts recorded"
"""The outcomes of rows that are not errors and record nothing, as the report counts them."""

Progress = Callable[[int, int], None]
"""Called with (rows done, rows in all) as an import goes."""

R_co = TypeVar("R_co", covariant=True)


class Rows(Protocol[R_co]):
    """A file's records, as many as ``len`` says, which may be read from the file afresh each
    time they are gone through rather than held in memory."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[R_co]: ...


@dataclass(frozen=True)
class RowProblem:
    """Why a row of a file was rejected, in the user's words, where a spreadsheet shows it:
    the header is row 1. ``column`` is None when a rule refused the row as a whole."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SchoolRecord:
    """One establishment of a GIAS extract, as the case file's register fields.

    ``not_kept`` says why the LA keeps no case file on it (an independent school, a Welsh
    school...), if it does not; ``problems`` are the cells that could not be read.
    """

    row: int
    urn: int | None
    name: str
    la_code: str
    establishment_type: str
    type_group: str
    status: str
    phase: str
    governance: str | None
    opened_on: date | None
    closed_on: date | None
    pupils: int | None
    religious_character: str | None
    la_name: str = ""
    establishment_number: str = ""
    not_kept: str | None = None
    problems: tuple[RowProblem, ...] = ()

    def register_details(self) -> dict[str, Any]:
        return {"urn": self.urn, **{name: getattr(self, name) for name in REGISTER_FIELDS}}


@dataclass(frozen=True)
class InspectionRecord:
    """One inspection of an Ofsted file.

    ``inspected_urn`` is the URN the inspection was of (a converted academy may carry its
    predecessor's latest inspection); it is the row's URN unless the file says otherwise.
    ``report_card`` holds the graded areas of an inspection from 10 November 2025.
    """

    row: int
    urn: int | None
    inspected_urn: int | None
    school_name: str
    inspected_on: date | None
    published_on: date | None
    overall: int | None
    category: str | None
    report_card: dict[str, str] = field(default_factory=dict)
    safeguarding: str | None = None
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True)
class LinkRecord:
    """One row of the GIAS links file: what school ``link_urn`` is to school ``urn``."""

    row: int
    urn: int | None
    link_urn: int | None
    link_name: str
    link_type: str
    established_on: date | None
    problems: tuple[RowProblem, ...] = ()


def reverse_link_type(link_type: str) -> str:
    """The link the other school gets: "Predecessor - merged" one way is "Successor - merged"
    the other; a link neither predecessor nor successor is the same both ways."""
    kind = link_type.strip()
    if kind.lower() == "result of amalgamation":
        return "Predecessor - amalgamated"
    for this, other in (("Predecessor", "Successor"), ("Successor", "Predecessor")):
        if kind.lower().startswith(this.lower()):
            return other + kind[len(this):]
    return kind


@dataclass
class ImportReport:
    """What an import did, row by row, as plain data. Skipped rows are counted by reason
    rather than listed, so that a national file, whose rows are mostly another LA's or of
    schools without a case file, is reported in bounded memory."""

    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_for: Counter[str] = field(default_factory=Counter)
    """How many rows were skipped for each reason."""
    rejected: list[RowProblem] = field(default_factory=list)
    policy: str = BAD_ROW_POLICY

    @property
    def rejected_rows(self) -> list[int]:
        """The rows that recorded nothing because they were bad, in file order."""
        return sorted({p.row for p in self.rejected})

    @property
    def skipped(self) -> int:
        """How many rows asked for nothing to be recorded."""
        return sum(self.skipped_for.values())

    def skipped_by_reason(self) -> dict[str, int]:
        """How many rows were skipped for each reason, most common first."""
        return dict(self.skipped_for.most_common())

    def _reject(self, problems: Sequence[RowProblem]) -> None:
        self.rejected.extend(problems)

    def _skip(self, reason: str) -> None:
        self.skipped_for[reason] += 1


def import_schools(
    case_files: SchoolCaseFiles, records: Rows[SchoolRecord], *, by: Who,
    la_code: str | None = None, progress: Progress | None = None,
    extract_on: date | None = None, allow_older: bool = False,
) -> ImportReport:
    """Brings the case files into line with a GIAS extract of ``extract_on``.

    A school not seen before is registered, backdated to when it opened (never later than
    today); one already registered gets one details change holding only the fields that
    differ, or nothing. Closed schools are registered too, so their history stays reachable.
    Rows for other LAs (when ``la_code`` is given) and for establishments the LA keeps no case
    file on are skipped before their cells are judged. A school whose register fields came
    from a newer extract keeps them, unless ``allow_older`` (see is_older).
    """
    report = ImportReport(rows=len(records))
    # One reading of every school's register fields, rather than a case file loaded per row.
    facts = case_files.register_facts(FACT_FIELDS)
    extract = _Extract(by, la_code, extract_on, allow_older, facts, [])
    total = len(records)
    for done, record in enumerate(records, start=1):
        _import_school(case_files, record, extract, report)
        if len(extract.opening) >= OPENED_TOGETHER:
            _open(case_files, extract, report)
        if progress is not None:
            progress(done, total)
    _open(case_files, extract, report)
    return report


def import_inspections(
    case_files: SchoolCaseFiles, records: Rows[InspectionRecord], *, by: Who,
    progress: Progress | None = None,
) -> ImportReport:
    """Records published Ofsted inspections, each backdated to its publication date.

    Inspections are taken oldest first (see oldest_first), so that a category of concern and
    its later removal are both in the history. One already recorded (same inspection date) is
    not recorded again; one of a school without a case file is skipped.
    """
    report = ImportReport(rows=len(records))
    with oldest_first(records) as (total, inspections):
        for done, record in enumerate(inspections, start=1):
            _import_inspection(case_files, record, by, report)
            if progress is not None:
                progress(done, total)
    report.rejected.sort(key=lambda p: p.row)
    return report


SORTED_AT_ONCE = 20_000
"""Inspections sorted in memory at a time: a longer file is sorted in runs of this many."""


def _inspection_order(record: InspectionRecord) -> tuple[date, int]:
    return record.inspected_on or date.max, record.row


@contextmanager
def oldest_first(records: Iterable[InspectionRecord], *,
                 at_once: int = SORTED_AT_ONCE,
                 ) -> Iterator[tuple[int, Iterator[InspectionRecord]]]:
    """How many records there are (a row may hold two), and the records by inspection date,
    then row, in file order where those are the same (as a stable sort).

    Memory is bounded by ``at_once`` records (some 8 MB), whatever the file's length (an
    all-inspections file has hundreds of thousands of rows): each run of that many is
    sorted and written to a temporary file one record at a time, and the runs are merged
    reading one record of each at a time. A file of no more than one run is sorted in
    memory alone. The temporary files take some 260 bytes a record (50 MB for 200,000).
    """
    with ExitStack() as kept:
        runs: list[Iterable[InspectionRecord]] = []
        run: list[InspectionRecord] = []
        total = 0
        for record in records:
            total += 1
            run.append(record)
            if len(run) == at_once:
                run.sort(key=_inspection_order)
                runs.append(_kept(kept.enter_context(tempfile.TemporaryFile()), run))
                run = []
        run.sort(key=_inspection_order)
        runs.append(run)
        # heapq.merge takes equal keys in the order of its runs, which are in file order.
        yield total, heapq.merge(*runs, key=_inspection_order)


def _kept(file: IO[bytes], run: list[InspectionRecord]) -> Iterator[InspectionRecord]:
    """Writes the run to ``file`` and gives back a reading of it, one record at a time."""
    for record in run:
        pickle.dump(record, file, pickle.HIGHEST_PROTOCOL)
    run.clear()

    def read() -> Iterator[InspectionRecord]:
        file.seek(0)
        while True:
            try:
                yield pickle.load(file)
            except EOFError:
                return
    return read()


def is_older(extract_on: date | None, facts_on: date | None) -> bool:
    """Whether an extract is older than the one a school's register fields came from: an
    older extract imported after a newer one must not put back what has since changed
    (a school's old name, last year's pupils). Unknown dates are never older."""
    return extract_on is not None and facts_on is not None and extract_on < facts_on


FACT_FIELDS = (*REGISTER_FIELDS, "register_extract_on")
register_values = attrgetter(*REGISTER_FIELDS)
"""A record's register fields as a tuple, in FACT_FIELDS' order."""
NOT_REGISTERED = ()
OPENED_TOGETHER = 500
"""New schools are opened this many to a transaction: one commit each cost more than the rest
of opening them."""


@dataclass(frozen=True)
class _Extract:
    by: Who
    la_code: str | None
    extract_on: date | None
    allow_older: bool
    facts: dict[int, tuple[Any, ...] | None]
    """The register fields of every case file (FACT_FIELDS), or None to read them from it."""
    opening: list[tuple[SchoolRecord, date, dict[str, Any]]]
    """New schools checked and waiting to be opened together."""


def _open(case_files: SchoolCaseFiles, extract: _Extract, report: ImportReport) -> None:
    """Opens the waiting new schools together, or one by one if that is refused (a school
    opened meanwhile), so that each is added or rejected on its own."""
    opening = [(effective, details) for _, effective, details in extract.opening]
    if not opening:
        return
    try:
        case_files.open_case_files(by=extract.by, schools=opening)
        report.added += len(opening)
    except CaseFileError:
        for record, effective, details in extract.opening:
            try:
                case_files.register_school(by=extract.by, effective=effective, **details)
                report.added += 1
            except CaseFileError as refusal:
                report._reject([RowProblem(record.row, None, f"URN {record.urn}: {refusal}")])
    extract.opening.clear()


def _import_school(case_files: SchoolCaseFiles, record: SchoolRecord, extract: _Extract,
                   report: ImportReport) -> None:
    by, la_code, registered = extract.by, extract.la_code, extract.facts
    if record.not_kept is not None:
        report._skip(f"{NOT_KEPT}: {record.not_kept}")
        return
    if la_code is not None and record.la_code != la_code:
        report._skip(f"{ANOTHER_LAS} (not LA {la_code})")
        return
    if record.problems:
        report._reject(record.problems)
        return
    assert record.urn is not None  # a row without one has a problem
    facts = registered.get(record.urn, NOT_REGISTERED)
    if facts is not None and facts is not NOT_REGISTERED and (
            facts[:len(REGISTER_FIELDS)] == register_values(record)):
        report.unchanged += 1  # the common case of a re-import, decided without a dict
        return
    details = {**record.register_details(), "register_extract_on": extract.extract_on}
    try:
        if facts is NOT_REGISTERED:
            check_school_details(details, required=True,  # a refused row is refused alone
                                 today=case_files.clock.today())
            extract.opening.append(
                (record, _opening_entry_date(record, case_files.clock.today()), details))
            registered[record.urn] = tuple(details[name] for name in FACT_FIELDS)
            return
        _open(case_files, extract, report)  # it may be one of them, listed twice
        known = case_files.school(record.urn)
        changes = {name: details[name] for name in REGISTER_FIELDS if known[name] != details[name]}
        if not changes:
            report.unchanged += 1
            return
        if is_older(extract.extract_on, known["register_extract_on"]) and not extract.allow_older:
            report._skip(f"{OLDER} (from the extract of "
                         f"{long_date(known['register_extract_on'])})")
            return
        if extract.extract_on is not None:
            changes["register_extract_on"] = extract.extract_on
        case_files.change_school_details(record.urn, by=by, **changes)
        report.changed += 1
    except CaseFileError as refusal:
        report._reject([RowProblem(record.row, None, f"URN {record.urn}: {refusal}")])


def _opening_entry_date(record: SchoolRecord, today: date) -> date:
    """The case file opens when the school did, or when scc's records begin if GIAS gives
    no open date; never in the future (a school proposed to open is registered today)."""
    if record.opened_on is not None:
        return min(record.opened_on, today)
    return min(RECORDS_BEGIN, record.closed_on or RECORDS_BEGIN, today)


def _import_inspection(case_files: SchoolCaseFiles, record: InspectionRecord, by: Who,
                       report: ImportReport) -> None:
    urn = record.inspected_urn
    if urn is None:
        report._reject(record.problems)
        return
    try:
        known = case_files.school(urn)
    except SchoolNotFound:
        report._skip(f"{NOT_KEPT} (no case file for this URN)")
        return
    if record.problems:
        report._reject(record.problems)
        return
    if record.inspected_on is None:
        report._skip(NOT_YET_INSPECTED)
        return
    if record.published_on is None:
        report._skip("the report is not published yet (no publication date)")
        return
    same_day = [i for i in known["inspections"] if i["inspected_on"] == record.inspected_on]
    if same_day:
        if (same_day[0]["overall"], same_day[0]["category"]) == (record.overall, record.category):
            report.unchanged += 1
        else:
            report._skip("an inspection on that date is already recorded with a different "
                         "judgement; correct the case file by hand")
        return
    try:
        case_files.record_inspection(
            urn, by=by, published_on=record.published_on, inspected_on=record.inspected_on,
            overall=record.overall, category=record.category,
            report_card=record.report_card or None, safeguarding=record.safeguarding,
        )
    except CaseFileError as refusal:
        report._reject([RowProblem(record.row, None, f"URN {urn}: {refusal}")])
    else:
        report.added += 1


def import_links(
    case_files: SchoolCaseFiles, records: Rows[LinkRecord], *, by: Who,
    progress: Progress | None = None,
) -> ImportReport:
    """Records the GIAS links between schools with case files, both ways.

    A row links its URN to the other school (recorded on the URN's case file) and, when the
    other school has a case file, the other school back (a predecessor's successor, a
    successor's predecessor; "other" links the same way round). A link already recorded is
    not recorded again; a row with neither school in the case files is counted apart.
    """
    report = ImportReport(rows=len(records))
    registered = set(case_files.urns())
    for done, record in enumerate(records, start=1):
        _import_link(case_files, record, by, registered, report)
        if progress is not None:
            progress(done, len(records))
    return report


def _import_link(case_files: SchoolCaseFiles, record: LinkRecord, by: Who,
                 registered: set[int], report: ImportReport) -> None:
    if record.urn not in registered and record.link_urn not in registered:
        report._skip(f"{NOT_KEPT} (neither school has a case file)")
        return
    if record.problems:
        report._reject(record.problems)
        return
    assert record.urn is not None and record.link_urn is not None  # else a problem
    sides = [(record.urn, record.link_urn, record.link_name, record.link_type)]
    if record.link_urn in registered:
        name = case_files.school(record.urn)["name"] if record.urn in registered else ""
        sides.append((record.link_urn, record.urn, name,
                      reverse_link_type(record.link_type)))
    added = False
    try:
        for urn, link_urn, link_name, link_type in sides:
            if urn in registered:
                added |= case_files.link_school(
                    urn, by=by, link_urn=link_urn, link_name=link_name, link_type=link_type,
                    established_on=record.established_on)
    except CaseFileError as refusal:
        report._reject([RowProblem(record.row, None, f"URN {record.urn}: {refusal}")])
        return
    if added:
        report.added += 1
    else:
        report.unchanged += 1
