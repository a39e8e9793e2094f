"""``scc serve``: the web app and the worker in one process, for the single-machine default."""

from __future__ import annotations

import contextlib

import click


@click.command(help="Serve the web app on http://HOST:PORT with the worker (read models, "
               "deadline reminders, notifications) running beside it in the same process. "
               "For several web workers use gunicorn and one `scc worker` instead.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    from adapters.bootstrap import (
        Pools,
        build_job_store_engine,
        build_web_services,
        scheduler_database_url,
        settle_after_start,
    )
    from adapters.config import Settings
    from adapters.logs import configure_logging
    from cli.main import UserError
    from scheduler.lock import scheduler_lock
    from scheduler.worker import THREADS, Worker
    from web import create_app

    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format)
    except ValueError as error:
        raise UserError(str(error)) from None
    with contextlib.ExitStack() as closing:
        # One process: the connections of a web worker and of the worker together
        pools = Pools(settings.web_threads + THREADS)
        try:
            services = build_web_services(settings, pools=pools)
        except ValueError as error:
            raise UserError(str(error)) from None
        closing.callback(services.close)
        engine = build_job_store_engine(settings, pools=pools)
        closing.callback(engine.dispose)
        worker = Worker(services.case_files, services.projections, engine=engine,
                        lock=scheduler_lock(scheduler_database_url(settings)),
                        notifications=services.notifications)
        worker.start()
        closing.callback(worker.stop)
        app = create_app(_config(), services=services)
        settle_after_start()
        click.echo(f"Serving on http://{host}:{port} (Ctrl-C to stop)", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def _config():  # -> web.config.Config
    """SCC_SECRET_KEY if set (refused if short); else, since this is one process, a random key
    of its own, said on stderr: everyone is signed out when it stops."""
    import os
    import secrets

    from cli.main import UserError
    from web.config import Config, secret_key_problem

    key = os.environ.get("SCC_SECRET_KEY", "")
    if not key.strip():
        click.echo("SCC_SECRET_KEY is not set: using a random key for this process; everyone "
                   "is signed out when it stops.", err=True)
        return Config(SECRET_KEY=secrets.token_urlsafe(32))
    if problem := secret_key_problem(key):
        raise UserError(problem)
    return Config()
