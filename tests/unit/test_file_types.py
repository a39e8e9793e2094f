"""What an uploaded evidence file is, judged on its content: real files made by real libraries
(python-docx, xlwt, Pillow, the email package), and disguised ones a caseworker might be sent."""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage

import docx
import olefile
import pytest
import xlwt
from PIL import Image

from adapters.file_types import (
    ACCEPTED,
    CSV,
    DOC,
    DOCX,
    EML,
    GIF,
    JPEG,
    MSG,
    PDF,
    PNG,
    TXT,
    XLS,
    XLSX,
    UnacceptableFile,
    identify,
)
from tests.unit.compound_files import compound_file

KEPT = ("scc keeps PDF, Word and Excel documents, PNG, JPEG and GIF images, saved emails, and "
        "text and CSV files")
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type "
               b"/Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Attendance" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        'Pupil</t></is></c></row></sheetData></worksheet>'),
}


def word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Notes of the meeting with the chair of governors")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zipped(parts: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def parts_of(document: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def excel_97_workbook() -> bytes:
    workbook = xlwt.Workbook()
    workbook.add_sheet("Attendance").write(0, 0, "Pupil")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def image(form: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (29, 112, 184)).save(out, format=form)
    return out.getvalue()


def saved_email() -> bytes:
    message = EmailMessage()
    message["From"] = "Chair of Governors <chair@oakfield.example>"
    message["To"] = "caseworker@council.example"
    message["Subject"] = "Oakfield: response to the warning notice"
    message["Date"] = "Mon, 30 Nov 2026 09:15:00 +0000"
    message.set_content("We have received the notice and will reply within 15 working days.")
    message.add_alternative("<p>We have received the notice.</p>", subtype="html")
    return message.as_bytes()


def outlook_email(**more: bytes | dict) -> bytes:
    return compound_file({"__properties_version1.0": b"\x00" * 32,
                          "__substg1.0_0037001F": "Response".encode("utf-16-le"),
                          "__substg1.0_0C1A001F": "Chair".encode("utf-16-le"), **more})


def kind_of(content: bytes, filename: str):
    return identify(io.BytesIO(content), filename)


def refusal(content: bytes, filename: str) -> str:
    with pytest.raises(UnacceptableFile) as refused:
        kind_of(content, filename)
    assert refused.value.field == "file"
    return str(refused.value)


@pytest.mark.parametrize(("make", "filename", "kind"), [
    (lambda: MINIMAL_PDF, "Warning notice.pdf", PDF),
    (word_document, "Meeting notes.docx", DOCX),
    (lambda: compound_file({"WordDocument": b"\xec\xa5", "1Table": b"",
                            "\x05SummaryInformation": b""}), "Old minutes.doc", DOC),
    (lambda: zipped(XLSX_PARTS), "Attendance.xlsx", XLSX),
    (excel_97_workbook, "Attendance 2019.xls", XLS),
    (lambda: image("PNG"), "Photo of the site.png", PNG),
    (lambda: image("JPEG"), "Photo of the site.JPG", JPEG),
    (lambda: image("JPEG"), "Photo of the site.jpeg", JPEG),
    (lambda: image("GIF"), "Plan.gif", GIF),
    (saved_email, "Response from the chair.eml", EML),
    (outlook_email, "Response from the chair.msg", MSG),
    (lambda: "Pupil,Sessions missed\nZoë,3\n".encode(), "Attendance.csv", CSV),
    (lambda: "Budget line,£ spent\nSupply staff,£12,400\n".encode("cp1252"), "Budget.csv",
     CSV),
    (lambda: "Phone call with the head – 2 December: agreed to send the plan.\n".encode(),
     "Call note.txt", TXT),
    (saved_email, "Response from the chair.txt", TXT),
])
def test_evidence_of_each_kind_is_recognised_by_its_content(make, filename, kind):
    assert kind_of(make(), filename) == kind


def test_a_name_without_an_extension_takes_the_kind_its_content_shows():
    assert kind_of(word_document(), "Meeting notes") == DOCX
    assert kind_of(saved_email(), "Response") == EML
    assert kind_of(b"Phone call with the head\n", "Call note") == TXT
    assert kind_of(MINIMAL_PDF, "C:\\Users\\caseworker\\Scans\\notice") == PDF


def test_every_kind_has_a_name_a_media_type_and_a_canonical_extension():
    assert len({kind.key for kind in ACCEPTED}) == len(ACCEPTED)
    for kind in ACCEPTED:
        assert kind.name.startswith(("a ", "an ")) and "/" in kind.media_type
        assert kind.extensions[0].startswith(".")


def test_the_stream_is_left_at_its_start_whatever_the_answer():
    stream = io.BytesIO(word_document())
    stream.seek(100)
    identify(stream, "Meeting notes.docx")
    assert stream.tell() == 0
    stream = io.BytesIO(b"\x7fELF" + bytes(100))
    stream.seek(7)
    with pytest.raises(UnacceptableFile):
        identify(stream, "notice.pdf")
    assert stream.tell() == 0


