"""A change made against the version someone read (the API's If-Match), on SQLite and PostgreSQL:
recorded if the case file is still at that version, refused and not retried if it is not."""

from __future__ import annotations

import pytest

from application.case_files import StaleCaseFile
from tests.integration.test_case_file_scenarios import HEAD, URN, register, reopen


def test_a_change_against_the_current_version_is_recorded_with_its_new_version(case_files):
    register(case_files)
    read = case_files.version(URN)

    with case_files.recording_against(URN, read) as receipt:
        concern = case_files.raise_concern(URN, by=HEAD, ground="standards",
                                           description="Attendance")

    assert (concern, receipt.version) == ("C1", read + 1)
    assert case_files.version(URN) == read + 1


def test_a_change_against_an_old_version_records_nothing(case_files, database_url):
    register(case_files)
    read = case_files.version(URN)
    other = reopen(case_files, database_url)  # another web worker, on the same store
    other.raise_concern(URN, by="Caseworker", ground="finance", description="Deficit")

    with pytest.raises(StaleCaseFile, match=f"changed after version {read} was read"), \
            case_files.recording_against(URN, read):
        case_files.raise_concern(URN, by=HEAD, ground="standards", description="Attendance")

    assert [c["description"] for c in case_files.school(URN)["open_concerns"]] == ["Deficit"]
    other.close()


def test_a_change_overtaken_while_it_is_saved_is_not_retried(case_files, database_url):
    register(case_files)
    read = case_files.version(URN)
    other = reopen(case_files, database_url)

    def overtaken(case_file, when):
        other.raise_concern(URN, by="Caseworker", ground="finance", description="Deficit")
        return case_file.raise_concern(when=when, ground="standards", description="Attendance")

    with pytest.raises(StaleCaseFile, match="someone else recorded a change meanwhile"), \
            case_files.recording_against(URN, read):
        case_files._change(URN, HEAD, None, overtaken)

    # Check the other writer's concern alone was kept: no retry on the fresh file
    assert [c["description"] for c in case_files.school(URN)["open_concerns"]] == ["Deficit"]
    other.close()


def test_without_a_version_a_change_is_recorded_whatever_the_version(case_files):
    register(case_files)

    with case_files.recording_against(URN) as receipt:
        case_files.raise_concern(URN, by=HEAD, ground="standards", description="Attendance")
        case_files.raise_concern(URN, by=HEAD, ground="finance", description="Deficit")

    assert receipt.version == case_files.version(URN) == 3
