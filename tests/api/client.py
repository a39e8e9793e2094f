"""A small JSON client for the API over real HTTP, as another system of the LA would use it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from threading import Thread
from typing import Any

from werkzeug.serving import make_server


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: Any

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")


class ApiClient:
    """One keep-alive connection to the API with a bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, None, headers)

    def post(self, path: str, body: Any, **headers: str) -> Answer:
        return self.request("POST", path, body, headers)

    def request(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        sent = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                **{name.replace("_", "-"): value for name, value in headers.items()}}
        data = None
        if body is not None:
            data = json.dumps(body)
            sent["Content-Type"] = "application/json"
        self.connection.request(method, path if path.startswith("/") else f"/{path}", data,
                                sent)
        response = self.connection.getresponse()
        raw = response.read()
        return Answer(response.status, response.headers, json.loads(raw) if raw else None)

    def every(self, path: str) -> Iterator[Any]:
        """Each item of a list, following its pages' ``next`` links."""
        while path:
            page = self.get(path)
            assert page.status == 200, page.body
            yield from page.body["items"]
            path = page.body["links"]["next"]

    def close(self) -> None:
        self.connection.close()


@contextmanager
def served(app: Any) -> Iterator[int]:
    """The app on a free port of 127.0.0.1, in a thread of werkzeug's threaded server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
