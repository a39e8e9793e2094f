"""Wires the application to its adapters: the one place that does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from adapters import migrations
from adapters.calendars import england_and_wales_calendar, load_term_holidays
from adapters.clock import SystemClock
from adapters.config import Settings
from adapters.event_scan import entries_of_kinds, scan_streams
from adapters.event_store import check_cipher_key, event_store_env
from adapters.event_store import new_cipher_key as new_cipher_key  # for scc keys generate
from adapters.key_store import SQLKeyStore, key_store_url
from adapters.memory import settle_after_start as settle_after_start  # for the servers, worker
from adapters.outbox import SQLOutbox
from adapters.policy import load_policy
from adapters.pools import PoolSize
from adapters.read_models import SQLReadModels, projections_to_rebuild, read_model_engine
from adapters.rebuild_processes import SpawnedRebuildProcesses, default_processes
from adapters.schema import STORE_CLASHES, create_once
from adapters.schemes import load_scheme
from adapters.signed_note import KeyUnreadable as KeyUnreadable  # for scc keys, checkpoint, verify
from adapters.signed_note import Signer as Signer
from adapters.signed_note import read_signer as read_signer
from adapters.signed_note import read_verifier as read_verifier
from adapters.smtp import SMTPSender
from application.case_files import SchoolCaseFiles
from application.notifications import NotificationPolicy, Notifications
from application.personal_keys import Keyring
from application.ports import Clock
from application.projections import CaseFileProjections
from application.users import Users


class Pools:
    """The connections of one process to its databases: the event store's pool, and one
    SQLAlchemy engine per database shared by every store in it (read models, users and
    their sessions, API tokens, calendar feeds, outbox, access log, kept files, job store,
    and the keys when they are in the same database), each sized for ``threads`` threads
    that use them at once (adapters.pools); without, the libraries' own pools. Each store's
    ``close()`` disposes of its engine's connections: a store still open opens new ones if
    used again."""

    def __init__(self, threads: int | None = None) -> None:
        self.size = PoolSize(threads) if threads is not None else None
        self._engines: dict[str, Any] = {}

    def engine(self, database_url: str):  # -> sqlalchemy.engine.Engine
        if database_url not in self._engines:
            self._engines[database_url] = read_model_engine(database_url, self.size)
        return self._engines[database_url]

    def beside_read_models(self, settings: Settings):  # -> sqlalchemy.engine.Engine
        return self.engine(settings.read_model_url or settings.database_url)


def build_case_files(settings: Settings, clock: Clock | None = None, *,
                     pools: Pools | None = None) -> SchoolCaseFiles:
    """The case-file application on the configured store, calendar and category scheme."""
    pools = pools or Pools()
    holidays = load_term_holidays(settings.term_dates) if settings.term_dates else ()
    env = event_store_env(settings.database_url, settings.cipher_key, pools.size)
    working_days = england_and_wales_calendar(holidays)
    scheme = load_scheme(settings.category_scheme)
    policy = load_policy(settings.deadline_policy) if settings.deadline_policy else None
    # Opening the store creates its tables and functions if need be: processes starting
    # together (web workers, a worker) may clash doing so, and the loser looks again.
    the_clock = clock or SystemClock()
    keyring = Keyring(build_key_store(settings, the_clock, pools=pools))

    def open_store(env: dict[str, str]) -> SchoolCaseFiles:
        return create_once(lambda: SchoolCaseFiles(
            env, clock=the_clock, working_days=working_days, scheme=scheme,
            policy=policy, entries_of_kinds=entries_of_kinds, keyring=keyring),
            clashes=STORE_CLASHES)

    try:
        try:
            case_files = open_store(env)
        except Exception as error:
            if not _may_not_create(error):
                raise
            # The application's role under ``scc grants``: its owner made the tables.
            case_files = open_store({**env, "CREATE_TABLE": "no"})
    except BaseException:
        keyring.store.close()  # the store could not be opened: nor its keys used
        raise
    try:
        check_cipher_key(case_files.recorder, case_files.mapper.cipher)
    except Exception:
        case_files.close()
        raise
    return case_files


def build_key_store(settings: Settings, clock: Clock | None = None, *,
                    pools: Pools | None = None) -> SQLKeyStore:
    """The keys of the entries' personal values: SCC_KEY_STORE_URL, or beside the store."""
    pools = pools or Pools()
    return create_once(lambda: SQLKeyStore(
        key_store_url(settings.database_url, settings.key_store_url), clock=clock,
        server_engine=pools.engine), clashes=STORE_CLASHES)


