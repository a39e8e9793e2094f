"""Pupil referral units from the real GIAS sample: kept on the register, but not maintained
schools of EIA 2006 s59(1), so the intervention powers are refused in their own words."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.importers.gias import read_establishments
from application.imports import import_schools
from domain.areas.core import MAINTAINED_SCHOOLS
from domain.errors import CaseFileError
from domain.rules import rule_of
from tests.integration.test_real_files import NPQ_SAMPLE
from tests.sign_off import approved


def test_s59_maintained_schools_refuses_a_warning_notice_to_a_real_pupil_referral_unit(
        case_files):
    import_schools(case_files, read_establishments(NPQ_SAMPLE).records, by="GIAS import")

    for urn in (100006, 100007):  # CCfL Key Stage 4 PRU; Camden Primary PRU
        # Check the importer kept each as a pupil referral unit
        school = case_files.school(urn)
        assert school["governance"] == "pupil referral unit"
        # Check a warning notice is refused, naming the PRU and the rule
        with pytest.raises(CaseFileError, match="is a pupil referral unit") as refusal:
            approved(case_files, "issue_warning_notice",
                urn, by="Head of School Improvement", effective=date(2026, 1, 12),
                grounds=["a"], matters="Attendance", required_actions="An attendance plan",
                minded_action="Appoint additional governors", compliance_period=20)
        assert rule_of(refusal.value) is MAINTAINED_SCHOOLS
        assert f"{school['name']} is a pupil referral unit" in str(refusal.value)