class CountedReads(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.mark.parametrize(("content", "filename"), [
    (MINIMAL_PDF + bytes(30 * 1024 * 1024), "Scanned bundle.pdf"),
    (zipped({**parts_of(word_document()), "word/media/image1.png": bytes(30 * 1024 * 1024)},
            zipfile.ZIP_STORED), "Report with photos.docx"),
    (outlook_email(**{"__attach_version1.0_#00000000": {
        "__substg1.0_37010102": bytes(8 * 1024 * 1024)}}), "Email with scan.msg"),
])
def test_a_large_file_is_judged_on_its_head_and_directory_only(content, filename):
    stream = CountedReads(content)

    identify(stream, filename)

    assert stream.bytes_read < 1024 * 1024


def test_an_empty_file_is_refused():
    assert refusal(b"", "Notes.docx") == "Notes.docx is empty: choose the file again"


@pytest.mark.parametrize("content", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"PE\x00\x00",
    b"\x7fELF\x02\x01\x01\x00" + bytes(56),
    b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(24),
    b"#!/bin/sh\nrm -rf ~\n",
    b"@echo off\r\ndel /q C:\\*\r\n",
    b"const payload = require('child_process');\n",
    b"Set shell = CreateObject(\"WScript.Shell\")\n",
])
def test_a_program_or_script_is_refused_whatever_its_name(content):
    assert refusal(content, "Inspection report.pdf") == (
        "Inspection report.pdf is a program or script, which scc does not keep whatever its "
        "name")


@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><body><script>fetch('/api')</script></body></html>",
    b"\xef\xbb\xbf\n  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
])
def test_a_web_page_or_svg_is_refused_because_it_can_carry_scripts(content):
    assert refusal(content, "Governors minutes.docx") == (
        "Governors minutes.docx is a web page, SVG image or other markup, which can carry "
        "scripts: print or save it as a PDF and upload that")


def test_a_name_that_disagrees_with_the_content_is_refused_naming_both():
    assert refusal(image("PNG"), "report.pdf") == (
        "report.pdf holds a PNG image, not a PDF document: give it the name it should have "
        "(report.png), or choose the right file")
    assert refusal(word_document(), "Meeting notes.pdf") == (
        "Meeting notes.pdf holds a Word document, not a PDF document: give it the name it "
        "should have (Meeting notes.docx), or choose the right file")
    assert refusal(MINIMAL_PDF, "notice.pdf.exe") == (
        "notice.pdf.exe holds a PDF document, but its name ends .exe: give it the name it "
        "should have (notice.pdf.pdf), or choose the right file")
    assert refusal(b"Phone call with the head\n", "Call note.eml") == (
        "Call note.eml holds a text file, not a saved email: give it the name it should have "
        "(Call note.txt), or choose the right file")


def test_a_zip_that_is_not_a_word_or_excel_document_is_refused():
    assert refusal(zipped({"minutes.txt": "Minutes"}), "Attendance.xlsx") == (
        f"Attendance.xlsx is a zip archive, not a Word or Excel document: {KEPT}; upload the "
        "documents it holds one by one")
    presentation = {**XLSX_PARTS, "[Content_Types].xml": XLSX_PARTS["[Content_Types].xml"]
                    .replace("spreadsheetml.sheet.main", "presentationml.presentation.main")}
    assert "is a zip archive, not a Word or Excel document" in refusal(
        zipped(presentation), "Slides.xlsx")


MACROS = ("Meeting notes.docx contains macros, which can run programs on the computer that "
          "opens it: save it without macros (as a .docx or .xlsx document) and upload that")


def test_a_word_document_carrying_a_macro_project_is_refused():
    parts = {**parts_of(word_document()), "word/vbaProject.bin": compound_file({"VBA": b""})}

    assert refusal(zipped(parts), "Meeting notes.docx") == MACROS


def test_a_word_document_declared_macro_enabled_is_refused():
    parts = parts_of(word_document())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"vnd.ms-word.document.macroEnabled.main+xml")

    assert refusal(zipped(parts), "Meeting notes.docx") == MACROS


def test_a_legacy_word_document_with_macros_is_refused():
    document = compound_file({"WordDocument": b"\xec\xa5", "1Table": b"",
                              "Macros": {"VBA": {"dir": b""}, "PROJECT": b""}})

    assert refusal(document, "Meeting notes.docx") == MACROS


def test_macros_inside_an_emails_attachment_are_the_attachments_business():
    """Only the root of an Outlook email's directory says what it is; an attached document's
    own storages sit below it."""
    message = outlook_email(**{"__attach_version1.0_#00000000": {
        "__substg1.0_3701000D": {"WordDocument": b"", "Macros": {"VBA": b""}}}})

    assert kind_of(message, "Forwarded minutes.msg") == MSG


