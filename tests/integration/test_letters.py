"""Letters from the record: each statutory letter's words come from the entry of its step, and
render as a PDF (WeasyPrint) and a Word document (docxtpl) that say the same thing."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date

import docx
import pytest
from pypdf import PdfReader

from adapters.letters import DEFAULTS, LetterTemplateError, LetterTemplates
from application.letters import letter_context
from domain.areas.documents import LETTER_FROM_THE_RECORD, LETTERS, StoredFile
from domain.errors import CaseFileError
from domain.rules import rule_of
from tests.unit.builders import (
    WORKING_DAYS,
    a_church_school,
    day_after,
    eligible_by_warning_notice,
    issue_notice,
    when,
)

NOTICE_GIVEN = date(2026, 3, 2)
S60A_GIVEN = date(2026, 6, 1)


@pytest.fixture(scope="module")
def case_file():
    """A Church of England school with every step a letter is produced from."""
    school = a_church_school()
    concern = school.raise_concern(
        when=when(date(2026, 1, 12)), ground="standards", source="performance data",
        description="Reading at key stage 2 fell to 48% & writing to 51%",
        evidence="2025 key stage 2 results")
    school.send_letter_of_concern(
        when=when(date(2026, 1, 19)), concern_ids=[concern],
        summary="The school's results have fallen for three years.")
    eligible_by_warning_notice(
        school, NOTICE_GIVEN, grounds=["a", "b"],
        copies_to=["Ofsted", "Headteacher", "Diocese of Ely"])
    issue_notice(school, S60A_GIVEN, section="s60A", grounds=[],
                 matters="Teachers' pay progression was not applied in 2025",
                 required_actions="Apply the pay policy to every teacher",
                 minded_action="Suspend the delegated budget", compliance_period=10)
    school.draft_ieb_application(when=when(date(2026, 6, 8)),
                                 rationale="The governing body has not secured improvement.")
    application = school.state.ieb_application_in_progress.application_id
    school.record_ieb_consultation(
        when=when(date(2026, 6, 22)), application_id=application,
        consultee="governing body", response="The governors oppose the proposal.")
    school.establish_msp_group(when=when(date(2026, 4, 1)),
                               members=["Helen Marsh", "Chair of Governors"], cadence_weeks=6)
    school.hold_msp_meeting(
        when=when(date(2026, 4, 20)), attendees=["Helen Marsh", "Sam Patel"],
        minutes="Reviewed the improvement plan.",
        actions=[{"description": "Send the revised plan", "owner": "Sam Patel",
                  "due": date(2026, 5, 4)}])
    return school


@pytest.fixture(scope="module")
def templates():
    return LetterTemplates()


def source_of(case_file, kind):
    return case_file.letter_sources(kind)[0].originator_version


def context(case_file, templates, kind, dated, recipient=None, letterhead=None):
    return letter_context(
        case_file, kind, source_of(case_file, kind), recipient=recipient,
        letterhead=letterhead or templates.letterhead(), calendar=WORKING_DAYS, dated=dated)


LETTER_DATES = {
    "letter-of-concern": date(2026, 1, 19), "warning-notice-s60": NOTICE_GIVEN,
    "warning-notice-s60a": S60A_GIVEN, "notice-of-intervention": date(2026, 3, 31),
    "ieb-consultation": date(2026, 6, 9), "ieb-application": date(2026, 6, 29),
    "msp-minutes": date(2026, 4, 21),
}
RECIPIENTS = {"ieb-consultation": "diocesan authority"}


@pytest.fixture(scope="module")
def letters(case_file, templates):
    """Each default letter's context, PDF text and Word text, rendered once for the module."""
    rendered = {}
    for kind in LETTERS:
        words = context(case_file, templates, kind, LETTER_DATES[kind], RECIPIENTS.get(kind))
        pdf = templates.render(kind, "pdf", words)
        word = templates.render(kind, "docx", words)
        rendered[kind] = {"context": words, "pdf": pdf, "pdf_text": pdf_text(pdf.content),
                          "docx": word, "docx_text": docx_text(word.content)}
    return rendered


