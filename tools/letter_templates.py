"""Writes scc's default letter templates from one wording per kind of letter: the Jinja HTML
each PDF is rendered from, and the Word template (docxtpl) an officer edits before sending.

    python -m tools.letter_templates      # rewrites adapters/letters/templates/<kind>.*

Both formats come from the same blocks below, so they say the same thing. The output is
committed, and is the same bytes each time it is written. An LA's own templates are edited by
hand in its templates folder; this script writes only the defaults.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.letters import DEFAULTS, same_dates  # noqa: E402
from domain.areas.documents import LETTERS  # noqa: E402

# Blocks: ("h", text) a heading; ("p", text) a paragraph; ("field", label, text) a paragraph
# with a bold label; ("paras", list) a paragraph for each item; ("bullets", list) a bulleted
# item for each; ("if", condition, blocks); ("for", "x in list", blocks). Text may hold Jinja
# expressions ({{ ... }}, and inline {% if %} within one paragraph).

STATUTORY_BASIS = [("h", "Statutory basis"), ("bullets", "letter.statutory_basis")]

COMPLIANCE = [
    ("h", "The compliance period"),
    ("if", "letter.comply_by_date", [
        ("p", "The governing body must take the action above by {{ letter.compliance_date }}: "
              "a compliance period of {{ letter.compliance_period }}, beginning on "
              "{{ letter.compliance_starts }}."),
    ]),
    ("if", "not letter.comply_by_date", [
        ("p", "The governing body must take the action above within a compliance period of "
              "{{ letter.compliance_period }}, beginning on {{ letter.compliance_starts }} "
              "and ending on {{ letter.compliance_date }}."),
    ]),
    ("if", "letter.representations", [
        ("h", "Representations"),
        ("p", "{{ letter.representations }}"),
    ]),
    ("h", "The action the local authority is minded to take"),
    ("p", "If the governing body does not comply with this notice to the local authority's "
          "satisfaction by the end of the compliance period, the local authority is minded "
          "to take the following action:"),
    ("paras", "letter.minded_action"),
    ("p", "The school would then be eligible for intervention once the local authority has "
          "given the governing body reasonable notice in writing that it proposes to use its "
          "powers."),
]

NOTICE_AFTER = [
    ("if", "letter.copies_to", [
        ("field", "Copies to:", "{{ letter.copies_to | join('; ') }}"),
    ]),
    *STATUTORY_BASIS,
]

KINDS: dict[str, dict[str, list]] = {
    "warning-notice-s60": {
        "heading": "Warning notice: performance standards and safety",
        "body": [
            ("h", "Education and Inspections Act 2006, section 60"),
            ("p", "This is a warning notice given by {{ authority.name }} to the governing body "
                  "of {{ school.name }} (URN {{ school.urn }}) under section 60 of the "
                  "Education and Inspections Act 2006. It is given on {{ letter.given_on }} "
                  "(notice {{ letter.notice_id }})."),
            ("h", "Grounds"),
            ("p", "The local authority is satisfied that:"),
            ("bullets", "letter.grounds"),
            ("h", "The matters on which this notice is based"),
            ("paras", "letter.matters"),
            ("h", "The action the governing body is required to take"),
            ("paras", "letter.required_actions"),
            *COMPLIANCE,
        ],
        "after": NOTICE_AFTER,
    },
    "warning-notice-s60a": {
        "heading": "Warning notice: teachers' pay and conditions",
        "body": [
            ("h", "Education and Inspections Act 2006, section 60A"),
            ("p", "This is a teachers' pay and conditions warning notice given by "
                  "{{ authority.name }} to the governing body of {{ school.name }} (URN "
                  "{{ school.urn }}) under section 60A of the Education and Inspections Act "
                  "2006. It is given on {{ letter.given_on }} (notice {{ letter.notice_id }})."),
            ("h", "Grounds"),
            ("p", "The local authority is satisfied that:"),
            ("bullets", "letter.grounds"),
            ("h", "The matters on which this notice is based"),
            ("paras", "letter.matters"),
            ("h", "The action the governing body is required to take"),
            ("paras", "letter.required_actions"),
            *COMPLIANCE,
        ],
        "after": NOTICE_AFTER,
    },
    "letter-of-concern": {
        "heading": "Letter of concern",
        "body": [
            ("p", "I am writing to set out the local authority's concerns about "
                  "{{ school.name }} (URN {{ school.urn }})."),
            ("paras", "letter.summary"),
            ("h", "The concerns"),
            ("for", "concern in letter.concerns", [
                ("field", "{{ concern.ground }}",
                 "(concern {{ concern.concern_id }}, raised on {{ concern.raised_on }})"),
                ("paras", "concern.description"),
                ("if", "concern.evidence", [
                    ("field", "Evidence:", "{{ concern.evidence | join(' ') }}"),
                ]),
            ]),
            ("p", "Please contact me to discuss how the school will address these concerns."),
        ],
        "after": [],
    },
    "notice-of-intervention": {
        "heading": "Notice of intervention",
        "body": [
            ("h", "Education and Inspections Act 2006, section 60(1)(d)"),
            ("p", "On {{ letter.warning_notice_given_on }} the local authority gave the "
                  "governing body of {{ school.name }} (URN {{ school.urn }}) a warning notice "
                  "(notice {{ letter.notice_id }}: {{ letter.warning_notice }}). The compliance "
                  "period ended on {{ letter.compliance_date }}, and the governing body did not "
                  "comply with the notice to the local authority's satisfaction"
                  "{% if letter.compliance_recorded_on %} (recorded on "
                  "{{ letter.compliance_recorded_on }}){% endif %}."),
            ("if", "letter.proposed_powers", [
                ("p", "The local authority gives notice that it proposes to:"),
                ("bullets", "letter.proposed_powers"),
            ]),
            ("if", "letter.proposed_action", [
                ("h", "The proposed action"),
                ("paras", "letter.proposed_action"),
            ]),
            ("if", "letter.powers_from", [
                ("p", "The local authority may use these powers from {{ letter.powers_from }}."),
            ]),
        ],
        "after": STATUTORY_BASIS,
    },
    "ieb-consultation": {
        "heading": "Proposal for an interim executive board: consultation",
        "body": [
            ("p", "The local authority proposes to apply to the Secretary of State for consent "
                  "to replace the governing body of {{ school.name }} (URN {{ school.urn }}) "
                  "with an interim executive board under section 65 of the Education and "
                  "Inspections Act 2006. {{ school.name }} is {{ school.category }}: before "
                  "applying, the local authority consults the "
                  "{{ letter.consultees | join(' and the ') | lower }}. This letter consults "
                  "you as the {{ letter.consultee }}."),
            ("h", "Why the school is eligible for intervention"),
            ("bullets", "letter.eligibility"),
            ("h", "Why the local authority proposes an interim executive board"),
            ("paras", "letter.rationale"),
            ("if", "letter.warning_notices", [
                ("h", "Warning notices"),
                ("bullets", "letter.warning_notices"),
            ]),
            ("h", "Your views"),
            ("p", "Please send your views on this proposal to {{ signatory.name }} at the "
                  "address above{% if authority.email %} or by email to {{ authority.email }}"
                  "{% endif %}, quoting our reference {{ reference }}."),
        ],
        "after": STATUTORY_BASIS,
    },
    "ieb-application": {
        "heading": "Application for consent to an interim executive board",
        "body": [
            ("p", "{{ authority.name }} applies for the Secretary of State's consent to "
                  "replace the governing body of {{ school.name }} (URN {{ school.urn }}), "
                  "{{ school.category }}, with an interim executive board under section 65 of "
                  "the Education and Inspections Act 2006 (application "
                  "{{ letter.application_id }})."),
            ("h", "Why the school is eligible for intervention"),
            ("bullets", "letter.eligibility"),
            ("h", "Why the local authority proposes an interim executive board"),
            ("paras", "letter.rationale"),
            ("h", "Warning notices and compliance"),
            ("if", "letter.warning_notices", [("bullets", "letter.warning_notices")]),
            ("if", "not letter.warning_notices", [("p", "No warning notice is recorded.")]),
            ("h", "Consultation"),
            ("p", "The local authority consults the "
                  "{{ letter.consultees | join(' and the ') | lower }}."),
            ("for", "consultation in letter.consultations", [
                ("field", "{{ consultation.consultee }}",
                 "(response recorded on {{ consultation.recorded_on }})"),
                ("paras", "consultation.response"),
            ]),
            ("if", "letter.not_yet_consulted", [
                ("p", "No response is recorded yet from the "
                      "{{ letter.not_yet_consulted | join(' and the ') | lower }}."),
            ]),
        ],
        "after": STATUTORY_BASIS,
    },
    "msp-minutes": {
        "heading": "MSP meeting minutes",
        "body": [
            ("p", "Meeting {{ letter.meeting_id }} of the MSP group for {{ school.name }} "
                  "(URN {{ school.urn }}), held on {{ letter.held_on }}."),
            ("h", "Attended"),
            ("bullets", "letter.attendees"),
            ("h", "Minutes"),
            ("paras", "letter.minutes"),
            ("h", "Actions agreed"),
            ("for", "action in letter.actions", [
                ("field", "{{ action.action_id }}:",
                 "{{ action.description }} Owner: {{ action.owner }}. Due: {{ action.due }}."),
            ]),
            ("if", "not letter.actions", [("p", "No actions were agreed.")]),
            ("p", "Recorded by {{ letter.recorded_by }}."),
        ],
        "after": [],
    },
}


# HTML -----------------------------------------------------------------------------------------

def html_template(kind: str) -> str:
    spec = KINDS[kind]
    lines = [
        f"{{# {LETTERS[kind].title}: written by tools/letter_templates.py. An LA edits its own "
        "copy in its templates folder. #}",
        '{% extends "base.html" %}',
        f"{{% block heading %}}{spec['heading']}{{% endblock %}}",
        "{% block body %}", *_html(spec["body"]), "{% endblock %}",
        "{% block after %}", *_html(spec["after"]), "{% endblock %}",
    ]
    return "\n".join(lines) + "\n"


def _html(blocks: list, depth: int = 0) -> list[str]:
    pad = "  " * depth
    out = []
    for block in blocks:
        what = block[0]
        if what == "h":
            out.append(f"{pad}<h2>{block[1]}</h2>")
        elif what == "p":
            out.append(f"{pad}<p>{block[1]}</p>")
        elif what == "field":
            out.append(f"{pad}<p><strong>{block[1]}</strong> {block[2]}</p>")
        elif what == "paras":
            out += [f"{pad}{{% for paragraph in {block[1]} %}}",
                    f"{pad}<p>{{{{ paragraph }}}}</p>", f"{pad}{{% endfor %}}"]
        elif what == "bullets":
            out += [f"{pad}<ul>", f"{pad}{{% for item in {block[1]} %}}",
                    f"{pad}  <li>{{{{ item }}}}</li>", f"{pad}{{% endfor %}}", f"{pad}</ul>"]
        elif what == "if":
            out += [f"{pad}{{% if {block[1]} %}}", *_html(block[2], depth + 1),
                    f"{pad}{{% endif %}}"]
        elif what == "for":
            out += [f"{pad}{{% for {block[1]} %}}", *_html(block[2], depth + 1),
                    f"{pad}{{% endfor %}}"]
        else:
            raise ValueError(f"unknown block {what!r}")
    return out


# Word -----------------------------------------------------------------------------------------
# Each Jinja tag is written as a whole run of its own paragraph (or within one run), so that
# Word never splits it; "{%p ... %}" paragraphs are removed by docxtpl when it renders.

FIXED_TIME = datetime(2026, 12, 1)


def docx_template(kind: str) -> bytes:
    spec = KINDS[kind]
    document = Document()
    _styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = Mm(20)
    section.bottom_margin = Mm(22)
    _page_numbers(section.footer.paragraphs[0])

    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    name.add_run("{{ authority.name }}").bold = True
    _for(document, "line in authority.address", [("right", "{{ line }}")])
    _if(document, "authority.phone", [("right", "Telephone {{ authority.phone }}")])
    _if(document, "authority.email", [("right", "{{ authority.email }}")])
    _if(document, "authority.website", [("right", "{{ authority.website }}")])
    document.add_paragraph()
    _if(document, "recipient", [("for", "line in recipient.lines", [("p", "{{ line }}")]),
                                ("for", "line in school.address", [("p", "{{ line }}")])])
    document.add_paragraph("Our reference: {{ reference }}")
    document.add_paragraph("Date: {{ dated }}")
    document.add_heading(spec["heading"], level=1)
    _if(document, "recipient", [("p", "{{ recipient.salutation }},")])
    _docx(document, spec["body"])
    document.add_paragraph()
    _if(document, "recipient", [("p", "Yours sincerely,")])
    _if(document, "not recipient", [("p", "Issued by")])
    document.add_paragraph()
    for line in ("{{ signatory.name }}", "{{ signatory.role }}", "{{ authority.name }}"):
        document.add_paragraph(line)
    if spec["after"]:
        document.add_paragraph()
        _docx(document, spec["after"])

    properties = document.core_properties
    properties.title = LETTERS[kind].title
    properties.author = properties.last_modified_by = "scc"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    out = io.BytesIO()
    document.save(out)
    return same_dates(out.getvalue())


def _styles(document: Document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    for style in ("Heading 1", "Heading 2"):
        document.styles[style].font.name = "Arial"


def _page_numbers(paragraph: object) -> None:
    """"Page 1 of 2", counted by Word's PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    paragraph.add_run(" of ")
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="NUMPAGES"><w:r><w:t>1</w:t></w:r>'
        "</w:fldSimple>"))