def test_a_zip_declaring_an_absurd_unpacked_size_is_refused():
    # a stored part of 3.5 MB keeps the declared 300 MB under a hundred times the file's size
    photo = bytes(range(256)) * (14 * 1024)
    document = zipped({**parts_of(word_document()), "word/media/image1.png": photo},
                      zipfile.ZIP_STORED)
    at = document.rfind(b"PK\x01\x02")  # the central directory's entry for the photo
    document = document[:at + 24] + struct.pack("<I", 300 * 1024 * 1024) + document[at + 28:]
    assert 100 * len(document) > 300 * 1024 * 1024

    assert refusal(document, "Meeting notes.docx") == (
        "Meeting notes.docx would unpack to 300 MB, far more than any document holds: scc "
        "does not keep it")


def test_a_zip_that_unpacks_to_a_hundred_times_its_size_is_refused():
    filler = bytes(10 * 1024 * 1024)
    document = zipped({**parts_of(word_document()), "word/media/filler.bin": filler})
    assert len(document) < 100 * 1024  # zeros deflate a thousandfold

    assert refusal(document, "Meeting notes.docx") == (
        "Meeting notes.docx would unpack to 10 MB, far more than any document holds: scc does "
        "not keep it")


def test_a_zip_of_more_parts_than_any_document_is_refused():
    document = zipped({f"word/part{n}.xml": "" for n in range(10_001)}, zipfile.ZIP_STORED)

    assert refusal(document, "Meeting notes.docx") == (
        "Meeting notes.docx is a zip of 10,001 parts, more than any document holds: scc does "
        "not keep it")


def test_a_password_protected_office_document_is_refused():
    protected = compound_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b""})

    assert refusal(protected, "Budget.xlsx") == (
        "Budget.xlsx is protected with a password, so scc cannot tell what it holds: remove the "
        "password and upload it again")


@pytest.mark.parametrize("content", [
    b"PK\x03\x04" + bytes(200),
    zipped(XLSX_PARTS)[:-30],
    bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600),
    compound_file({"WordDocument": b""})[:1024],
])
def test_a_damaged_document_is_refused(content):
    assert refusal(content, "Attendance.xls") == (
        "Attendance.xls looks like an Office document or Outlook email but cannot be read: it "
        "may be damaged. Open it, save a copy and upload that")


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 4,
    "Notes in UTF-16".encode("utf-16"),
    compound_file({"PowerPoint Document": b"", "Current User": b""}),
    b"Regarding the visit on Tuesday\nFrom: the head\n\nNothing more.\n" + b"\x00",
])
def test_content_of_no_accepted_kind_is_refused_listing_what_scc_keeps(content):
    assert refusal(content, "Notes.xyz") == f"{KEPT}; Notes.xyz is none of these"


def test_an_email_needs_its_headers_at_the_top():
    notes = (b"Regarding the visit on Tuesday\nFrom: the head\nSubject: visit\n\nNotes.\n")
    no_subject_or_date = b"From: chair@oakfield.example\nTo: us@council.example\n\nHello\n"
    broken_headers = b"From: chair@oakfield.example\nSubject: visit\nnotes of the call\n\nMore\n"

    assert "holds a text file, not a saved email" in refusal(notes, "Visit.eml")
    assert "holds a text file, not a saved email" in refusal(no_subject_or_date, "Hello.eml")
    assert "holds a text file, not a saved email" in refusal(broken_headers, "Visit.eml")


def test_handmade_compound_files_are_ones_an_independent_reader_reads():
    """The legacy files above are written by tests/unit/compound_files.py; olefile reading
    the same names shows they are real compound files, not ones made to suit the parser;
    the attachment is large enough to need more FAT sectors than the header lists."""
    ole = olefile.OleFileIO(outlook_email(**{"__attach_version1.0_#00000000": {
        "__substg1.0_3701000D": bytes(8 * 1024 * 1024)}}))

    assert sorted("/".join(path) for path in ole.listdir()) == [
        "__attach_version1.0_#00000000/__substg1.0_3701000D", "__properties_version1.0",
        "__substg1.0_0037001F", "__substg1.0_0C1A001F"]
    assert ole.openstream("__substg1.0_0037001F").read()[:16] == "Response".encode("utf-16-le")
    assert ole.get_size("__attach_version1.0_#00000000/__substg1.0_3701000D") == 8 * 1024 * 1024
    ole.close()


def test_a_compound_file_whose_directory_loops_is_damaged_not_endless():
    document = bytearray(compound_file({"WordDocument": b""}))
    fat_sector, = struct.unpack_from("<I", document, 0x4C)
    directory, = struct.unpack_from("<I", document, 0x30)
    # point the directory's only sector back at itself in the FAT
    struct.pack_into("<I", document, 512 * (fat_sector + 1) + 4 * directory, directory)

    assert "may be damaged" in refusal(bytes(document), "Old minutes.doc")

