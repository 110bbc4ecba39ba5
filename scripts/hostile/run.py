#!/usr/bin/env python3
"""Run the hostile inputs of generate.py through pdxedge; check and measure each.

    scripts/hostile/run.py [--cli PATH] [--server PATH | --base-url URL]
                           [--only NAME...] [--markdown FILE] [--timeout S] [--slow-limit S]
    scripts/hostile/run.py --base-url URL --worker [--pid PID] [--max-body-bytes N]

Targets: the CLI (--cli: the pdxedge binary), a server started here (--server: the
pdxedge binary; `pdxedge serve` on 127.0.0.1, a free port, stopped by PID at exit) or an
already running one (--base-url; memory figures only with --pid, the process serving it).
--worker marks the running one as a Worker under `wrangler dev --local` (rows "worker
...", the local runtime's deviations accepted with a note, see server.py); with
--max-body-bytes (the limit the Worker was started with), an input larger than it must be
refused with 413 whatever else is wrong with it. See server.py for the HTTP checks, the
stopped body and the slowloris clients.

For every case and target: the expected outcome (CLI: exit 2 and a message with a byte
offset, or exit 0 and valid JSON where the input is acceptable), no panic, no hang
(killed after --timeout seconds), peak memory (the child's maximum RSS, measured by GNU
time) within the case's limit. Prints a table (input, target, outcome, peak memory, time) and
exits 1 if any check failed. Inputs are generated into a temporary directory and each is
deleted after its runs, so at most one big file exists at a time.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import server as http_target  # noqa: E402

MiB = 1 << 20
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
RSS_MARK = "pdxedge-hostile-maxrss-kib="


@dataclass
class Expect:
    """What a correct run looks like."""

    exits: tuple = (2,)
    message: str = ""  # a regex stderr must match when the exit is 2
    max_rss_mib: int = 64
    json_out: bool = True  # when the exit is 0, stdout must be JSON
    stdout: bytes = b""  # when set, stdout must equal it
    note: str = ""
    args: list = field(default_factory=list)
    # Limits on a whole archive (entry count, names, nesting) have no byte position.
    need_offset: bool = True


# The CLI's `json` command. Memory: preserve mode streams, so a run holds the 256 KiB read
# buffer, at most one token (8 MiB limit) and a stack of nesting levels; 64 MiB covers it.
# A zip is held whole (its directory is at its end) and its entries stream.
CLI_JSON = {
    "empty": Expect(exits=(0,), stdout=b"{}"),
    "truncated-text": Expect(message=r"unexpected end of input"),
    "truncated-zip": Expect(message=r"corrupt zip"),
    "deflate-bomb": Expect(message=r"zip bomb", need_offset=False),
    "zip-in-zip": Expect(message=r"nested archives are not opened", need_offset=False),
    "many-entries": Expect(message=r"more than the limit of 256", need_offset=False),
    "unsafe-names": Expect(message=r"unsafe entry name", need_offset=False),
    "nested-braces": Expect(message=r"nest deeper than the limit"),
    "single-token": Expect(message=r"longer than the limit"),
    "unclosed-quote": Expect(message=r"longer than the limit .*byte offset 4\)"),
    "repeated-keys": Expect(exits=(0,)),
    "colliding-keys": Expect(exits=(0,)),
    # 128 MB of pretty JSON from 64 KB: refused per feed (16 MiB) rather than held.
    "deep-pretty": Expect(message=r"makes more than 16777216 bytes of JSON", args=["--pretty"]),
    "nul-bytes": Expect(message=r"NUL byte at offset 5: not a text file"),
    "invalid-utf8": Expect(exits=(0,), note="decoded lossily (U+FFFD), as jomini does"),
    "utf16": Expect(message=r"UTF-16 text is not supported"),
    "binary-save": Expect(message=r"EU4bin .*binary"),
    "binary-zip": Expect(message=r"EU4bin .*binary"),
}

# Group mode holds its JSON, and records of the open objects' keys, until the input ends:
# memory grows with the input (documented, capped at twice the CLI's 2 GiB input limit),
# so it gets its own rows for the big text cases.
CLI_GROUP = {
    "nested-braces": Expect(message=r"nest deeper than the limit", args=["--mode", "group"]),
    "unclosed-quote": Expect(
        message=r"byte offset 4\)", max_rss_mib=256, args=["--mode", "group"]
    ),
    # 8 MB: 4 MB of JSON and 2,000,000 records of 40 bytes (~80 MB); under a minute
    # (the time limit) only if a key's first place is found without a long scan.
    "repeated-keys": Expect(exits=(0,), max_rss_mib=256, args=["--mode", "group"]),
    # Under a minute (the time limit) only if keys that differ in the middle do not
    # share one probe chain.
    "colliding-keys": Expect(exits=(0,), max_rss_mib=256, args=["--mode", "group"]),
}


@dataclass
class Result:
    case: str
    target: str
    outcome: str
    exit: object
    rss_mib: float
    seconds: float
    problems: list
    detail: str


def run_cli(cli: str, path: Path, exp: Expect, timeout: float, case: str, target: str):
    out_path = path.with_suffix(".out")
    # GNU time measures the child's peak RSS. (wait4 from Python would not do: a child
    # forked from this process starts with this process's high-water mark.)
    cmd = [TIME, "-f", RSS_MARK + "%M", cli, "json", *exp.args, str(path)]
    with open(out_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            timed_out = True
        seconds = time.monotonic() - start
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    rss_kib = re.findall(RSS_MARK + r"(\d+)", stderr)
    rss_mib = int(rss_kib[-1]) / 1024 if rss_kib else float("nan")
    signalled = re.search(r"Command terminated by signal (\d+)", stderr)
    stderr = "\n".join(
        line for line in stderr.splitlines()
        if RSS_MARK not in line and not line.startswith("Command ")
    )
    status = proc.returncode
    problems = []
    if timed_out:
        outcome, code = "hang (killed)", None
        problems.append(f"no answer within {timeout:.0f}s")
    elif signalled:
        outcome, code = f"killed by signal {signalled.group(1)}", None
        problems.append(outcome)
    else:
        code = status
        outcome = {0: "ok", 2: "error"}.get(code, f"exit {code}")
    if "panicked" in stderr:
        problems.append("panic")
    if code is not None and code not in exp.exits:
        problems.append(f"exit {code}, expected {exp.exits}")
    if code == 2:
        if exp.need_offset and not re.search(r"byte offset \d+", stderr):
            problems.append("error message has no position")
        if exp.message and not re.search(exp.message, stderr):
            problems.append(f"message does not match /{exp.message}/")
    if code == 0:
        size = out_path.stat().st_size
        if exp.stdout and out_path.read_bytes() != exp.stdout:
            problems.append(f"output is not {exp.stdout!r}")
        elif exp.json_out and size < 256 * MiB:
            try:
                json.loads(out_path.read_bytes())
            except ValueError as e:
                problems.append(f"output is not JSON: {e}")
    if not rss_mib <= exp.max_rss_mib:
        problems.append(f"peak RSS {rss_mib:.0f} MiB over the {exp.max_rss_mib} MiB limit")
    out_path.unlink(missing_ok=True)
    first_line = stderr.strip().splitlines()[0] if stderr.strip() else ""
    detail = first_line if code != 0 else (exp.note or "valid JSON")
    return Result(case, target, outcome, code, rss_mib, seconds, problems, detail[:160])


EXTRA_CASES = {
    "stopped-body": "a request body that stops mid-way (Content-Length 1 MB, 64 KiB sent)",
    "slowloris": "slow clients: headers or body a byte a second, or silent",
}


def describe(case: str) -> str:
    if case in generate.CASES:
        return f"{case}: {generate.CASES[case][1]}"
    return f"{case}: {EXTRA_CASES.get(case, '')}"


def table(results):
    lines = [
        "| input | target | outcome | peak RSS | time | message / note | check |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for r in results:
        check = "pass" if not r.problems else "FAIL: " + "; ".join(r.problems)
        detail = r.detail.replace("|", "\\|")
        rss = f"{r.rss_mib:.1f} MiB" if r.rss_mib == r.rss_mib else "-"
        lines.append(
            f"| {describe(r.case)} | {r.target} | {r.outcome} | {rss} "
            f"| {r.seconds:.2f} s | {detail} | {check} |"
        )
    return "\n".join(lines)


def report(r):
    mark = "ok " if not r.problems else "FAIL"
    rss = f"{r.rss_mib:7.1f} MiB" if r.rss_mib == r.rss_mib else "      - MiB"
    print(f"{mark} {r.case:15} {r.target:22} {r.outcome:14} {rss} {r.seconds:6.2f} s  {r.detail[:70]}")
    for p in r.problems:
        print(f"     problem: {p}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", help="path to the pdxedge binary (CLI rows)")
    ap.add_argument("--server", help="pdxedge binary to run `serve` from (server rows)")
    ap.add_argument("--base-url", help="a running server to test instead (e.g. a Worker)")
    ap.add_argument("--only", nargs="*", default=None, help="case names")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--slow-limit", type=float, default=25.0,
                    help="seconds within which the server must end a slowloris connection")
    ap.add_argument("--markdown", type=Path, help="also write the table here")
    ap.add_argument("--worker", action="store_true",
                    help="--base-url is a Worker under `wrangler dev --local`")
    ap.add_argument("--pid", type=int, default=0,
                    help="the process behind --base-url, for peak memory (e.g. workerd)")
    ap.add_argument("--max-body-bytes", type=int, default=0,
                    help="the body limit --base-url runs with (bigger inputs expect 413)")
    ap.add_argument("--rss-limit-mib", type=float, default=http_target.SERVER_RSS_MIB,
                    help="peak RSS allowed for the --pid process")
    args = ap.parse_args()
    if not (args.cli or args.server or args.base_url):
        ap.error("give --cli, --server or --base-url")

    names = args.only or list(generate.CASES)
    results = []
    server = None
    if args.server:
        server = http_target.start_server(args.server)
    elif args.base_url:
        server = http_target.Server(
            args.base_url.rstrip("/"), pid=args.pid, rss_limit_mib=args.rss_limit_mib,
            label="worker" if args.worker else "server", wrangler=args.worker,
        )
    try:
        slow = None
        if server and (args.only is None or "slowloris" in args.only):
            slow = http_target.Slowloris(server, args.slow_limit)
        with tempfile.TemporaryDirectory(prefix="pdxedge-hostile-") as tmp:
            tmp = Path(tmp)
            for name in names:
                if name not in generate.CASES:
                    continue
                path = generate.generate(name, tmp)
                if args.cli:
                    runs = [("cli json", CLI_JSON[name])]
                    if name in CLI_GROUP:
                        runs.append(("cli json --mode group", CLI_GROUP[name]))
                    for target, exp in runs:
                        r = run_cli(args.cli, path, exp, args.timeout, name, target)
                        results.append(r)
                        report(r)
                if server:
                    runs = [(f"{server.label} json", http_target.HTTP_JSON[name])]
                    if name in http_target.HTTP_INFO:
                        runs.append((f"{server.label} info", http_target.HTTP_INFO[name]))
                    if name in http_target.HTTP_GROUP:
                        runs.append((f"{server.label} json group", http_target.HTTP_GROUP[name]))
                    if args.max_body_bytes and path.stat().st_size > args.max_body_bytes:
                        over = f"over max_body_bytes ({args.max_body_bytes})"
                        runs = [(t, http_target.HttpExpect((413,), path=e.path, note=over)) for t, e in runs]
                    for target, exp in runs:
                        r = http_target.run_case(server, name, path, exp, args.timeout, target)
                        results.append(r)
                        report(r)
                path.unlink()
        if server and (args.only is None or "stopped-body" in args.only):
            r = http_target.stopped_body(server, args.timeout)
            results.append(r)
            report(r)
        if slow:
            r = slow.finish()
            results.append(r)
            report(r)
    finally:
        if server:
            server.stop()
    md = table(results)
    print()
    print(md)
    if args.markdown:
        args.markdown.write_text(md + "\n")
    failed = sum(1 for r in results if r.problems)
    print(f"\nhostile: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
