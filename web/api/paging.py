"""Pages of a list: ``page`` and ``page_size`` in the query; the total, the page count and links
to the first, previous, next and last pages in the body, and the same links in a Link header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from flask import request, url_for

PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10**6),
                             metadata={"description": "Which page, from 1"})
    page_size = ma.fields.Integer(load_default=PAGE_SIZE,
                                  validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
                                  metadata={"description": "Items a page"})


class PageLinks(ma.Schema):
    self = ma.fields.String(required=True)
    first = ma.fields.String(required=True)
    last = ma.fields.String(required=True)
    prev = ma.fields.String(allow_none=True, metadata={"description": "None on the first page"})
    next = ma.fields.String(allow_none=True, metadata={"description": "None on the last page"})


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of a page of ``item_schema``: its items, where it is and the links."""
    name = item_schema.__name__.removesuffix("Schema")
    return type(f"{name}PageSchema", (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "page": ma.fields.Integer(required=True),
        "page_size": ma.fields.Integer(required=True),
        "pages": ma.fields.Integer(required=True, metadata={"description": "At least 1"}),
        "total": ma.fields.Integer(required=True, metadata={"description": "Items in all"}),
        "links": ma.fields.Nested(PageLinks, required=True),
    })


def paginate(items: Sequence[Any], page: int, page_size: int, *, total: int | None = None
             ) -> tuple[dict[str, Any], dict[str, str]]:
    """The page asked for (empty past the last) and its Link header: of all the ``items``,
    or, given the ``total``, ``items`` are that page's, already found."""
    if total is None:
        total, items = len(items), items[(page - 1) * page_size:page * page_size]
    pages = max(1, -(-total // page_size))
    links = {
        "self": _link(page, page_size),
        "first": _link(1, page_size),
        "last": _link(pages, page_size),
        "prev": _link(min(page - 1, pages), page_size) if page > 1 else None,
        "next": _link(page + 1, page_size) if page < pages else None,
    }
    body = {"items": list(items), "page": page, "page_size": page_size, "pages": pages,
            "total": total, "links": links}
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items()
                       if url is not None and rel != "self")
    return body, {"Link": header}


def _link(page: int, page_size: int) -> str:
    asked = {k: v for k, v in request.args.to_dict(flat=False).items()
             if k not in ("page", "page_size")}
    query = {**asked, "page": page, "page_size": page_size}
    return url_for(request.endpoint, **(request.view_args or {}), **query)
