"""The rulebook: every rule of law and policy scc holds a case file to, chapter by chapter."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from marshmallow import fields

from application import rulebook
from domain.rules import KINDS
from web.api.auth import ApiBlueprint

blp = ApiBlueprint("Rules", __name__, description=(
    "The rules of law and policy a case file is held to. A refusal (problem type refused) "
    "names the rule it rests on by its key."))


class RulesQuery(ma.Schema):
    on = fields.Date(load_default=None, metadata={
        "description": "Only the rules in force on this date (ISO 8601); every rule if none"})


class RuleSchema(ma.Schema):
    key = fields.String(metadata={"description": "The rule's stable name, as a refusal's "
                                                 "rule field gives it"})
    title = fields.String()
    says = fields.String(metadata={"description": "What the rule requires, in a sentence"})
    source = fields.String(metadata={"description": "The provision or policy it comes from"})
    kind = fields.String(metadata={"description": ", ".join(f"{k}: {v}"
                                                            for k, v in KINDS.items()),
                                   "enum": list(KINDS)})
    kind_label = fields.String(metadata={"description": "The kind, in words"})
    applies_from = fields.Date(allow_none=True, metadata={
        "description": "The first day it applies, if it has one"})
    applies_until = fields.Date(allow_none=True, metadata={
        "description": "The last day it applies, if it has ended"})
    applies = fields.String(metadata={"description": "When it applies, in words"})
    unconfirmed = fields.String(metadata={
        "description": "Why its default or reading is unconfirmed, if it is; else empty"})
    setting = fields.String(metadata={
        "description": "The LA policy file's key that may change it, if any; else empty"})
    url = fields.String(metadata={"description": "The rule on the rules page, for people"})


class ChapterSchema(ma.Schema):
    key = fields.String()
    title = fields.String()
    summary = fields.String()
    rules = fields.List(fields.Nested(RuleSchema))


class RulebookSchema(ma.Schema):
    on = fields.Date(allow_none=True, metadata={"description": "The date asked for, if any"})
    chapters = fields.List(fields.Nested(ChapterSchema))


@blp.route("/rules", methods=["GET"])
@blp.signed_in
@blp.arguments(RulesQuery, location="query")
@blp.response(200, RulebookSchema)
def rules(query: dict[str, Any]) -> Any:
    """The rulebook

    Every rule, chapter by chapter (one chapter an area of the case file), or only those in
    force on a date. Any role's token may read it.
    """
    chapters = rulebook.chapters(on=query["on"])
    for chapter in chapters:
        for rule in chapter["rules"]:
            rule["url"] = url_for("rules.index", _anchor=rule["key"], _external=True)
    return {"on": query["on"], "chapters": chapters}
