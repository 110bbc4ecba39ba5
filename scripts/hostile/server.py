"""The HTTP side of the hostile suite: each input POSTed to a pdxedge server.

run.py drives it. A server is either started here (`pdxedge serve` on 127.0.0.1, a free
port, stopped by its PID at exit) or given by --base-url; a server started here, or one
whose process is given by --pid (e.g. the workerd running a Worker), has its memory
measured (peak RSS from /proc, reset before each case).

A Worker under `wrangler dev --local` (--worker) differs in three ways that come from the
local runtime, not from pdxedge, and are accepted there with a note in the table:
- workerd ends a response stream that errors after it started with a clean chunked
  terminator instead of aborting it (cloudflare/workerd issue 6818, also conformance case
  070): the body is then a truncated, invalid JSON document with a normal end;
- wrangler's local proxy answers 503 text/plain "Your worker restarted mid-request" when
  the client stops sending its body (the Worker never sees the request end), and once
  more for the next request after a Worker answered early without reading a large body;
  that next request (a case's follow-up, or the next case's own) is then retried once.

Per input: the expected status (4xx with an RFC 9457 application/problem+json body, or 200
with JSON where the input is acceptable), an answer within the time limit, the server
still running, its peak RSS within the documented 256 MiB, and a normal request answered
correctly afterwards. Then clients that misbehave at the HTTP level: a body that stops
mid-way (Content-Length larger than what is sent), and slowloris clients (headers or body
trickled a byte at a time), checked against the same server in bounded time.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

MiB = 1 << 20
PROBLEM = "application/problem+json"
# docs/benchmarks.md: the server's goal is a peak RSS of at most 256 MiB under load.
SERVER_RSS_MIB = 256
# A conversion's time limit for the server started here (the default is 60 s; a short one
# lets the slow-body client be cut off within the suite's time).
MAX_DURATION_SECS = 10


@dataclass
class HttpExpect:
    """What a correct answer looks like."""

    statuses: tuple
    path: str = "/v1/json"
    body: bytes = b""  # when set, a 200 body must equal it
    note: str = ""
    # An error found after 64 KiB of JSON has gone out cannot change the status: the
    # server aborts the stream instead (documented in the README). Allowed where the
    # error comes late.
    aborted_ok: bool = False


# The JSON route. Text streams through the engine; zip and SAV saves are held whole (up to
# max_buffered_bytes, 40 MiB) and their entries stream.
HTTP_JSON = {
    "empty": HttpExpect((200,), body=b"{}"),
    "truncated-text": HttpExpect((400,), aborted_ok=True),
    "truncated-zip": HttpExpect((400,)),
    "deflate-bomb": HttpExpect((413,)),
    "zip-in-zip": HttpExpect((422,)),
    "many-entries": HttpExpect((413,)),
    "unsafe-names": HttpExpect((400,)),
    "nested-braces": HttpExpect((400,)),
    "single-token": HttpExpect((413,), note="over max_body_bytes (100 MiB)"),
    "unclosed-quote": HttpExpect((400,)),
    "repeated-keys": HttpExpect((200,)),
    "colliding-keys": HttpExpect((200,)),
    # 128 MB of pretty JSON from 64 KB: refused (per feed of 64 KiB, 16 MiB at most), so
    # the server stays under its memory goal (it held 382 MB before).
    "deep-pretty": HttpExpect((400,), path="/v1/json?pretty=true"),
    "nul-bytes": HttpExpect((422,)),
    "invalid-utf8": HttpExpect((200,)),
    "utf16": HttpExpect((422,)),
    "binary-save": HttpExpect((422,)),
    "binary-zip": HttpExpect((422,)),
}

# `POST /v1/info` on the archives: the save is held whole and inspected.
HTTP_INFO = {
    name: HttpExpect(statuses, path="/v1/info")
    for name, statuses in {
        "truncated-zip": (400,),
        "deflate-bomb": (200, 413),
        "zip-in-zip": (200, 422),
        "many-entries": (413,),
        "unsafe-names": (400,),
        "binary-zip": (200, 422),
    }.items()
}


# `POST /v1/json?mode=group`: what group mode holds (its JSON and the records of the open
# objects' keys) is capped at twice max_buffered_bytes (40 MiB).
HTTP_GROUP = {
    # ~100 MB of records for 2,000,000 fields: over the cap, refused before memory runs out.
    "repeated-keys": HttpExpect((413,), path="/v1/json?mode=group"),
    # 5 MB, ~10 MB of records: converted, within the 10 s time limit.
    "colliding-keys": HttpExpect((200,), path="/v1/json?mode=group"),
}


# wrangler dev's proxy, when its connection to workerd broke mid-request (see above).
WRANGLER_RESTARTED = b"Your worker restarted mid-request"


@dataclass
class Server:
    base_url: str
    pid: int = 0  # 0: no memory figures
    proc: object = None  # None: not started here (not stopped)
    log: object = None
    label: str = "server"  # the target column: "server" or "worker"
    rss_limit_mib: float = SERVER_RSS_MIB
    wrangler: bool = False  # a Worker under `wrangler dev --local` (the deviations above)

    @property
    def host_port(self):
        u = urllib.parse.urlsplit(self.base_url)
        return u.hostname, u.port or (443 if u.scheme == "https" else 80)

    def alive(self) -> bool:
        if self.proc is None:
            return not self.pid or Path(f"/proc/{self.pid}").exists()
        return self.proc.poll() is None

    def reset_peak(self) -> bool:
        """Reset the peak RSS (Linux: writing 5 to clear_refs), so each case gets its own."""
        if not self.pid:
            return False
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def peak_mib(self) -> float:
        if not self.pid:
            return float("nan")
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        if self.log is not None:
            self.log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str) -> Server:
    port = free_port()
    log = tempfile.TemporaryFile()
    web = tempfile.mkdtemp(prefix="pdxedge-hostile-web-")
    proc = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}", "--web", web,
         "--max-duration-secs", str(MAX_DURATION_SECS)],
        stdout=log, stderr=log, env={**os.environ, "RUST_LOG": "warn"},
    )
    server = Server(f"http://127.0.0.1:{port}", proc.pid, proc, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, _, _, _ = request(server, "GET", "/healthz", None, 2)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    log.seek(0)
    raise SystemExit(f"pdxedge serve did not start:\n{log.read().decode(errors='replace')}")


def request(server: Server, method: str, path: str, body_path, timeout: float, data=None):
    """One request; the body (a file, streamed, or `data`) is sent from a thread while the
    answer is read, as the server answers early errors before the upload ends. Returns
    (status, content type, body bytes (at most 64 MiB kept), aborted: whether the
    response stream broke off before its clean end)."""
    host, port = server.host_port
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        size = os.path.getsize(body_path) if body_path else len(data or b"")
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Length: {size}\r\nContent-Type: application/octet-stream\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        if method == "GET":
            head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()

        def send():
            try:
                sock.sendall(head)
                if body_path:
                    with open(body_path, "rb") as f:
                        while chunk := f.read(256 << 10):
                            sock.sendall(chunk)
                elif data:
                    sock.sendall(data)
            except OSError:
                pass  # the server answered and closed early: its answer is what counts

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        resp = http.client.HTTPResponse(sock, method=method)
        resp.begin()
        ctype = resp.getheader("Content-Type", "")
        body = b""
        try:
            while len(body) < 64 * MiB:
                piece = resp.read(1 << 20)
                if not piece:
                    break
                body += piece
            while resp.read(1 << 20):  # drain what is beyond the kept part
                pass
        except http.client.IncompleteRead as e:
            return resp.status, ctype, body + e.partial, True
        except ConnectionError:
            return resp.status, ctype, body, True
        return resp.status, ctype, body, False
    finally:
        sock.close()


@dataclass
class HttpResult:
    case: str
    target: str
    outcome: str
    rss_mib: float
    seconds: float
    problems: list = field(default_factory=list)
    detail: str = ""


def check_follow_up(server: Server, timeout: float, problems: list) -> str:
    """The server must still convert a normal request correctly. Returns a note when
    wrangler's proxy needed a retry (see the module doc)."""
    note = ""
    try:
        for attempt in range(2):
            status, _, body, _ = request(
                server, "POST", "/v1/json", None, timeout, data=b"a=1 b={ 2 3 }"
            )
            if attempt == 0 and server.wrangler and status == 503 and WRANGLER_RESTARTED in body:
                note = "; next request: wrangler's proxy 503 once, retried"
                continue
            break
        if status != 200 or body != b'{"a":1,"b":[2,3]}':
            problems.append(f"next request answered {status} {body[:80]!r}")
    except OSError as e:
        problems.append(f"next request failed: {e}")
    return note