def _if(document: Document, condition: str, blocks: list) -> None:
    document.add_paragraph(f"{{%p if {condition} %}}")
    _docx(document, blocks)
    document.add_paragraph("{%p endif %}")


def _for(document: Document, loop: str, blocks: list) -> None:
    document.add_paragraph(f"{{%p for {loop} %}}")
    _docx(document, blocks)
    document.add_paragraph("{%p endfor %}")


def _docx(document: Document, blocks: list) -> None:
    for block in blocks:
        what = block[0]
        if what == "h":
            document.add_heading(block[1], level=2)
        elif what == "p":
            document.add_paragraph(block[1])
        elif what == "right":
            document.add_paragraph(block[1]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif what == "field":
            paragraph = document.add_paragraph()
            paragraph.add_run(block[1]).bold = True
            paragraph.add_run(" " + block[2])
        elif what == "paras":
            _for(document, f"paragraph in {block[1]}", [("p", "{{ paragraph }}")])
        elif what == "bullets":
            document.add_paragraph(f"{{%p for item in {block[1]} %}}")
            document.add_paragraph("{{ item }}", style="List Bullet")
            document.add_paragraph("{%p endfor %}")
        elif what == "if":
            _if(document, block[1], block[2])
        elif what == "for":
            _for(document, block[1], block[2])
        else:
            raise ValueError(f"unknown block {what!r}")


def main() -> None:
    for kind in LETTERS:
        (DEFAULTS / f"{kind}.html").write_text(html_template(kind), encoding="utf-8")
        (DEFAULTS / f"{kind}.docx").write_bytes(docx_template(kind))
        print(f"wrote {kind}.html and {kind}.docx")


if __name__ == "__main__":
    main()
