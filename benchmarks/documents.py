"""Letters and evidence (issue 17): producing a warning-notice letter (PDF, signed PDF, Word)
against its 500 ms p95, and a web worker's memory while a 10 MB file of evidence is uploaded,
against 60 MB above its idle size.

Letters: a SQLite store in a temporary folder holds ``LETTERS`` schools, each with a warning
notice recorded through the application (drafted, then approved by a head, as the LA's
policy asks). A child process (a fresh interpreter, as a newly started web worker is) builds
the documents service as ``adapters.bootstrap`` does, kept files in a folder beside the
SQLite file, and produces one letter a school through ``Documents.produce_letter`` (the
record read, the letter rendered, kept and recorded), first as PDF, then as PDF signed with a
certificate made for the run, then as Word. The templates' own render and the signing are
timed inside each letter, to show where the time goes. The first letter of each kind is left
out of the percentiles: the first PDF loads WeasyPrint and its fonts, the cost the first user
of a new worker sees, and is shown on a row of its own.

Upload: ``scc web`` (gunicorn, one worker of SCC_WEB_THREADS threads) on a SQLite store, a
caseworker signed in through the sign-in form. After a small upload (so that everything it
imports is imported), the worker's resident memory is read from /proc at idle, then every
``SAMPLE_SECONDS`` while a 10 MB PDF is posted through the evidence form; the figure is the
highest reading above idle, over ``UPLOADS`` files of different contents. VmHWM (the
process's peak, which cannot be reset) is shown before and after each.

``python -m benchmarks.documents [--quick]`` runs it outside the table of ``python -m
benchmarks``; ``python -m benchmarks.documents profile`` shows where one PDF letter's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.support import Row, p50, p95, progress
from benchmarks.web_latency import PASSWORD, Client

NAME = "documents"
LETTERS, QUICK_LETTERS = 41, 5
"""Letters of each format: the first is left out of the percentiles."""
LETTER_MAX_MS = 500.0
UPLOADS, QUICK_UPLOADS = 3, 1
UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_ABOVE_IDLE_MB = 60.0
SAMPLE_SECONDS = 0.005
KIND = "warning-notice-s60"
FIRST_URN = 170001
CASEWORKER = "Benchmark Caseworker"
HEAD = "Benchmark Head"
EMAIL = "bench.caseworker@example.org"
ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        letters = measure_letters(Path(folder, "letters"), QUICK_LETTERS if quick else LETTERS)
        uploads = measure_uploads(Path(folder, "uploads"), QUICK_UPLOADS if quick else UPLOADS)
    return letter_rows(letters) + upload_rows(uploads)


def settings_for(folder: Path, **env: str) -> Any:
    """The settings ``scc web`` reads on a SQLite file in ``folder``: kept files in the folder
    ``documents`` beside it (SCC_DOCUMENT_STORE unset), the default 20 MB attachment limit."""
    from adapters.config import Settings

    return Settings.from_env({"SCC_DATABASE_URL": f"sqlite:///{folder / 'scc.sqlite3'}",
                              "SCC_ATTACHMENT_MAX_MB": "20", **env})


def record_schools(folder: Path, count: int) -> dict[int, int]:
    """``count`` schools, each with a warning notice; {URN: the notice's entry}."""
    from adapters.bootstrap import build_case_files, prepare_store

    folder.mkdir(parents=True, exist_ok=True)
    settings = settings_for(folder)
    prepare_store(settings)
    case_files = build_case_files(settings)
    try:
        notices = {}
        for urn in range(FIRST_URN, FIRST_URN + count):
            case_files.register_school(
                by=CASEWORKER, effective=date(2024, 9, 2), urn=urn,
                name=f"Marsh Lane Primary {urn}", phase="Primary",
                establishment_type="Community school", la_code="999", governance="maintained")
            recorded_as_policy_asks(
                case_files, "issue_warning_notice", urn, grounds=["a"],
                matters=f"Reading at key stage 2 fell for three years at school {urn}",
                required_actions="An action plan agreed with the LA", minded_action="An IEB",
                compliance_period=15, copies_to=["Ofsted", "Headteacher"])
            notices[urn] = next(e["version"] for e in case_files.history(urn)
                                if e["event"] == "WarningNoticeIssued")
        return notices
    finally:
        case_files.close()


def recorded_as_policy_asks(case_files: Any, step: str, urn: int, **arguments: Any) -> Any:
    """The step recorded directly, or drafted and approved by a head if the policy says."""
    if not case_files.needs_sign_off(urn, step, arguments):
        return getattr(case_files, step)(urn, by=CASEWORKER, **arguments)
    draft = case_files.draft_step(urn, by=CASEWORKER, step=step, arguments=arguments)
    return case_files.approve_draft(urn, by=HEAD, role="head", draft_id=draft)


# Letters ------------------------------------------------------------------------------------

FORMATS = {"pdf": ("pdf", False), "signed": ("pdf", True), "docx": ("docx", False)}
"""Each run of letters: the format asked for and whether the LA signs its PDFs."""


def measure_letters(folder: Path, count: int) -> dict[str, Any]:
    progress(f"{NAME}: recording {count} schools with a warning notice")
    notices = record_schools(folder, count)
    progress(f"{NAME}: producing {count} letters each as {', '.join(FORMATS)} in a child "
             "process")
    with tempfile.TemporaryFile() as out:
        code = subprocess.call(
            [sys.executable, "-m", "benchmarks.documents", "letters", str(folder),
             json.dumps(notices)], stdout=out, cwd=ROOT)
        if code:
            raise RuntimeError(f"the letters process exited with {code}")
        out.seek(0)
        return json.loads(out.read())


@dataclass
class TimedLetters:
    """The letter templates, with each render timed (ms) and its size kept."""

    letters: Any
    took: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def letterhead(self) -> Any:
        return self.letters.letterhead()

    def render(self, kind: str, fmt: str, context: dict[str, Any]) -> Any:
        began = time.perf_counter()
        rendered = self.letters.render(kind, fmt, context)
        self.took.append((time.perf_counter() - began) * 1000)
        self.sizes.append(len(rendered.content))
        return rendered


@dataclass
class TimedSigner:
    """The LA's signer, with each signature timed (ms)."""

    signer: Any
    took: list[float] = field(default_factory=list)

    @property
    def signer_name(self) -> str:
        return self.signer.signer_name

    def sign(self, pdf: bytes, *, reason: str, location: str | None = None) -> bytes:
        began = time.perf_counter()
        signed = self.signer.sign(pdf, reason=reason, location=location)
        self.took.append((time.perf_counter() - began) * 1000)
        return signed


def produce_letters(folder: Path, notices: dict[int, int]) -> dict[str, Any]:
    """In the child: every school's letter in each of FORMATS, timed; what it measured."""
    from adapters.bootstrap import build_case_files, build_documents

    key, certificate = make_signing_identity(folder)
    signing = settings_for(folder, SCC_LETTER_SIGNING_KEY=str(key),
                           SCC_LETTER_SIGNING_CERTIFICATE=str(certificate))
    case_files = build_case_files(settings_for(folder))
    # Built before any letter, as a worker builds its services when it starts.
    services = {name: build_documents(signing if signed else settings_for(folder), case_files)
                for name, (_, signed) in FORMATS.items()}
    measured: dict[str, Any] = {}
    try:
        for run_name, (fmt, _) in FORMATS.items():
            documents = services[run_name]
            letters = documents.letters = TimedLetters(documents.letters)
            signer = None
            if documents.signer is not None:
                signer = documents.signer = TimedSigner(documents.signer)
            produced, cpu = [], []
            for urn, rests_on in notices.items():
                began, used = time.perf_counter(), time.process_time()
                documents.produce_letter(int(urn), by=CASEWORKER, kind=KIND,
                                         rests_on=rests_on, fmt=fmt)
                produced.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            measured[run_name] = {"produce": produced, "cpu": cpu, "render": letters.took,
                                  "sign": signer.took if signer else [],
                                  "bytes": letters.sizes}
    finally:
        for documents in services.values():
            documents.close()
        case_files.close()
    return measured


def make_signing_identity(folder: Path) -> tuple[Path, Path]:
    """A key and a self-signed certificate allowed to sign documents, as PEM files (made for
    the run: the benchmarks use nothing of the tests)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Benchmark Council"),
                      x509.NameAttribute(NameOID.COMMON_NAME, HEAD)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    key_path, certificate_path = folder / "signing-key.pem", folder / "signing-certificate.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, certificate_path


def letter_rows(measured: dict[str, Any]) -> list[Row]:
    pdf, signed, docx = measured["pdf"], measured["signed"], measured["docx"]
    letters = len(pdf["produce"])
    kilobytes = sum(pdf["bytes"]) / len(pdf["bytes"]) / 1024
    about = (f"Documents.produce_letter of a {KIND} letter (record read, rendered, kept in a "
             f"folder, recorded) on a SQLite file, in a fresh process; {letters - 1} letters, "
             f"one a school, after the first (shown on the cold-start row); PDFs of "
             f"{kilobytes:.0f} KB")
    return [
        Row(f"{NAME} letter PDF p95", p95(pdf["produce"][1:]), max_ms=LETTER_MAX_MS,
            note=about),
        Row(f"{NAME} letter PDF p50", p50(pdf["produce"][1:])),
        Row(f"{NAME} letter PDF max", max(pdf["produce"][1:])),
        Row(f"{NAME} letter PDF CPU p95", p95(pdf["cpu"][1:]),
            note="the process's CPU time a letter: the letter's cost whatever else the "
                 "machine runs (wall time above waits for the CPU on a busy machine)"),
        Row(f"{NAME} letter PDF render p95", p95(pdf["render"][1:]),
            note="LetterTemplates.render alone (Jinja and WeasyPrint), inside the letters above"),
        Row(f"{NAME} letter PDF render p50", p50(pdf["render"][1:])),
        Row(f"{NAME} letter PDF cold start", pdf["produce"][0],
            note=f"the first letter of a fresh process (loads WeasyPrint, Pango and the fonts): "
                 f"its render took {pdf['render'][0]:.0f} ms"),
        Row(f"{NAME} letter signed PDF p95", p95(signed["produce"][1:]), max_ms=LETTER_MAX_MS,
            note=f"the same letters signed (PAdES B-B, no timestamp) with a 2048-bit RSA key "
                 f"made for the run; the first took {signed['produce'][0]:.0f} ms"),
        Row(f"{NAME} letter signed PDF p50", p50(signed["produce"][1:])),
        Row(f"{NAME} letter signed PDF CPU p95", p95(signed["cpu"][1:])),
        Row(f"{NAME} letter signing p95", p95(signed["sign"][1:]),
            note="LetterSigner.sign alone, inside the signed letters above"),
        Row(f"{NAME} letter Word p95", p95(docx["produce"][1:]),
            note=f"the same letters as Word (docxtpl); report only, the issue's target is for "
                 f"PDF; the first took {docx['produce'][0]:.0f} ms"),
        Row(f"{NAME} letter Word p50", p50(docx["produce"][1:])),
    ]


# Uploads ------------------------------------------------------------------------------------

def measure_uploads(folder: Path, count: int) -> list[dict[str, Any]]:
    from adapters.bootstrap import build_users
    from benchmarks.load.topology import Topology

    urn = next(iter(record_schools(folder, 1)))
    users = build_users(settings_for(folder))
    try:
        users.add(email=EMAIL, name=CASEWORKER, role="caseworker", password=PASSWORD)
    finally:
        users.close()
    topology = Topology(str(settings_for(folder).database_url), folder / "logs",
                        web_workers=1, env={"SCC_ATTACHMENT_MAX_MB": "20"})
    with topology:
        topology.start_web()
        topology.wait_for("/healthz")
        worker = web_worker(topology.processes["web"].pid)
        progress(f"{NAME}: scc web on 127.0.0.1:{topology.port}, worker {worker}; signing in "
                 f"as a caseworker")
        client = Client(topology.port, email=EMAIL)
        client.sign_in()
        upload(client, urn, a_pdf(random.Random(0), 64 * 1024), "warm-up.pdf")
        measured = []
        for n in range(count):
            content = a_pdf(random.Random(n + 1), UPLOAD_BYTES)
            token = csrf_token(client, urn)  # asked for outside the measured window
            time.sleep(0.2)
            idle = memory(worker)
            watch = Watch(worker)
            with watch:
                began = time.perf_counter()
                upload(client, urn, content, f"evidence-{n + 1}.pdf", token)
                took = (time.perf_counter() - began) * 1000
            after = memory(worker)
            measured.append({"idle_kb": idle["VmRSS"], "peak_kb": watch.peak_kb,
                             "samples": watch.samples, "hwm_before_kb": idle["VmHWM"],
                             "hwm_after_kb": after["VmHWM"], "ms": took,
                             "bytes": len(content)})
            progress(f"{NAME}: upload {n + 1}: {len(content) / 2**20:.1f} MB in {took:.0f} ms; "
                     f"worker RSS {idle['VmRSS'] / 1024:.1f} MB idle, peak "
                     f"{watch.peak_kb / 1024:.1f} MB ({watch.samples} readings); VmHWM "
                     f"{idle['VmHWM'] / 1024:.1f} -> {after['VmHWM'] / 1024:.1f} MB")
        client.close()
    return measured


def web_worker(master: int) -> int:
    """The one worker gunicorn's master started."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("scc web started no worker within 30 s")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB, from /proc."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line[:5]] = int(line.split()[1])
    return values


class Watch:
    """Reads a process's resident memory every SAMPLE_SECONDS, in a thread, keeping the
    highest reading."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self.samples = pid, 0, 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, memory(self.pid)["VmRSS"])
            self.samples += 1
            if self.stopping.wait(SAMPLE_SECONDS):
                return

    def __enter__(self) -> Watch:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join()


def a_pdf(rng: random.Random, size: int) -> bytes:
    """A PDF of ``size`` bytes: one blank page and a stream of random bytes (as a scanned
    image's would be), so that each upload's content, and hash, is its own."""
    head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n")
    tail = b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    stream = b"4 0 obj<</Length 0000000000>>stream\n"  # the length's width, filled in below
    body = size - len(head) - len(stream) - len(tail)
    stream = f"4 0 obj<</Length {body:010d}>>stream\n".encode()
    return head + stream + rng.randbytes(body) + tail


def csrf_token(client: Client, urn: int) -> str:
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get(f"/schools/{urn}/evidence"))
    if token is None:
        raise RuntimeError("the evidence form has no CSRF token")
    return token[1]


def upload(client: Client, urn: int, content: bytes, name: str, token: str = "") -> None:
    """Posts the file through the evidence form, as a browser does."""
    boundary = f"scc-bench-{random.getrandbits(64):016x}"
    fields = {"csrf_token": token or csrf_token(client, urn),
              "description": f"Benchmark evidence {name}", "to_entry": ""}
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
             .encode() for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
    body = b"".join(parts) + content + f"\r\n--{boundary}--\r\n".encode()
    status, page = client.request(
        "POST", f"/schools/{urn}/evidence", body,  # type: ignore[arg-type] # sent as they are
        {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    if status != 303:
        said = re.findall(r'govuk-error-message">\s*(?:<[^>]+>[^<]*</[^>]+>)?\s*([^<]+)', page)
        raise RuntimeError(f"uploading {name} answered {status}: {' '.join(said)[:200]}")


def upload_rows(measured: list[dict[str, Any]]) -> list[Row]:
    above = [(m["peak_kb"] - m["idle_kb"]) / 1024 for m in measured]
    each = "; ".join(
        f"idle {m['idle_kb'] / 1024:.1f} MB, peak {m['peak_kb'] / 1024:.1f} MB, VmHWM "
        f"{m['hwm_before_kb'] / 1024:.1f} -> {m['hwm_after_kb'] / 1024:.1f} MB"
        for m in measured)
    return [
        Row(f"{NAME} upload 10 MB peak above idle", max(above), unit="MB",
            max_ms=UPLOAD_ABOVE_IDLE_MB,
            note=f"scc web (gunicorn, 1 worker) on SQLite, kept files in a folder; "
                 f"{len(measured)} PDFs of {measured[0]['bytes'] / 2**20:.0f} MiB posted "
                 f"through the evidence form; the worker's VmRSS read every "
                 f"{SAMPLE_SECONDS * 1000:g} ms, highest of the uploads ({each})"),
        Row(f"{NAME} upload 10 MB time", max(m["ms"] for m in measured),
            note="the slowest of the uploads above, over 127.0.0.1, to the redirect"),
    ]


# Profiling one letter -----------------------------------------------------------------------

def profile(fmt: str = "pdf") -> None:
    """One warm letter's produce_letter under cProfile (after one unprofiled letter)."""
    from adapters.bootstrap import build_case_files, build_documents

    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        notices = record_schools(Path(folder), 2)
        case_files = build_case_files(settings_for(Path(folder)))
        documents = build_documents(settings_for(Path(folder)), case_files)
        try:
            (first, first_on), (urn, rests_on) = notices.items()
            documents.produce_letter(first, by=CASEWORKER, kind=KIND, rests_on=first_on,
                                     fmt=fmt)
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.runcall(documents.produce_letter, urn, by=CASEWORKER, kind=KIND,
                             rests_on=rests_on, fmt=fmt)
            took = (time.perf_counter() - began) * 1000
        finally:
            documents.close()
            case_files.close()
    print(f"produce_letter ({fmt}) took {took:.1f} ms under the profiler")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def print_rows(rows: list[Row]) -> None:
    for row in rows:
        print(f"{row.benchmark:45} {row.shown(row.figure_ms):>12}  {row.target:>14}  "
              f"{row.verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents", description=__doc__)
    parser.add_argument("what", nargs="?", default="run",
                        choices=("run", "letters", "profile"))
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    commands: dict[str, Callable[[], None]] = {
        "run": lambda: print_rows(run(args.quick)),
        "letters": lambda: print(json.dumps(produce_letters(
            Path(args.args[0]), {int(k): v for k, v in json.loads(args.args[1]).items()}))),
        "profile": lambda: profile(*args.args[:1]),
    }
    commands[args.what]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
