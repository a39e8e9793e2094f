"""Settings read from the environment, once, by whoever starts the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

WEB_THREADS = 4
"""Threads per web worker unless SCC_WEB_THREADS says else: a request waiting on the database
leaves the worker free for another."""


@dataclass(frozen=True)
class Settings:
    """Every knob scc has; each is an ``SCC_*`` environment variable."""

    database_url: str
    category_scheme: str = "peterborough"
    read_model_url: str | None = None
    term_dates: Path | None = None
    la_code: str | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: str = "none"  # none, starttls or tls
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "scc@localhost"
    head_email: str | None = None
    base_url: str | None = None  # the web app's address, put in front of the links emails carry
    mail_claim_timeout: float = 600.0  # seconds before a dead sender's message is sent again
    deadline_policy: Path | None = None  # the LA's DeadlinePolicy TOML; the defaults if None
    # The base64 AES key the entries are encrypted with at rest; kept out of repr and logs.
    cipher_key: str | None = field(default=None, repr=False)
    log_format: str = "text"  # or "json": one object a line, for production
    # Processes a rebuild of a long log is shared out among; None: one per CPU, up to 4.
    rebuild_processes: int | None = None
    # Signed checkpoints of the log (docs/tamper-evidence.md): the signing key's file (never in
    # the store), the public key's file, the folder the LA keeps them in, and how often the
    # worker takes one (minutes; 0: never).
    checkpoint_key: Path | None = None
    checkpoint_public_key: Path | None = None
    checkpoint_dir: Path = Path("data/checkpoints")
    checkpoint_every: int = 60
    timestamp_url: str | None = None  # an RFC 3161 authority that countersigns each checkpoint
    # How long a web session lasts without a request, and at most (application.sessions).
    session_idle: timedelta = timedelta(minutes=60)
    session_absolute: timedelta = timedelta(hours=8)
    token_lifetime: timedelta = timedelta(days=90)  # of a new API token, unless told
    # Kept files (letters and evidence): a folder, or "database" for tables beside the read
    # models; by default a folder beside the SQLite file, or the database on PostgreSQL.
    document_store: str = "database"
    attachment_max_bytes: int = 20_000_000
    letter_templates: Path | None = None  # the LA's own templates and letterhead.toml
    # Signing letters (PAdES): the LA's key and certificate (PEM files), the key's passphrase
    # and the certificates between it and a root; none: letters are not signed.
    letter_signing_key: Path | None = None
    letter_signing_certificate: Path | None = None
    letter_signing_passphrase: str | None = field(default=None, repr=False)
    letter_signing_chain: tuple[Path, ...] = ()
    # The keys of the entries' personal values (adapters.key_store): apart from the log, so a
    # key destroyed leaves the value unreadable in every copy of the log; by default a file
    # beside the SQLite store, or the store's database on PostgreSQL.
    key_store_url: str | None = None
    # Threads per web worker (gunicorn's gthread workers, ``scc web``): each web worker's
    # connections to PostgreSQL are sized from them (adapters.pools).
    web_threads: int = WEB_THREADS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        data_dir = Path(environ.get("SCC_DATA_DIR", "data"))
        term_dates = environ.get("SCC_TERM_DATES")
        policy = environ.get("SCC_DEADLINE_POLICY", "").strip()
        database_url = (environ.get("SCC_DATABASE_URL")
                        or f"sqlite:///{data_dir / 'scc.sqlite3'}")
        return cls(
            database_url=database_url,
            category_scheme=environ.get("SCC_CATEGORY_SCHEME", "peterborough"),
            read_model_url=environ.get("SCC_READ_MODEL_URL") or None,
            term_dates=Path(term_dates) if term_dates else None,
            la_code=environ.get("SCC_LA_CODE", "").strip() or None,
            deadline_policy=Path(policy) if policy else None,
            cipher_key=environ.get("SCC_CIPHER_KEY", "").strip() or None,
            key_store_url=environ.get("SCC_KEY_STORE_URL", "").strip() or None,
            web_threads=_whole(environ, "SCC_WEB_THREADS", WEB_THREADS),
            log_format=environ.get("SCC_LOG_FORMAT", "").strip().lower() or "text",
            rebuild_processes=_processes(environ.get("SCC_REBUILD_PROCESSES", "")),
            checkpoint_key=_path(environ.get("SCC_CHECKPOINT_KEY", "")),
            checkpoint_public_key=_path(environ.get("SCC_CHECKPOINT_PUBLIC_KEY", "")),
            checkpoint_dir=_path(environ.get("SCC_CHECKPOINT_DIR", "")) or data_dir / "checkpoints",
            checkpoint_every=_minutes(environ.get("SCC_CHECKPOINT_EVERY", "")),
            timestamp_url=environ.get("SCC_TIMESTAMP_URL", "").strip() or None,
            session_idle=timedelta(minutes=_whole(environ, "SCC_SESSION_IDLE_MINUTES", 60)),
            session_absolute=timedelta(hours=_whole(environ, "SCC_SESSION_MAX_HOURS", 8)),
            token_lifetime=timedelta(days=_whole(environ, "SCC_TOKEN_DAYS", 90)),
            document_store=_document_store(environ.get("SCC_DOCUMENT_STORE", ""), database_url),
            attachment_max_bytes=_whole(environ, "SCC_ATTACHMENT_MAX_MB", 20) * 1_000_000,
            letter_templates=_path(environ.get("SCC_LETTER_TEMPLATES", "")),
            letter_signing_key=_path(environ.get("SCC_LETTER_SIGNING_KEY", "")),
            letter_signing_certificate=_path(environ.get("SCC_LETTER_SIGNING_CERTIFICATE", "")),
            letter_signing_passphrase=environ.get("SCC_LETTER_SIGNING_PASSPHRASE") or None,
            letter_signing_chain=tuple(
                Path(p) for p in environ.get("SCC_LETTER_SIGNING_CHAIN", "").split(os.pathsep)
                if p.strip()),
            **_mail_settings(environ),
        )


def _document_store(text: str, database_url: str) -> str:
    """Where kept files go: SCC_DOCUMENT_STORE's folder or "database"; unset, a folder named
    documents beside a SQLite file, or the database itself on a server."""
    text = text.strip()
    if text:
        return text
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return str(Path(database_url.removeprefix("sqlite:///")).parent / "documents")
    return "database"


def _path(text: str) -> Path | None:
    return Path(text.strip()) if text.strip() else None


def _minutes(text: str) -> int:
    text = text.strip()
    if not text:
        return 60
    if not text.isdigit():
        raise ValueError(f"SCC_CHECKPOINT_EVERY must be a whole number of minutes (0 for "
                         f"never), not {text!r}")
    return int(text)


def _processes(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"SCC_REBUILD_PROCESSES {text!r} is not a number of processes (1 or more)")
    return int(text)


def _whole(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip() or str(default)
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise ValueError(f"{name} {text!r} is not a whole number of at least 1")
    return int(text)


def _mail_settings(environ: Mapping[str, str]) -> dict[str, object]:
    security = environ.get("SCC_SMTP_SECURITY", "none").strip().lower() or "none"
    port = environ.get("SCC_SMTP_PORT", "").strip() or ("465" if security == "tls" else "25")
    if not port.isdigit():
        raise ValueError(f"SCC_SMTP_PORT {port!r} is not a port number")
    return {
        "smtp_host": environ.get("SCC_SMTP_HOST", "").strip() or "127.0.0.1",
        "smtp_port": int(port),
        "smtp_security": security,
        "smtp_username": environ.get("SCC_SMTP_USERNAME") or None,
        "smtp_password": environ.get("SCC_SMTP_PASSWORD") or None,
        "mail_from": environ.get("SCC_MAIL_FROM", "").strip() or "scc@localhost",
        "head_email": environ.get("SCC_HEAD_EMAIL", "").strip() or None,
        "base_url": environ.get("SCC_BASE_URL", "").strip().rstrip("/") or None,
        "mail_claim_timeout": _seconds(environ, "SCC_MAIL_CLAIM_TIMEOUT", 600.0),
    }


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    try:
        seconds = float(text) if text else default
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"{name} {text!r} is not a number of seconds above 0")
    return seconds
