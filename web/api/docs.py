"""The API's page for people: every operation of the OpenAPI document, rendered on the server
(no script or stylesheet from elsewhere), with how to authenticate, page and handle errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/docs")
def page() -> str:
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    groups = []
    for tag in spec.get("tags", []):
        operations = [
            _operation(spec, path, method, operation)
            for path, item in spec["paths"].items()
            for method, operation in item.items()
            if method in METHODS and tag["name"] in operation.get("tags", ())
        ]
        groups.append({"name": tag["name"], "description": tag.get("description", ""),
                       "operations": operations})
    return render_template("api/docs.html", spec=spec, groups=groups,
                           prefix=current_app.config["API_PREFIX"])


def _operation(spec: dict[str, Any], path: str, method: str,
               operation: dict[str, Any]) -> dict[str, Any]:
    item = spec["paths"][path]
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
    content = operation.get("requestBody", {}).get("content", {})
    # A file comes as multipart/form-data; every other body is JSON.
    body_type = "multipart/form-data" if "multipart/form-data" in content else "JSON"
    body = content.get("application/json") or content.get("multipart/form-data") or {}
    return {
        "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "permission": operation.get("x-permission"),
        "parameters": [{
            "name": p["name"], "in": p["in"], "required": p.get("required", False),
            "type": _type(spec, p.get("schema", {})),
            "description": p.get("description", "") or p.get("schema", {}).get(
                "description", ""),
            "choices": p.get("schema", {}).get("enum"),
        } for p in (_resolve(spec, p) for p in parameters)],
        "body": _fields(spec, body.get("schema")),
        "body_type": body_type,
        "responses": [{"status": status, "description": _resolve(spec, r).get("description", "")}
                      for status, r in operation.get("responses", {}).items()],
    }


def _fields(spec: dict[str, Any], schema: dict[str, Any] | None,
            prefix: str = "") -> list[dict[str, Any]]:
    """A body's fields, nested ones as ``actions[].due``."""
    if not schema:
        return []
    schema = _resolve(spec, schema)
    required = set(schema.get("required", []))
    found = []
    for name, field in schema.get("properties", {}).items():
        field = _resolve(spec, field)
        found.append({"name": prefix + name, "required": name in required,
                      "type": _type(spec, field), "description": field.get("description", ""),
                      "choices": field.get("enum") or field.get("items", {}).get("enum")})
        items = _resolve(spec, field.get("items", {}))
        if items.get("properties"):
            found += _fields(spec, items, f"{prefix}{name}[].")
    return found


def _type(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolve(spec, schema)
    kind = schema.get("format") or schema.get("type", "object")
    if schema.get("type") == "array":
        kind = f"list of {_type(spec, schema.get('items', {}))}"
    return f"{kind} or null" if schema.get("nullable") else kind


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = spec["components"][section][name]
    return node