def run_case(server: Server, name: str, path: Path, exp: HttpExpect, timeout: float, target: str):
    measured = server.reset_peak()
    problems = []
    start = time.monotonic()
    status, ctype, body, detail, aborted = None, "", b"", "", False
    retried = ""
    try:
        status, ctype, body, aborted = request(server, "POST", exp.path, path, timeout)
        # The proxy quirk in the module doc can hit a case's own request too (the case
        # before it answered early without reading a large body): retried once.
        if server.wrangler and status == 503 and WRANGLER_RESTARTED in body:
            retried = "; wrangler's proxy 503 once, retried"
            start = time.monotonic()
            status, ctype, body, aborted = request(server, "POST", exp.path, path, timeout)
    except socket.timeout:
        problems.append(f"no answer within {timeout:.0f}s")
    except (OSError, http.client.HTTPException) as e:
        problems.append(f"no HTTP answer: {e!r}")
    seconds = time.monotonic() - start
    if aborted:
        if status != 200 or not exp.aborted_ok:
            problems.append(f"the {status} response broke off")
        detail = f"200 sent with the first 64 KiB of JSON, then the stream was aborted ({len(body)} bytes read)"
    elif status is not None:
        # workerd ends an aborted stream cleanly: a late error shows as a 200 whose body
        # is not JSON (checked below).
        clean_abort = server.wrangler and exp.aborted_ok and status == 200
        if status not in exp.statuses and not clean_abort:
            problems.append(f"status {status}, expected {exp.statuses}")
        if status >= 400:
            if not ctype.startswith(PROBLEM):
                problems.append(f"content type {ctype!r}, not {PROBLEM}")
            try:
                problem = json.loads(body)
                detail = problem.get("detail", "")
                if problem.get("status") != status:
                    problems.append("problem status differs from the HTTP status")
            except ValueError:
                problems.append("problem body is not JSON")
        elif status == 200:
            if exp.body and body != exp.body:
                problems.append(f"body is not {exp.body!r}")
            elif len(body) < 64 * MiB:
                try:
                    json.loads(body)
                    detail = exp.note or "valid JSON"
                    if clean_abort and status not in exp.statuses:
                        problems.append("a 200 with a complete JSON body for an input that must fail")
                except ValueError as e:
                    if clean_abort and len(body) > 64 << 10:
                        # The late error's stream abort, ended cleanly by workerd.
                        detail = (f"200 sent with the first 64 KiB of JSON, then the error ended the "
                                  f"stream cleanly (workerd issue 6818; {len(body)} bytes, not JSON)")
                    else:
                        problems.append(f"body is not JSON: {e}")
    rss = server.peak_mib() if measured else float("nan")
    if not server.alive():
        problems.append("the server died")
        outcome = "server died"
    else:
        outcome = str(status) if status is not None else "no answer"
        if aborted:
            outcome += ", aborted"
        if rss == rss and rss > server.rss_limit_mib:
            problems.append(f"{server.label} peak RSS {rss:.0f} MiB over {server.rss_limit_mib} MiB")
        detail = (detail or exp.note) + retried + check_follow_up(server, timeout, problems)
    return HttpResult(name, target, outcome, rss, seconds, problems, detail[:200])


