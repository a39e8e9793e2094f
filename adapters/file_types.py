"""What an uploaded evidence file really is, judged on its content rather than its name, and
the files scc refuses to keep: programs and scripts, web pages, Office files with macros,
zip bombs, and anything it cannot recognise."""

from __future__ import annotations

import codecs
import email.parser
import email.policy
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from domain.areas.documents import EVIDENCE_FILES
from domain.rules import Refused

HEAD = 64 * 1024
"""How much of a file is read to judge it; zip and compound files read their directories."""
MOST_UNPACKED = 200 * 1024 * 1024
MOST_RATIO = 100
"""A document's zip unpacks to a few times its size; over this (and over a megabyte) it is
built to fill the disk of whoever opens it."""
MOST_PARTS = 10_000
MOST_ZIP_DIRECTORY = 8 * 1024 * 1024
MOST_CONTENT_TYPES = 1024 * 1024
MOST_DIRECTORY_SECTORS = 4096
"""Bounds on a compound file's directory (4096 sectors hold 16,384 entries at least)."""


@dataclass(frozen=True)
class FileKind:
    key: str
    name: str
    media_type: str
    extensions: tuple[str, ...]
    """The first is the canonical one, for the name a download is given."""


PDF = FileKind("pdf", "a PDF document", "application/pdf", (".pdf",))
DOCX = FileKind("docx", "a Word document",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
DOC = FileKind("doc", "a Word 97-2003 document", "application/msword", (".doc",))
XLSX = FileKind("xlsx", "an Excel workbook",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
XLS = FileKind("xls", "an Excel 97-2003 workbook", "application/vnd.ms-excel", (".xls",))
PNG = FileKind("png", "a PNG image", "image/png", (".png",))
JPEG = FileKind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("gif", "a GIF image", "image/gif", (".gif",))
EML = FileKind("eml", "a saved email", "message/rfc822", (".eml",))
MSG = FileKind("msg", "a saved Outlook email", "application/vnd.ms-outlook", (".msg",))
TXT = FileKind("txt", "a text file", "text/plain", (".txt",))
CSV = FileKind("csv", "a CSV file", "text/csv", (".csv",))
ACCEPTED: tuple[FileKind, ...] = (PDF, DOCX, DOC, XLSX, XLS, PNG, JPEG, GIF, EML, MSG, TXT, CSV)
KEPT = ("scc keeps PDF, Word and Excel documents, PNG, JPEG and GIF images, saved emails, and "
        "text and CSV files")

PROGRAMS = (b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm", b"dex\n",
            b"L\x00\x00\x00\x01\x14\x02\x00", b"#!")
"""ELF, Mach-O (both byte orders, and universal binaries or Java classes), WebAssembly,
Android, Windows shortcuts, and scripts that name their interpreter."""
SCRIPT_START = re.compile(
    r"""\s*(?:@?echo\s+off\b|(?i:rem)\s|'use\ strict'|"use\ strict"|\(function\s*\(
    |(?:function|var|let|const)\s+[\w$]+\s*[=(]|(?:const|let|var)\s*[{\[]
    |import\s+[\w{*].*\bfrom\s+['"]|require\s*\(|param\s*\(|\$\w+\s*=
    |.*\bCreateObject\s*\(|.*\bWScript\.)""", re.VERBOSE)
"""The first line of a Windows batch file, JavaScript, PowerShell or VBScript: the obvious
cases only, since a text file is kept and served as text under its canonical name, where a
script cannot run by being opened."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MACROS = re.compile(rb"macroEnabled|vbaProject|macrosheet", re.IGNORECASE)


class UnacceptableFile(Refused):
    """An upload scc will not keep; the message names the file and says why (rule
    ``evidence-files``)."""

    def __init__(self, message: str, *, field: str | None = "file") -> None:
        super().__init__(EVIDENCE_FILES, message, field=field)


def identify(stream: BinaryIO, filename: str) -> FileKind:
    """The kind of file ``stream`` holds, judged on its head (and a zip's or compound file's
    directory), never reading the whole of it; its name must agree with its content, or have
    no extension. Leaves the stream at its start. Raises UnacceptableFile."""
    name = re.split(r"[\\/]", filename)[-1].strip() or "The file"
    try:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        kinds = _judge(stream, stream.read(HEAD), size, name)
    finally:
        stream.seek(0)
    stem, dot, extension = name.rpartition(".")
    extension = f".{extension.lower()}" if dot and stem else ""
    if not extension:
        return kinds[0]
    for kind in kinds:
        if extension in kind.extensions:
            return kind
    kind = kinds[0]
    named = next((k.name for k in ACCEPTED if extension in k.extensions), None)
    claim = f"not {named}" if named else f"but its name ends {extension}"
    raise UnacceptableFile(f"{name} holds {kind.name}, {claim}: give it the name it should "
                           f"have ({stem}{kind.extensions[0]}), or choose the right file")


def _judge(stream: BinaryIO, head: bytes, size: int, name: str) -> tuple[FileKind, ...]:
    if not head:
        raise UnacceptableFile(f"{name} is empty: choose the file again")
    if head.startswith(PROGRAMS) or (head.startswith(b"MZ") and b"\x00" in head[:64]):
        raise _program(name)
    if head.startswith(b"%PDF-"):
        return (PDF,)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return (PNG,)
    if head.startswith(b"\xff\xd8\xff"):
        return (JPEG,)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return (GIF,)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return (_zip_kind(stream, size, name),)
    if head.startswith(_CompoundFile.MAGIC):
        return (_compound_kind(stream, size, head, name),)
    return _text_kinds(head, name)


def _program(name: str) -> UnacceptableFile:
    return UnacceptableFile(f"{name} is a program or script, which scc does not keep whatever "
                            "its name")


def _unknown(name: str) -> UnacceptableFile:
    return UnacceptableFile(f"{KEPT}; {name} is none of these")


def _damaged(name: str) -> UnacceptableFile:
    return UnacceptableFile(f"{name} looks like an Office document or Outlook email but cannot "
                            "be read: it may be damaged. Open it, save a copy and upload that")


def _macros(name: str) -> UnacceptableFile:
    return UnacceptableFile(f"{name} contains macros, which can run programs on the computer "
                            "that opens it: save it without macros (as a .docx or .xlsx "
                            "document) and upload that")


def _zip_kind(stream: BinaryIO, size: int, name: str) -> FileKind:
    _check_zip_directory(stream, size, name)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MOST_UNPACKED or (unpacked > 1024 * 1024
                                            and unpacked > MOST_RATIO * size):
                raise UnacceptableFile(
                    f"{name} would unpack to {unpacked // (1024 * 1024):,} MB, far more than "
                    "any document holds: scc does not keep it")
            if any(MACROS.search(part.filename.encode()) for part in parts):
                raise _macros(name)
            types = next((p for p in parts if p.filename == "[Content_Types].xml"), None)
            if types is None:
                raise _not_office(name)
            with archive.open(types) as declared:
                content_types = declared.read(MOST_CONTENT_TYPES)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError, struct.error):
        raise _damaged(name) from None
    if MACROS.search(content_types):
        raise _macros(name)
    if b"wordprocessingml.document.main+xml" in content_types:
        return DOCX
    if b"spreadsheetml.sheet.main+xml" in content_types:
        return XLSX
    raise _not_office(name)


def _not_office(name: str) -> UnacceptableFile:
    return UnacceptableFile(f"{name} is a zip archive, not a Word or Excel document: {KEPT}; "
                            "upload the documents it holds one by one")


def _check_zip_directory(stream: BinaryIO, size: int, name: str) -> None:
    """Bounds the central directory before zipfile reads all of it into memory: its end
    record gives the number of parts and the directory's size (zip64's markers exceed both)."""
    tail = min(size, 22 + 65535)
    stream.seek(size - tail)
    end = stream.read(tail)
    at = end.rfind(b"PK\x05\x06")
    if at < 0 or len(end) - at < 22:
        raise _damaged(name)
    parts, directory = struct.unpack_from("<HI", end, at + 10)
    if parts > MOST_PARTS or directory > MOST_ZIP_DIRECTORY:
        raise UnacceptableFile(f"{name} is a zip of {parts:,} parts, more than any document "
                               "holds: scc does not keep it")


def _compound_kind(stream: BinaryIO, size: int, head: bytes, name: str) -> FileKind:
    """Legacy Word and Excel files and Outlook emails are all compound files (MS-CFB): told
    apart by the streams and storages at the root of their directory."""
    try:
        names = _CompoundFile(stream, size, head).root_names()
    except (ValueError, struct.error, IndexError):
        raise _damaged(name) from None
    if "EncryptedPackage" in names:
        raise UnacceptableFile(f"{name} is protected with a password, so scc cannot tell what "
                               "it holds: remove the password and upload it again")
    if names & {"Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT"}:
        raise _macros(name)
    if "WordDocument" in names:
        return DOC
    if names & {"Workbook", "Book"}:
        return XLS
    if any(n.startswith(("__substg1.0_", "__properties_version1.0")) for n in names):
        return MSG
    raise _unknown(name)


class _CompoundFile:
    """The directory of a compound file (MS-CFB §2): the header, the FAT sectors that the
    directory's chain passes through, and the directory entries at the root, each read on
    demand and bounded, since the directory may lie anywhere in the file."""

    MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
    END_OF_CHAIN = 0xFFFFFFFE
    NO_STREAM = 0xFFFFFFFF
    LAST_SECTOR = 0xFFFFFFFA

    def __init__(self, stream: BinaryIO, size: int, head: bytes) -> None:
        if len(head) < 512:
            raise ValueError("shorter than a compound file's header")
        shift, = struct.unpack_from("<H", head, 0x1E)
        if shift not in (9, 12):
            raise ValueError("unknown sector size")
        self.stream, self.size, self.sector_size = stream, size, 1 << shift
        self.fat_sectors = list(struct.unpack_from("<109I", head, 0x4C))
        self.next_difat, self.difat_count = struct.unpack_from("<II", head, 0x44)
        self.first_directory, = struct.unpack_from("<I", head, 0x30)
        self.fat: dict[int, bytes] = {}
        self.chain: list[int] = []

    def root_names(self) -> set[str]:
        self._follow_directory()
        root = self._entry(0)
        if root[0x42] != 5:
            raise ValueError("the first directory entry is not the root")
        names: set[str] = set()
        waiting, seen = [struct.unpack_from("<I", root, 0x4C)[0]], set()
        while waiting:
            number = waiting.pop()
            if number == self.NO_STREAM:
                continue
            if number in seen or len(seen) > MOST_DIRECTORY_SECTORS * 4:
                raise ValueError("the directory's tree loops")
            seen.add(number)
            entry = self._entry(number)
            length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
            names.add(entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace"))
            waiting += struct.unpack_from("<II", entry, 0x44)  # left and right siblings
        return names

    def _follow_directory(self) -> None:
        sector = self.first_directory
        while sector != self.END_OF_CHAIN:
            if sector in self.chain or len(self.chain) >= MOST_DIRECTORY_SECTORS:
                raise ValueError("the directory's chain loops or is too long")
            self.chain.append(sector)
            sector = self._next(sector)

    def _entry(self, number: int) -> bytes:
        per_sector = self.sector_size // 128
        index, slot = divmod(number, per_sector)
        if index >= len(self.chain):
            raise ValueError("a directory entry beyond the directory")
        return self._sector(self.chain[index])[slot * 128:(slot + 1) * 128]

    def _next(self, sector: int) -> int:
        per_sector = self.sector_size // 4
        index, slot = divmod(sector, per_sector)
        if index not in self.fat:
            self.fat[index] = self._sector(self._fat_sector(index))
        return struct.unpack_from("<I", self.fat[index], slot * 4)[0]

    def _fat_sector(self, index: int) -> int:
        """Where the index-th FAT sector is: in the header's list for the first 109, then in
        the chain of DIFAT sectors, each listing more and ending with the next one's number."""
        difat, listed = self.next_difat, self.sector_size // 4 - 1
        for _ in range(min(self.difat_count, MOST_DIRECTORY_SECTORS) + 1):
            if index < len(self.fat_sectors):
                return self.fat_sectors[index]
            if difat > self.LAST_SECTOR:
                break
            more = struct.unpack_from(f"<{listed + 1}I", self._sector(difat))
            self.fat_sectors += more[:listed]
            difat = more[listed]
        raise ValueError("a FAT sector beyond the DIFAT")

    def _sector(self, number: int) -> bytes:
        offset = (number + 1) * self.sector_size
        if number > self.LAST_SECTOR or offset >= self.size:
            raise ValueError("a sector beyond the end of the file")
        self.stream.seek(offset)
        return self.stream.read(self.sector_size).ljust(self.sector_size, b"\x00")


def _text_kinds(head: bytes, name: str) -> tuple[FileKind, ...]:
    text = _as_text(head)
    if text is None:
        raise _unknown(name)
    start = text.lstrip("\ufeff \t\r\n\f")
    if start.startswith("<"):
        raise UnacceptableFile(f"{name} is a web page, SVG image or other markup, which can "
                               "carry scripts: print or save it as a PDF and upload that")
    if SCRIPT_START.match(start.split("\n", 1)[0]):
        raise _program(name)
    return (EML, TXT, CSV) if _is_email(head) else (TXT, CSV)


def _as_text(head: bytes) -> str | None:
    """UTF-8, or Windows-1252 as Excel writes CSV; None for anything with control bytes."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < HEAD)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    return None if CONTROL.search(text) else text


def _is_email(head: bytes) -> bool:
    """An RFC 5322 message: a header block, ended by a blank line, with From and a Date or
    Subject (an email's first line is a header, so notes that mention "From:" are not one)."""
    if b"\n\n" not in head.replace(b"\r\n", b"\n"):
        return False
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        head, headersonly=True)
    if message.defects:
        return False
    return message["From"] is not None and (message["Date"] or message["Subject"]) is not None
