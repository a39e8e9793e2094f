"""What scc recorded itself (a reminder, a passing) cannot be retracted through the API either."""

from __future__ import annotations

from tests.api.conftest import SCHOOLS

URN = SCHOOLS[1]  # warning notice WN1, whose compliance period has ended
SCHOOL = f"/api/v1/schools/{URN}"


def test_retracting_a_passing_scc_recorded_is_refused_by_its_rule(client, local):
    case_files = local.services.case_files
    today = case_files.clock.today()
    for firing in case_files.firings(URN):
        if firing.on <= today:
            case_files.fire(firing)
    passing = next(e for e in reversed(case_files.history(URN))
                   if e["event"] == "DeadlinePassed")
    version = case_files.version(URN)

    answer = client.post(f"{SCHOOL}/events/{passing['version']}/retraction",
                         headers=local.headers("head"), json={"reason": "Sent in error"})

    assert answer.status_code == 422, answer.get_data(as_text=True)
    body = answer.json
    assert body["rule"] == "scc-own-entries"
    assert "recorded by scc itself" in body["detail"]
    assert case_files.version(URN) == version
