"""Search: the entries of every school found by their words, and the schools whose name or
URN match, as the web's search page finds them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from marshmallow import fields

from application.entry_search import (
    ACCESS_VIEW,
    MARKS,
    MAX_QUERY,
    RANKED,
    EntrySearches,
    QueryRefused,
)
from web.api.auth import ApiBlueprint, api_user
from web.api.paging import PageQuery, page_of, paginate
from web.api.problems import Problem
from web.services import services

blp = ApiBlueprint("Search", __name__, description=(
    "Every school's entries found by their words: descriptions, matters and actions, minutes, "
    "notes, reasons and people's names. Every read is noted in the access log, a row for "
    "each school whose entries a page shows."))


class SearchQuery(PageQuery):
    q = fields.String(required=True, metadata={"description": (
        "Words that must all be found; \"quoted words\" together in that order; a word "
        f"ending in * for words starting with it. At most {MAX_QUERY} characters.")})


class MatchingSchoolSchema(ma.Schema):
    urn = fields.Integer()
    name = fields.String()
    url = fields.String(metadata={"description": "The school's resource"})


class EntryFoundSchema(ma.Schema):
    urn = fields.Integer()
    school = fields.String(allow_none=True, metadata={"description": "The school's name"})
    version = fields.Integer(metadata={"description": "The entry's number in its case file"})
    event = fields.String(metadata={"description": "The kind of entry"})
    summary = fields.String(metadata={"description": "The entry in one line"})
    snippet = fields.String(metadata={"description": "Its words around the words found"})
    highlights = fields.List(fields.List(fields.Integer()), metadata={
        "description": "Where the words found are in the snippet: [start, end) offsets"})
    effective = fields.Date()
    recorded_at = fields.AwareDateTime()
    recorded_by = fields.String()
    correction = fields.String(allow_none=True, metadata={
        "description": "retracted or amended, if a later entry corrected it", "enum": [
            "retracted", "amended", None]})
    events_url = fields.String(metadata={"description": "The school's entries (API)"})
    web_url = fields.String(metadata={"description": "The entry on its case file, for people"})


class SearchPageSchema(page_of(EntryFoundSchema)):  # type: ignore[misc]
    schools = fields.List(fields.Nested(MatchingSchoolSchema), metadata={
        "description": "The first schools whose name or URN match, by name"})
    schools_total = fields.Integer(metadata={"description": "How many schools match"})
    more = fields.Boolean(metadata={"description": (
        f"Whether more than {RANKED} entries match: then only the {RANKED} most recently "
        "recorded are ranked and paged (total), and more words find older ones")})


@blp.route("/search", methods=["GET"])
@blp.requires("read")
@blp.arguments(SearchQuery, location="query")
@blp.response(200, SearchPageSchema)
def search(query: dict[str, Any]) -> Any:
    """Search every case file

    The entries whose words match, most relevant first and newest first among equals, a
    page at a time (a Link header gives the others), with the schools whose name or URN
    match. A retracted entry is still found, marked retracted; an amended one by its words
    as amended. 422 if the query has nothing to search for or is too long.
    """
    page, page_size = query["page"], query["page_size"]
    try:
        results = EntrySearches(services().projections).search(
            query["q"], limit=page_size, offset=(page - 1) * page_size)
    except QueryRefused as refusal:
        raise Problem(422, str(refusal), kind="invalid-request", errors=[
            {"location": "query", "field": "q", "message": str(refusal)}]) from None
    shown = list(dict.fromkeys(entry["urn"] for entry in results.entries))
    services().users.record_accesses(email=api_user()["email"], urns=shown, view=ACCESS_VIEW)
    body, headers = paginate(results.entries, page, page_size, total=results.total)
    body["items"] = [_found(entry) for entry in results.entries]
    body["schools"] = [{"urn": s["urn"], "name": s["name"], "url": url_for(
        "Schools.school", urn=s["urn"], _external=True)} for s in results.schools]
    body["schools_total"] = results.schools_total
    body["more"] = results.more
    return body, headers


def _found(entry: dict[str, Any]) -> dict[str, Any]:
    snippet, highlights = unmarked(entry["snippet"] or "")
    return {
        "urn": entry["urn"], "school": entry["name"], "version": entry["version"],
        "event": entry["event"], "summary": entry["summary"], "snippet": snippet,
        "highlights": highlights, "effective": entry["effective"],
        "recorded_at": entry["recorded_at"], "recorded_by": entry["recorded_by"],
        "correction": entry["correction"] or None,
        "events_url": url_for("Schools.events", urn=entry["urn"], _external=True),
        "web_url": url_for("schools.entry", urn=entry["urn"], version=entry["version"],
                           _external=True),
    }


def unmarked(snippet: str) -> tuple[str, list[list[int]]]:
    """The snippet without the stores' marks, and where the marked words were in it."""
    text: list[str] = []
    spans: list[list[int]] = []
    for character in snippet:
        if character == MARKS[0]:
            spans.append([len(text), len(text)])
        elif character == MARKS[1]:
            if spans:
                spans[-1][1] = len(text)
        else:
            text.append(character)
    return "".join(text), [span for span in spans if span[1] > span[0]]
