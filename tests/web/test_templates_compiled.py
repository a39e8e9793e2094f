"""A web worker compiles its templates as it starts (web.wsgi), not in its first requests."""

from __future__ import annotations

from web.wsgi import compile_templates


def test_after_the_worker_starts_pages_render_without_compiling_a_template(
        app, client, actions, monkeypatch):
    compile_templates(app)
    assert actions.sign_in("head").status_code == 200

    def compiling(*args, **kwargs):
        raise AssertionError("a template was compiled during a request")

    monkeypatch.setattr(app.jinja_env, "compile", compiling)
    for path in ("/", "/schools/", "/schools/?q=marsh", "/reports/concern",
                 "/reports/deadlines", "/reports/"):
        assert client.get(path).status_code == 200, path
