"""Academy orders and RISE over the API: recorded, refused in the case file's words, read back."""

from __future__ import annotations

from datetime import date

from tests.api.conftest import SCHOOLS

URN = SCHOOLS[0]  # nothing recorded but its registration on 1 September 2015
SCHOOL = f"/api/v1/schools/{URN}"


def test_an_academy_order_is_recorded_and_revoked_over_the_api(client, local):
    head = local.headers("head")
    local.services.case_files.record_inspection(
        URN, by="tests", published_on=date(2020, 2, 7), inspected_on=date(2020, 1, 14),
        overall=4, category="special measures")
    assert client.get(SCHOOL, headers=head).json["academy_order_expected"] is True

    refused = client.post(f"{SCHOOL}/academy-orders", headers=head, json={
        "basis": "power", "effective": "2020-03-20", "reference": "DfE ref AO/2020/117"})
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert "record it on the duty basis" in refused.json["detail"]

    made = client.post(f"{SCHOOL}/academy-orders", headers=head, json={
        "basis": "duty", "effective": "2020-03-20", "reference": "DfE ref AO/2020/117"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.json["id"] == "AO1"
    school = client.get(SCHOOL, headers=head).json
    assert school["academy_order_expected"] is False
    assert [(o["order_id"], o["basis"], o["status"]) for o in school["academy_orders"]] == [
        ("AO1", "duty", "made")]

    missing = client.post(f"{SCHOOL}/academy-orders/AO9/revocation", headers=head,
                          json={"reason": "Improved"})
    assert missing.status_code == 404
    revoked = client.post(f"{SCHOOL}/academy-orders/AO1/revocation", headers=head,
                          json={"effective": "2021-02-01", "reason": "School improved"})
    assert revoked.status_code == 201, revoked.get_data(as_text=True)
    assert client.get(SCHOOL, headers=head).json["academy_orders"][0]["status"] == "revoked"


def test_an_unknown_basis_is_refused_by_the_schema(client, local):
    answer = client.post(f"{SCHOOL}/academy-orders", headers=local.headers("head"),
                         json={"basis": "la_power", "reference": "x"})
    assert answer.status_code == 422
    assert "basis" in answer.get_data(as_text=True)


def test_rise_targeted_intervention_over_the_api(client, local):
    head = local.headers("head")
    for path, body in (
        ("/rise", {"effective": "2025-09-08", "basis": "Requires significant improvement"}),
        ("/rise/adviser", {"effective": "2025-09-15", "adviser": "Priya Shah"}),
        ("/rise/plan", {"effective": "2025-10-06", "summary": "Reading and attendance"}),
        ("/rise/reviews", {"effective": "2025-11-17", "notes": "On track",
                           "outcome": "Continue"}),
    ):
        answer = client.post(f"{SCHOOL}{path}", headers=head, json=body)
        assert answer.status_code == 201, (path, answer.get_data(as_text=True))
    rise = client.get(SCHOOL, headers=head).json["rise"]
    assert (rise["adviser"], rise["plan_agreed_on"], rise["reviews"][0]["review_id"]) == (
        "Priya Shah", "2025-10-06", "RR1")

    again = client.post(f"{SCHOOL}/rise", headers=head, json={"basis": "Again"})
    assert again.status_code == 422
    assert "record its exit first" in again.json["detail"]