def open_old_log(settings: Settings, database_url: str, beside: SchoolCaseFiles
                 ) -> SchoolCaseFiles:
    """Another store's log, to be read only (the old store ``scc seal-log`` seals from), with
    the calendar and scheme of ``beside``: its tables are never made; its entries are read
    with SCC_CIPHER_KEY if they were encrypted under it, without if they are in plain text;
    values sealed already are opened with the configured key store, which must keep their
    keys. Raises ValueError, in words, for a store that is not there or cannot be read."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    from adapters.event_store import CipherKeyMismatch

    url = urlsplit(database_url)
    if url.scheme == "sqlite" and not Path(unquote(url.path[1:])).is_file():
        raise ValueError("there is no store there")
    if database_url == settings.database_url:
        raise ValueError("that is the configured store itself: set SCC_DATABASE_URL to a new, "
                         "empty store and give the old one as --from")
    refused: ValueError | None = None
    for key in dict.fromkeys([settings.cipher_key, None]):
        old = SchoolCaseFiles(
            {**event_store_env(database_url, key), "CREATE_TABLE": "no"}, clock=beside.clock,
            working_days=beside.working_days, scheme=beside.scheme, policy=beside.policy,
            keyring=Keyring(build_key_store(settings, beside.clock)))
        try:
            check_cipher_key(old.recorder, old.mapper.cipher)
        except CipherKeyMismatch as error:
            old.close()
            refused = error
            continue
        except Exception as error:  # noqa: BLE001 - no tables, no database, no access
            old.close()
            raise ValueError(f"no event log can be read there ({error})") from None
        return old
    raise ValueError(str(refused))


def _may_not_create(error: BaseException | None) -> bool:
    """Whether opening the store failed because this role may not create its tables or
    types (PostgreSQL's insufficient_privilege, 42501), as the library wraps it."""
    while error is not None:
        if getattr(error, "sqlstate", None) == "42501":
            return True
        error = error.__cause__ or error.__context__
    return False


def build_projections(settings: Settings, case_files: SchoolCaseFiles, *,
                      out_of_shape_ok: bool = False,
                      pools: Pools | None = None) -> CaseFileProjections:
    """The read models, in the event store's database unless SCC_READ_MODEL_URL says else;
    ``out_of_shape_ok`` to rebuild those an older version of scc made."""
    url = settings.read_model_url or settings.database_url
    engine = (pools or Pools()).engine(url)
    return CaseFileProjections(
        case_files, SQLReadModels(engine, out_of_shape_ok=out_of_shape_ok),
        scan=partial(scan_streams, case_files.recorder, case_files.mapper),
        processes=SpawnedRebuildProcesses(
            case_files, url, settings.rebuild_processes or default_processes()))


def schema_status(settings: Settings) -> dict[str, Any]:
    """Where the store's own tables stand: the revision recorded, the newest, the revisions
    to apply (revision, what it does) and the read models to rebuild."""
    engine = _schema_engine(settings)
    try:
        found = migrations.status(engine)
        return {"current": found.current, "head": found.head, "new": found.new,
                "pending": list(found.pending), "rebuild": projections_to_rebuild(engine)}
    finally:
        engine.dispose()


def upgrade_schema(settings: Settings) -> list[tuple[str, str]]:
    """Applies the pending revisions; returns them. The read models to rebuild are then
    rebuilt by ``build_projections(..., out_of_shape_ok=True).rebuild(names)``."""
    engine = _schema_engine(settings)
    try:
        return migrations.upgrade(engine)
    finally:
        engine.dispose()


def _schema_engine(settings: Settings):  # -> sqlalchemy.engine.Engine
    """The engine for scc's own tables. The store's URL is read as the event store reads it,
    which also makes a new SQLite store's folder: ``scc migrate`` may be the first command
    run on a new machine (``make run`` starts with it)."""
    url = settings.read_model_url or settings.database_url
    event_store_env(url)
    return read_model_engine(url)


def build_notifications(settings: Settings, case_files: SchoolCaseFiles, *,
                        pools: Pools | None = None) -> Notifications:
    """The outbox beside the read models, delivered through the configured SMTP server.
    Close it with ``close()``."""
    engine = (pools or Pools()).beside_read_models(settings)
    sender = SMTPSender(
        settings.smtp_host, settings.smtp_port, settings.smtp_security,
        settings.smtp_username, settings.smtp_password, settings.mail_from)
    return Notifications(case_files, SQLOutbox(engine), sender,
                         CaseFileProjections(case_files, SQLReadModels(engine)),
                         NotificationPolicy(
                             head_email=settings.head_email, base_url=settings.base_url,
                             claim_timeout=timedelta(seconds=settings.mail_claim_timeout)))


def scheduler_database_url(settings: Settings) -> str:
    """Where the scheduler keeps its jobs and its lock: beside the read models it reads."""
    return settings.read_model_url or settings.database_url


def build_job_store_engine(settings: Settings, *, pools: Pools | None = None):
    """The SQLAlchemy engine for APScheduler's job store (table ``apscheduler_jobs``)."""
    return (pools or Pools()).engine(scheduler_database_url(settings))


def build_users(settings: Settings, clock: Clock | None = None,
                keyring: Keyring | None = None, *, pools: Pools | None = None) -> Users:
    """The users, their sessions, password-reset links, failed sign-ins and the access log,
    beside the read models, with Argon2 password hashes; the access log's viewers sealed
    with ``keyring`` (the case files', to share one), or keys from the configured key store.
    Close it with ``close()``."""
    from adapters.sessions import SQLResetStore, SQLSessionStore
    from adapters.users import Argon2Hasher, SQLUserStore
    from application.sessions import SessionLifetimes, Sessions

    pools = pools or Pools()
    engine = pools.beside_read_models(settings)
    clock = clock or SystemClock()
    users = SQLUserStore(engine)  # first: it sets up a new store's tables
    sessions = Sessions(SQLSessionStore(engine), clock,
                        SessionLifetimes(settings.session_idle, settings.session_absolute))
    return Users(users, Argon2Hasher(), clock, sessions=sessions,
                 resets=SQLResetStore(engine),
                 keyring=keyring or Keyring(build_key_store(settings, clock, pools=pools)),
                 close_keys=keyring is None)


def build_tokens(settings: Settings, users: Users, clock: Clock | None = None, *,
                 pools: Pools | None = None):
    """The users' API tokens (application.tokens.ApiTokens), beside the users. Close it with
    ``close()``."""
    from adapters.tokens import SQLTokenStore
    from application.tokens import ApiTokens

    engine = (pools or Pools()).beside_read_models(settings)
    return ApiTokens(SQLTokenStore(engine), users, clock or SystemClock(),
                     lifetime=settings.token_lifetime)


def build_calendar_feeds(settings: Settings, clock: Clock | None = None, *,
                         pools: Pools | None = None):
    """The users' calendar feed addresses (application.calendar_feed.CalendarFeeds), beside
    the users. Close it with ``close()``."""
    from adapters.calendar_feeds import SQLCalendarFeedStore
    from application.calendar_feed import CalendarFeeds

    engine = (pools or Pools()).beside_read_models(settings)
    return CalendarFeeds(SQLCalendarFeedStore(engine), clock or SystemClock())


def build_documents(settings: Settings, case_files: SchoolCaseFiles, *,
                    pools: Pools | None = None):  # -> Documents
    """Letters and evidence (application.documents.Documents): the kept files in the
    configured folder or database, the LA's letter templates, and its signing key if set.
    Raises ValueError, in words, for a signing key or certificate that cannot be used.
    Close it with ``close()``."""
    from pathlib import Path

    from adapters.document_store import FolderDocumentStore, SQLDocumentStore
    from adapters.file_types import identify
    from adapters.letters import LetterTemplates
    from application.documents import Documents

    signer = None
    if settings.letter_signing_key or settings.letter_signing_certificate:
        from adapters.pdf_signing import LetterSigner

        if not (settings.letter_signing_key and settings.letter_signing_certificate):
            raise ValueError("Signing letters needs both SCC_LETTER_SIGNING_KEY and "
                             "SCC_LETTER_SIGNING_CERTIFICATE")
        signer = LetterSigner.load(
            settings.letter_signing_key, settings.letter_signing_certificate,
            passphrase=settings.letter_signing_passphrase, chain=settings.letter_signing_chain,
            timestamp_url=settings.timestamp_url)
    if settings.document_store == "database":
        store: Any = SQLDocumentStore((pools or Pools()).beside_read_models(settings))
    else:
        store = FolderDocumentStore(Path(settings.document_store))
    return Documents(case_files, store, identify=identify,
                     letters=LetterTemplates(settings.letter_templates), signer=signer,
                     max_bytes=settings.attachment_max_bytes)


def build_web_services(settings: Settings, clock: Clock | None = None, *,
                       pools: Pools | None = None):  # -> WebServices
    """Everything the web app calls: case files, read models, users, notifications and API
    tokens, on connections sized for a web worker's SCC_WEB_THREADS unless ``pools`` says
    else.

    Bootstrap wires every entry point, the web app's included, so this is the one place
    adapters touch ``web``: WebServices is imported here, when the app is built, not at
    import time (and not by any other adapter)."""
    from web.services import WebServices

    pools = pools or Pools(settings.web_threads)
    case_files = build_case_files(settings, clock, pools=pools)
    users = build_users(settings, clock, case_files.keyring, pools=pools)
    return WebServices(
        case_files=case_files,
        projections=build_projections(settings, case_files, pools=pools),
        users=users,
        notifications=build_notifications(settings, case_files, pools=pools),
        tokens=build_tokens(settings, users, clock, pools=pools),
        calendar_feeds=build_calendar_feeds(settings, clock, pools=pools),
        documents=build_documents(settings, case_files, pools=pools),
        data_protection=build_data_protection(settings, case_files, pools=pools),
    )


def prepare_store(settings: Settings) -> None:
    """Creates every table scc uses, once, before the processes that share the store start
    (a web server's workers would otherwise all try at the same moment)."""
    with contextlib.ExitStack() as opened:
        case_files = build_case_files(settings)
        opened.callback(case_files.close)
        opened.callback(build_projections(settings, case_files).store.close)
        opened.callback(build_users(settings).close)
        opened.callback(build_notifications(settings, case_files).close)


def build_log_checks(case_files: SchoolCaseFiles):  # -> application.audit.StreamChecks | None
    """How scc verify checks the whole log: one ordered scan shared out among this machine's
    CPUs (adapters.log_check); None for a store it cannot scan (in memory), which verify
    then reads a stream at a time."""
    from adapters.log_check import LogChecks, scannable

    return LogChecks(case_files, default_processes()) if scannable(case_files) else None


def build_checkpointer(settings: Settings, case_files: Any) -> Callable[[], dict[str, Any]] | None:
    """What signs a checkpoint of the log into the LA's folder (``application.anchor``), with
    the key in ``SCC_CHECKPOINT_KEY``, and has each new one countersigned by the timestamp
    authority at ``SCC_TIMESTAMP_URL`` if set; None if no key is configured. Raises
    ValueError, in words, for a key file that cannot be read."""
    if settings.checkpoint_key is None:
        return None
    from pathlib import Path

    from adapters.timestamping import countersign
    from application.anchor import take_checkpoint

    signer = read_signer(settings.checkpoint_key)

    def checkpoint() -> dict[str, Any]:
        taken = take_checkpoint(case_files, signer, settings.checkpoint_dir)
        taken["timestamp"] = None
        latest = (Path(taken["written"]) if taken["written"] is not None
                  else settings.checkpoint_dir / taken["unchanged_since"])
        # the latest checkpoint, new or one whose timestamp failed before (an unreachable
        # authority leaves a checkpoint to be countersigned at the next try)
        if settings.timestamp_url and not latest.with_name(latest.name + ".tsr").exists():
            taken["timestamp"] = str(countersign(settings.timestamp_url, latest))
        return taken

    return checkpoint


def grant_on_store(settings: Settings, case_files: SchoolCaseFiles, role: str, *,
                   apply: bool) -> list[tuple[str, str]]:
    """The PostgreSQL grants that let ``role`` read and append the log only
    (``adapters.grants``), after opening as the owner what makes its tables when first opened
    (the read models, the API tokens): the grants are on the tables that exist."""
    from adapters.grants import grant_on_store as grant

    if settings.database_url.startswith("postgres"):
        build_projections(settings, case_files).store.close()
        users = build_users(settings)
        try:
            build_tokens(settings, users).store.close()
        finally:
            users.close()
    event_tables = [case_files.recorder.events_table_name]
    if case_files.snapshots is not None:
        event_tables.append(case_files.snapshots.recorder.events_table_name)
    return grant(settings.database_url, settings.read_model_url or settings.database_url,
                 event_tables, role, apply=apply)


def build_data_protection(settings: Settings, case_files: SchoolCaseFiles, *,
                          pools: Pools | None = None):  # -> DataProtection
    """Retention, legal holds and destruction (application.data_protection): the decisions
    log beside the read models, the schedule from the LA's policy file, the access log's
    months sealed with the case files' keys. Close it with ``close()``."""
    from adapters.data_protection import SQLDecisionLog
    from adapters.policy import load_retention
    from adapters.users import SQLUserStore
    from application.access_log import SealedAccessLog
    from application.data_protection import DataProtection

    engine = (pools or Pools()).beside_read_models(settings)
    # One engine for both: closing the decisions log disposes of the access log's too
    return DataProtection(case_files, SQLDecisionLog(engine),
                          schedule=load_retention(settings.deadline_policy),
                          clock=case_files.clock,
                          access_log=SealedAccessLog(SQLUserStore(engine), case_files.keyring))
