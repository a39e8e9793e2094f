"""Checkpoints countersigned by an RFC 3161 timestamp authority: OpenSSL's ``ts`` answering
over HTTP on 127.0.0.1, and its reply checked with ``openssl ts -verify`` as an auditor would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.integration.test_audit import _build
from tests.integration.test_tamper_evidence_cli import _env, _scc, key

__all__ = ["key"]  # fixture

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'scc.sqlite3'}"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def authority(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A timestamp authority: a CA, a TSA certificate for timeStamping, and ``openssl ts
    -reply`` behind a small HTTP server; yields its URL and the CA certificate."""
    where = tmp_path_factory.mktemp("tsa")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl("req", "-x509", "-new", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3",
             "-subj", "/CN=Test TSA CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign", cwd=where)
    _openssl("req", "-new", *ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj",
             "/CN=Test TSA", cwd=where)
    (where / "ext.cnf").write_text("extendedKeyUsage=critical,timeStamping\n"
                                   "keyUsage=critical,digitalSignature\n")
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "2", "-extfile", "ext.cnf",
             cwd=where)
    (where / "serial").write_text("01\n")
    (where / "tsa.cnf").write_text(f"""[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {where}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                (where / "q.tsq").write_bytes(query)
                _openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq",
                         "-out", "r.tsr", cwd=where)
                reply = (where / "r.tsr").read_bytes()
                _say_why_not_granted(where)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", where / "ca.pem"
    server.shutdown()
    server.server_close()
    thread.join()


def _say_why_not_granted(where: Path) -> None:
    """A reply the authority did not grant (seen once in CI, not since) shows its status
    and reason on the test's output, so that the next one says why."""
    text = subprocess.run(["openssl", "ts", "-reply", "-in", "r.tsr", "-text"], cwd=where,
                          capture_output=True, text=True, check=False)
    if "Status: Granted." not in text.stdout:
        print(f"The test's timestamp authority did not grant the request:\n{text.stdout}"
              f"{text.stderr}\nserial file: {(where / 'serial').read_text()!r}",
              file=sys.stderr)


def _verifies(checkpoint: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "ts", "-verify", "-data", str(checkpoint), "-in",
                           f"{checkpoint}.tsr", "-CAfile", str(ca)],
                          capture_output=True, text=True, check=False)


def test_each_checkpoint_is_countersigned_by_the_timestamp_authority(
        case_files, database_url, tmp_path, key, authority):
    url, ca = authority
    _build(case_files)
    env = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key), SCC_TIMESTAMP_URL=url)

    result = _scc(env, "checkpoint")

    assert result.exit_code == 0, result.output
    assert "Countersigned by the timestamp authority:" in result.output
    (checkpoint,) = (tmp_path / "checkpoints").glob("*.checkpoint")
    verified = _verifies(checkpoint, ca)
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stderr
    # Check the token is for this checkpoint's bytes: an altered one no longer verifies
    checkpoint.write_text(checkpoint.read_text().replace("\n8\n", "\n9\n"))
    assert _verifies(checkpoint, ca).returncode != 0


def test_a_checkpoint_whose_timestamp_failed_is_countersigned_at_the_next_try(
        case_files, database_url, tmp_path, key, authority):
    url, ca = authority
    _build(case_files)
    unreachable = _env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key),
                       SCC_TIMESTAMP_URL="http://127.0.0.1:9/")
    failed = _scc(unreachable, "checkpoint")
    assert failed.exit_code != 0 and "did not answer" in failed.output
    (checkpoint,) = (tmp_path / "checkpoints").glob("*.checkpoint")  # signed all the same

    result = _scc(_env(database_url, tmp_path, SCC_CHECKPOINT_KEY=str(key),
                       SCC_TIMESTAMP_URL=url), "checkpoint")

    assert result.exit_code == 0, result.output
    assert "no new checkpoint needed" in result.output
    assert _verifies(checkpoint, ca).returncode == 0


@pytest.mark.parametrize("drawn", [bytes(8), b"\x00\x10" + bytes(6), b"\x01" + bytes(7),
                                   b"\xff" * 8])
def test_every_timestamp_request_is_one_openssl_reads_whatever_its_nonce(
        drawn, tmp_path, monkeypatch):
    # Check the request is strict DER for nonces that begin with zero bytes too: one with a
    # redundant leading zero was refused as badly formed, one request in 256
    from adapters import timestamping

    monkeypatch.setattr(timestamping.os, "urandom", lambda n: drawn[:n])
    (tmp_path / "q.tsq").write_bytes(timestamping.timestamp_request(bytes(32)))
    read = subprocess.run(["openssl", "ts", "-query", "-in", "q.tsq", "-text"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert read.returncode == 0, read.stderr
    nonce = int(read.stdout.split("Nonce: ")[1].split()[0], 16)
    assert nonce == int.from_bytes(drawn, "big") >> 1
