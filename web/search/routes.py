"""The search page: entries of every school found by their words, a page of 50 at a time,
with the schools whose name or URN match above them."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from application.access import may
from application.entry_search import (
    ACCESS_VIEW,
    MARKS,
    MAX_QUERY,
    EntrySearches,
    QueryRefused,
)
from web.pagination import Page, asked_page
from web.search import bp
from web.services import services

PER_PAGE = 50


@bp.get("/search")
def index() -> Any:
    if g.get("user") is None:
        return redirect(url_for("auth.sign_in", next=request.full_path))
    text = request.args.get("q", "")
    if not may(g.user["role"], "read"):
        return render_template("search/index.html", text=text, may_read=False,
                               max_query=MAX_QUERY)
    if not text.strip():
        return render_template("search/index.html", text=text, may_read=True,
                               max_query=MAX_QUERY)
    searches = EntrySearches(services().projections)
    number = asked_page()
    try:
        results = searches.search(text, limit=PER_PAGE, offset=(number - 1) * PER_PAGE,
                                  with_schools=number == 1)
    except QueryRefused as refusal:
        return render_template("search/index.html", text=text, may_read=True,
                               max_query=MAX_QUERY, problem=str(refusal)), 400
    page = Page.asked(number, results.total, PER_PAGE)
    if page.number != number:  # past the last page: the last one
        results = searches.search(text, limit=PER_PAGE, offset=(page.number - 1) * PER_PAGE,
                                  with_schools=page.number == 1)
    shown = list(dict.fromkeys(entry["urn"] for entry in results.entries))
    services().users.record_accesses(email=g.user["email"], urns=shown, view=ACCESS_VIEW)
    return render_template(
        "search/index.html", text=text, may_read=True, max_query=MAX_QUERY,
        results=results, page=page, highlighted=highlighted,
        pagination=page.component(lambda n: url_for("search.index", q=text, page=n),
                                  "Pages of results"))


def highlighted(snippet: str | None) -> Markup:
    """A snippet with the words matched marked up: the text escaped first, then the stores'
    marks (MARKS) turned into <mark> elements, every one closed."""
    opened = False
    parts = []
    for character in str(escape(snippet or "")):
        if character == MARKS[0] and not opened:
            parts.append("<mark>")
            opened = True
        elif character == MARKS[1] and opened:
            parts.append("</mark>")
            opened = False
        elif character == "\n":  # between one field of the entry and the next
            parts.append(" · ")
        elif character not in MARKS:
            parts.append(character)
    if opened:
        parts.append("</mark>")
    return Markup("".join(parts))  # noqa: S704 - escaped above; only <mark> is added