def pdf_text(content: bytes) -> str:
    """The PDF's words on one line each way, so phrases match across line breaks."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(p.text for p in document.paragraphs))


def both(letter, *phrases):
    for phrase in phrases:
        assert phrase in letter["pdf_text"], f"PDF lacks {phrase!r} in {letter['pdf_text']}"
        assert phrase in letter["docx_text"], f"Word document lacks {phrase!r}"


def test_every_letter_has_its_letterhead_school_reference_and_signatory(letters):
    for kind, letter in letters.items():
        # Check: the LA, the school, the date in words and the signatory on every letter
        both(letter, "Fenmarsh Council", "St Botolph's CofE Primary School", "URN 110001",
             f"Date: {letter['context']['dated']}", "Helen Marsh",
             "Head of School Improvement")
        assert letter["pdf"].media_type == "application/pdf"
        assert letter["pdf"].template == f"{kind}.html"
        assert letter["docx"].template == f"{kind}.docx"
        assert re.fullmatch(r"[0-9a-f]{64}", letter["pdf"].template_version)
        assert "{{" not in letter["docx_text"] and "{%" not in letter["docx_text"]
        assert PdfReader(io.BytesIO(letter["pdf"].content)).metadata.title.startswith(
            LETTERS[kind].title)


def test_the_s60_warning_notice_says_what_the_record_says(case_file, letters):
    letter = letters["warning-notice-s60"]
    notice = case_file.state.warning_notices["WN1"]
    assert notice.compliance_date == date(2026, 3, 30)
    # Check: grounds in s60(2)'s words, period in working days and its end date in words
    both(letter,
         "Warning notice: performance standards and safety",
         "Dear Chair of Governors",
         "(a) standards of performance are unacceptably low and likely to remain so",
         "(b) a serious breakdown in management or governance is prejudicing",
         "Key stage 2 results in the bottom 5% for three years",
         "Adopt and deliver the LA's improvement plan",
         "compliance period of 20 working days, beginning on 3 March 2026 and ending on "
         "30 March 2026",
         "minded to take the following action: Appoint an interim executive board",
         "Copies to: Ofsted; Headteacher; Diocese of Ely",
         "It is given on 2 March 2026",
         "Education and Inspections Act 2006 s60(6), (6A), (6B)")
    assert "Date: 2 March 2026" in letter["pdf_text"]
    # Check: no representations to Ofsted on a notice given after 18 April 2016
    assert "representations" not in letter["pdf_text"].lower()
    assert letter["context"]["letter"]["copies_not_recorded"] == ["Secretary of State"]


def test_the_s60a_warning_notice_rests_on_pay_and_conditions(letters):
    both(letters["warning-notice-s60a"],
         "Warning notice: teachers' pay and conditions",
         "section 60A of the Education and Inspections Act 2006",
         "order under section 122 of the Education Act 2002 (teachers' pay and conditions)",
         "Teachers' pay progression was not applied in 2025",
         "compliance period of 10 working days, beginning on 2 June 2026 and ending on "
         "15 June 2026",
         "Suspend the delegated budget")
    assert "(a) standards of performance" not in letters["warning-notice-s60a"]["pdf_text"]


def test_a_notice_given_before_18_april_2016_says_representations_may_go_to_ofsted(templates):
    school = a_church_school(registered_on=date(2014, 9, 1))
    issue_notice(school, date(2015, 3, 2), compliance_period=None)
    words = context(school, templates, "warning-notice-s60", date(2015, 3, 2))
    text = pdf_text(templates.render("warning-notice-s60", "pdf", words).content)
    assert "compliance period of 15 working days" in text
    assert ("may make representations to the Chief Inspector (Ofsted) against this notice "
            "within the initial period of 15 working days, ending on 23 March 2015") in text


def test_a_letter_of_concern_cites_its_concerns(letters):
    both(letters["letter-of-concern"], "Letter of concern", "Dear Chair of Governors",
         "The school's results have fallen for three years.",
         "Standards (concern C1, raised on 12 January 2026)",
         "Reading at key stage 2 fell to 48% & writing to 51%",
         "Evidence: 2025 key stage 2 results")


def test_the_notice_of_intervention_names_the_powers_and_when_they_may_be_used(
        case_file, letters):
    # Five working days' reasonable notice from 31 March 2026 skip Good Friday and Easter Monday
    assert case_file.state.warning_notices["WN1"].powers_from == date(2026, 4, 9)
    both(letters["notice-of-intervention"], "Notice of intervention",
         "The compliance period ended on 30 March 2026",
         "Replace the governing body with an interim executive board (s65)",
         "Appoint additional governors (s64)",
         "The local authority may use these powers from 9 April 2026",
         "Appoint additional governors")


def test_the_ieb_consultation_letter_goes_to_the_consultee_chosen(letters):
    both(letters["ieb-consultation"], "Dear Diocesan Authority",
         "consults the governing body and the diocesan authority",
         "This letter consults you as the diocesan authority",
         "Warning notice not complied with (s60), since 31 March 2026",
         "The governing body has not secured improvement.",
         "quoting our reference URN 110001 / IEB1")


def test_the_ieb_application_gives_eligibility_notices_and_consultations(letters):
    both(letters["ieb-application"], "Secretary of State for Education",
         "Warning notice not complied with (s60), since 31 March 2026",
         "Warning notice WN1 (s60), given on 2 March 2026 on grounds (a), (b); compliance "
         "period of 20 working days ending on 30 March 2026: not complied with",
         "Governing body (response recorded on 22 June 2026)",
         "The governors oppose the proposal.",
         "No response is recorded yet from the diocesan authority")


def test_msp_minutes_list_attendees_and_actions_with_owners_and_dates(letters):
    both(letters["msp-minutes"], "MSP meeting minutes", "held on 20 April 2026",
         "Sam Patel", "Reviewed the improvement plan.",
         "A1: Send the revised plan Owner: Sam Patel. Due: 4 May 2026.")
    assert "Dear" not in letters["msp-minutes"]["pdf_text"]


def test_a_letter_for_a_step_not_recorded_is_refused(templates):
    school = a_church_school()
    with pytest.raises(CaseFileError, match="records no warning notice \\(s60\\) to produce"
                       ) as refusal:
        letter_context(school, "warning-notice-s60", 2, recipient=None,
                       letterhead=templates.letterhead(), calendar=WORKING_DAYS,
                       dated=date(2026, 3, 2))
    assert rule_of(refusal.value) is LETTER_FROM_THE_RECORD


def test_an_s60_letter_asked_of_an_s60a_notice_is_refused(case_file, templates):
    s60a = source_of(case_file, "warning-notice-s60a")
    with pytest.raises(CaseFileError, match=f"Entry {s60a} is not a standing warning notice "
                       r"\(s60\)"):
        letter_context(case_file, "warning-notice-s60", s60a, recipient=None,
                       letterhead=templates.letterhead(), calendar=WORKING_DAYS,
                       dated=S60A_GIVEN)


def test_an_ieb_consultation_letter_only_goes_to_a_consultee(case_file, templates):
    for someone in ("foundation governors' appointer", None):
        with pytest.raises(CaseFileError, match="Choose who the letter is to: the governing "
                           "body, the diocesan authority"):
            context(case_file, templates, "ieb-consultation", date(2026, 6, 9), someone)
    with pytest.raises(CaseFileError, match="is not addressed to a consultee"):
        context(case_file, templates, "ieb-application", date(2026, 6, 9), "governing body")
    # Check: the same rule holds when the letter is recorded
    produced = StoredFile("0" * 64, "IEB1-consultation.pdf", "application/pdf", 1000)
    with pytest.raises(CaseFileError, match="Choose who the letter is to"):
        case_file.record_letter(
            when=when(date(2026, 6, 9)), kind="ieb-consultation",
            rests_on=source_of(case_file, "ieb-consultation"),
            recipient="foundation governors' appointer", template="ieb-consultation.html",
            template_version="1" * 64, file=produced)


def test_a_letter_cannot_be_dated_before_its_step(case_file, templates):
    with pytest.raises(CaseFileError, match="cannot be dated before the step it gives"):
        context(case_file, templates, "warning-notice-s60", date(2026, 2, 27))


def test_the_las_own_templates_replace_the_wording_and_the_letterhead(
        case_file, templates, letters, tmp_path):
    (tmp_path / "letterhead.toml").write_text(
        'authority = "Marshfield Borough Council"\naddress = ["Civic Centre", "MB1 2CD"]\n'
        'signatory = "Priya Shah"\nsignatory_role = "Director of Education"\n',
        encoding="utf-8")
    wording = (DEFAULTS / "warning-notice-s60.html").read_text(encoding="utf-8")
    (tmp_path / "warning-notice-s60.html").write_text(
        wording.replace("The local authority is satisfied that:",
                        "Marshfield is satisfied that:"), encoding="utf-8")
    own = LetterTemplates(tmp_path)
    letterhead = own.letterhead()
    words = context(case_file, own, "warning-notice-s60", NOTICE_GIVEN, letterhead=letterhead)
    rendered = own.render("warning-notice-s60", "pdf", words)
    text = pdf_text(rendered.content)
    # Check: the LA's wording, letterhead and signatory; the default's version no longer
    assert "Marshfield is satisfied that:" in text
    assert "Marshfield Borough Council" in text and "Civic Centre" in text
    assert "Priya Shah" in text and "Director of Education" in text
    assert "Helen Marsh" not in text
    assert rendered.template_version != letters["warning-notice-s60"]["pdf"].template_version
    # Check: a kind the LA did not replace keeps the default wording and its version
    minutes = own.render("msp-minutes", "pdf", letters["msp-minutes"]["context"])
    assert minutes.template_version == letters["msp-minutes"]["pdf"].template_version
    # Check: the LA's base template changes every kind's version
    shutil.copy(DEFAULTS / "base.html", tmp_path / "base.html")
    with (tmp_path / "base.html").open("a", encoding="utf-8") as base:
        base.write("<!-- Marshfield -->\n")
    again = LetterTemplates(tmp_path).render("msp-minutes", "pdf",
                                             letters["msp-minutes"]["context"])
    assert again.template_version != minutes.template_version


def test_a_broken_la_template_is_named_in_the_error(case_file, letters, tmp_path):
    words = letters["msp-minutes"]["context"]
    (tmp_path / "msp-minutes.html").write_text(
        '{% extends "base.html" %}{% block body %}{% if %}{% endblock %}', encoding="utf-8")
    with pytest.raises(LetterTemplateError, match=r"msp-minutes\.html has an error on line 1"):
        LetterTemplates(tmp_path).render("msp-minutes", "pdf", words)
    (tmp_path / "msp-minutes.html").write_text(
        '{% extends "base.html" %}{% block body %}{{ letter.chair }}{% endblock %}',
        encoding="utf-8")
    with pytest.raises(LetterTemplateError,
                       match=r"msp-minutes\.html .*does not have: .*'chair'"):
        LetterTemplates(tmp_path).render("msp-minutes", "pdf", words)
    (tmp_path / "msp-minutes.docx").write_bytes(b"not a zip")
    with pytest.raises(LetterTemplateError, match=r"msp-minutes\.docx is not a Word document"):
        LetterTemplates(tmp_path).render("msp-minutes", "docx", words)
    (tmp_path / "letterhead.toml").write_text('authority = "Marshfield"\n', encoding="utf-8")
    with pytest.raises(LetterTemplateError, match=r"letterhead\.toml must give the signatory"):
        LetterTemplates(tmp_path).letterhead()


def test_an_unknown_kind_or_format_is_refused_in_words(templates, letters):
    words = letters["msp-minutes"]["context"]
    with pytest.raises(LetterTemplateError, match="rendered as PDF or Word"):
        templates.render("msp-minutes", "rtf", words)
    with pytest.raises(LetterTemplateError, match="scc has no letter called 'reminder'"):
        templates.render("reminder", "pdf", words)


def test_the_pdf_embeds_liberation_sans_and_is_the_same_bytes_each_time(templates, letters):
    letter = letters["warning-notice-s60"]
    reader = PdfReader(io.BytesIO(letter["pdf"].content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("LiberationSans" in f.replace("-", "") for f in fonts), fonts
    # Check: the same words give the same bytes (no timestamps), in both formats
    again = templates.render("warning-notice-s60", "pdf", letter["context"])
    assert again.content == letter["pdf"].content
    assert templates.render("warning-notice-s60", "docx", letter["context"]).content == \
        letter["docx"].content


def test_the_pdf_is_a4_with_page_numbers(letters):
    reader = PdfReader(io.BytesIO(letters["warning-notice-s60"]["pdf"].content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210, 297)
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()


def test_the_letter_says_the_amended_wording(templates):
    school = a_church_school()
    issue_notice(school, NOTICE_GIVEN)
    version = source_of(school, "warning-notice-s60")
    school.amend_entry(when=when(day_after(NOTICE_GIVEN)), version=version,
                       changes={"matters": "Key stage 2 results fell for three years"},
                       reason="Typing error")
    words = context(school, templates, "warning-notice-s60", NOTICE_GIVEN)
    assert words["letter"]["matters"] == ["Key stage 2 results fell for three years"]


def test_the_word_templates_keep_each_tag_in_one_run():
    """A tag split across Word runs would not render; the script writes each whole."""
    for kind in LETTERS:
        document = docx.Document(DEFAULTS / f"{kind}.docx")
        for paragraph in document.paragraphs:
            for run in paragraph.runs:
                assert run.text.count("{{") == run.text.count("}}"), (kind, run.text)
                assert run.text.count("{%") == run.text.count("%}"), (kind, run.text)