def stopped_body(server: Server, timeout: float) -> HttpResult:
    """Content-Length says 1 MB; 64 KiB of text is sent, then the client stops sending
    (its write side is shut) and waits for the answer."""
    measured = server.reset_peak()
    problems, detail = [], ""
    start = time.monotonic()
    host, port = server.host_port
    outcome = "no answer"
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(
            f"POST /v1/json HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 1000000\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        sock.sendall((b"a = { b = 1 }\n" * 5000)[: 64 << 10])
        sock.shutdown(socket.SHUT_WR)
        try:
            resp = http.client.HTTPResponse(sock, method="POST")
            resp.begin()
            body = resp.read()
            outcome = str(resp.status)
            ctype = resp.getheader("Content-Type", "")
            if server.wrangler and resp.status == 503 and WRANGLER_RESTARTED in body:
                detail = "wrangler's local proxy answered 503 (the body never ended)"
            elif resp.status == 200:
                # Output started before the body ended: the stream must not end cleanly.
                problems.append("a 200 that ended cleanly for a body that stopped mid-way")
            elif not (400 <= resp.status < 500 and ctype.startswith(PROBLEM)):
                problems.append(f"answered {resp.status} {ctype}")
            else:
                detail = json.loads(body).get("detail", "")
        except http.client.IncompleteRead:
            outcome = "200, aborted"
            detail = "the response stream was aborted (no clean end)"
        except (OSError, http.client.HTTPException) as e:
            if isinstance(e, socket.timeout):
                problems.append(f"no answer within {timeout:.0f}s")
            else:
                outcome = "closed"
                detail = f"connection closed without an answer ({type(e).__name__})"
    seconds = time.monotonic() - start
    rss = server.peak_mib() if measured else float("nan")
    if not server.alive():
        problems.append("the server died")
    else:
        detail += check_follow_up(server, timeout, problems)
    return HttpResult("stopped-body", f"{server.label} json", outcome, rss, seconds, problems, detail[:200])


class Slowloris:
    """Clients that trickle a request a byte a second (its headers, or its body) or
    connect and send nothing, started before the other cases and checked after them: the
    server must keep answering others meanwhile and close (or answer) each slow
    connection within `limit` seconds."""

    KINDS = ("headers", "body", "silent")

    def __init__(self, server: Server, limit: float, clients: int = 9):
        self.server, self.limit = server, limit
        self.results = []  # (kind, seconds until the server gave up, or None)
        self.lock = threading.Lock()
        self.threads = []
        for i in range(clients):
            kind = self.KINDS[i % len(self.KINDS)]
            t = threading.Thread(target=self.client, args=(kind,), daemon=True)
            t.start()
            self.threads.append(t)
        self.started = time.monotonic()

    def client(self, kind: str):
        host, port = self.server.host_port
        start = time.monotonic()
        ended = None
        try:
            with socket.create_connection((host, port), timeout=self.limit + 5) as sock:
                if kind == "silent":
                    data = b""
                    sock.settimeout(self.limit)
                    try:
                        sock.recv(4096)  # b"" (closed) or a reset: the server gave up
                        ended = time.monotonic() - start
                    except TimeoutError:
                        pass  # still connected: `ended` stays None
                elif kind == "headers":
                    data = f"POST /v1/json HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\n\r\na=1\n".encode()
                else:
                    sock.sendall(
                        f"POST /v1/json HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100000\r\n\r\n".encode()
                    )
                    data = b"a = 1\n" * 20000
                sock.settimeout(0.0)
                for b in data:
                    if time.monotonic() - start > self.limit + 5:
                        break
                    try:
                        sock.send(bytes([b]))
                    except BlockingIOError:
                        pass
                    try:
                        sock.recv(4096)  # an answer, or b"" when the server closed
                        ended = time.monotonic() - start
                        break
                    except BlockingIOError:
                        pass
                    time.sleep(1.0)
        except OSError:
            ended = time.monotonic() - start
        with self.lock:
            self.results.append((kind, ended))

    def finish(self) -> HttpResult:
        for t in self.threads:
            t.join(timeout=max(0.0, self.started + self.limit + 10 - time.monotonic()))
        problems, notes = [], []
        with self.lock:
            results = list(self.results)
        for kind in self.KINDS:
            ends = [e for k, e in results if k == kind]
            held = sum(1 for e in ends if e is None)
            cut = [e for e in ends if e is not None]
            if cut:
                notes.append(f"{len(cut)} slow {kind} ended after {min(cut):.0f}-{max(cut):.0f} s")
            if held:
                problems.append(f"{held} slow {kind} still connected after {self.limit:.0f} s")
        if len(results) < len(self.threads):
            problems.append("a slow client thread did not finish")
        if not self.server.alive():
            problems.append("the server died")
        else:
            retried = check_follow_up(self.server, 10, problems)
            if retried:
                notes.append(retried.lstrip("; "))
        detail = "; ".join(notes) + "; other requests answered meanwhile"
        outcome = "closed" if not problems else "FAIL"
        return HttpResult(
            "slowloris", f"{self.server.label} json", outcome, float("nan"),
            time.monotonic() - self.started, problems, detail,
        )
