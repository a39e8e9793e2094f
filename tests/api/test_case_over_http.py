"""A whole case driven through the API alone, over HTTP, on an SQLite file and on PostgreSQL:
concern, warning notice, not complied with, written notice, eligible, IEB application,
consent, IEB constituted; then its history and status, read back as a data warehouse would."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.client import ApiClient, served

URN = 123456
SCHOOL = {"urn": URN, "name": "Fenmarsh Church of England Primary", "phase": "Primary",
          "establishment_type": "Voluntary aided school", "governance": "maintained",
          "la_code": "874", "pupils": 180, "religious_character": "Church of England",
          "effective": "2012-09-01"}


def test_a_case_from_concern_to_interim_executive_board(world):
    given = (date.today() - timedelta(days=60)).isoformat()
    # 15 working days run out within 30 days; the IEB comes a month after the notice of
    # intervention, once its reasonable notice has run.
    failed = (date.today() - timedelta(days=30)).isoformat()
    with served(world.app) as port:
        head = ApiClient(port, world.tokens["head"])
        school = f"/api/v1/schools/{URN}"

        registered = head.post("/api/v1/schools", SCHOOL)
        assert registered.status == 201, registered.body
        assert registered.headers["Location"] == school and registered.etag == '"1"'

        concern = head.post(f"{school}/concerns", {
            "ground": "standards", "effective": given, "source": "performance data",
            "description": "Reading at the end of key stage 2 fell for a third year"},
            If_Match=registered.etag)
        assert concern.status == 201, concern.body
        assert concern.body["id"] == "C1" and concern.etag == '"2"'

        # The LA's policy (sign-off): a caseworker drafts the statutory steps, the head
        # approves each, and the approval records the step.
        caseworker = ApiClient(port, world.tokens["caseworker"])

        def approved(path: str, body: dict, etag: str | None):
            drafted = caseworker.post(path, body, If_Match=etag)
            assert drafted.status == 202, (path, drafted.body)
            return head.post(drafted.headers["Location"] + "/approval", {},
                             If_Match=drafted.etag)

        notice = approved(f"{school}/warning-notices", {
            "grounds": ["a"], "effective": given, "compliance_period": 15,
            "matters": "Standards of reading", "required_actions": "A reading plan",
            "minded_action": "Apply for an interim executive board"}, concern.etag)
        assert notice.status == 201, notice.body
        assert notice.body["id"] == "WN1"

        # Check a change against a version read before the notice is refused, not recorded
        stale = head.post(f"{school}/concerns", {"ground": "finance", "description": "Deficit"},
                          If_Match=concern.etag)
        assert stale.status == 409
        assert stale.headers["Content-Type"] == "application/problem+json"
        assert "Re-read it and retry" in stale.body["detail"]

        steps = [
            (f"{school}/warning-notices/WN1/compliance",
             {"complied": False, "evidence": "No reading plan was sent", "effective": failed}),
            (f"{school}/warning-notices/WN1/intervention-notice",
             {"proposed_powers": ["s65"], "effective": failed,
              "proposed_action": "Replace the governing body with an IEB"}),
            (f"{school}/ieb-applications", {"rationale": "Governors did not act on WN1"}),
            (f"{school}/ieb-applications/IEB1/consultations",
             {"consultee": "governing body", "response": "Opposed"}),
            (f"{school}/ieb-applications/IEB1/consultations",
             {"consultee": "diocesan authority", "response": "Supports an IEB"}),
            (f"{school}/ieb-applications/IEB1/submission", {}),
            (f"{school}/ieb-applications/IEB1/decision", {"consent": True}),
            (f"{school}/ieb-applications/IEB1/constitution",
             {"members": ["Ann Chair", "Ben Finance", "Cy Standards"],
              "instrument_on": date.today().isoformat(),
              "terms": {"Ann Chair": "Chair; two days a month", "Ben Finance": "Unpaid",
                        "Cy Standards": "Unpaid"}}),
        ]
        etag = notice.etag
        for path, body in steps:
            drafted = path.endswith(("/intervention-notice", "/submission"))
            done = (approved(path, body, etag) if drafted
                    else head.post(path, body, If_Match=etag))
            assert done.status == 201, (path, done.body)
            etag = done.etag

        # Check the status, as the data warehouse reads it
        status = head.get(school)
        assert status.status == 200
        board = status.body["ieb"]
        assert board["members"] == ["Ann Chair", "Ben Finance", "Cy Standards"]
        assert board["appointments"][0] == {"name": "Ann Chair",
                                            "terms": "Chair; two days a month",
                                            "instrument_on": date.today().isoformat()}
        assert board["starts_on"] == date.today().isoformat()
        assert [e["route"] for e in status.body["eligibility"]] == ["warning_notice"]
        assert status.body["ieb_applications"][0]["stage"] == "constituted"
        assert status.body["warning_notices"][0]["status"] == "not complied with"
        assert status.body["causing_concern"] is True
        assert [(c["concern_id"], c["source"]) for c in status.body["open_concerns"]] == [
            ("C1", "performance data")]
        assert status.body["version"] == int(etag.strip('"'))
        assert head.get(school, If_None_Match=status.etag).status == 304

        # Check the history, page by page, in the order it was recorded
        entries = list(head.every(f"{school}/events?page_size=4"))
        assert [e["event"] for e in entries] == [
            "Registered", "ConcernRaised", "StepDrafted", "WarningNoticeIssued",
            "DraftApproved", "ComplianceRecorded", "StepDrafted", "InterventionNoticeGiven",
            "BecameEligible", "DraftApproved", "IEBApplicationDrafted",
            "IEBConsultationRecorded", "IEBConsultationRecorded", "StepDrafted",
            "IEBApplicationSubmitted", "DraftApproved", "IEBConsentGiven", "IEBConstituted"]
        assert [e["version"] for e in entries] == list(range(1, 19))
        assert entries[2]["by"] == "Casey Worker"  # drafted by the caseworker
        assert entries[3]["effective"] == given and entries[3]["by"] == "Helen Marsh"
        assert entries[3]["details"]["compliance_period"] == 15

        # Check an auditor sees the school as it stood before the board, and the chain holds
        auditor = ApiClient(port, world.tokens["auditor"])
        before = auditor.get(f"{school}?as_at={given}")
        assert before.status == 200 and before.body["ieb"] is None
        assert [n["status"] for n in before.body["warning_notices"]] == ["open"]
        assert auditor.get(f"{school}/verification").body["ok"] is True
        head.close()
        caseworker.close()
        auditor.close()

    views = [(e["email"], e["view"]) for e in world.services.users.access_log(urn=URN)]
    assert ("helen@fenmarsh.example", "api status") in views
    assert ("helen@fenmarsh.example", "api events") in views
    assert ("audrey@fenmarsh.example", f"api status as at {given}") in views
