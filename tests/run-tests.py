#!/usr/bin/env python3
# tests/run-tests.py: Kestrel's test runner (`make check`, `make check-unit`).
#
# Runs every unit test program BUILD/tests/unit/test-* (GTest, with --tap) and,
# unless --unit-only, every tests/functional/test_*.py (python3, with
# KESTREL_BUILD set), one at a time. Reads their TAP output: "ok", "not ok",
# "# SKIP"/"# TODO" directives, the plan "1..N" and "Bail out!". A program that
# crashes, exits non-zero without a "not ok", has no plan, runs a different
# number of tests than planned or exceeds the per-program timeout counts as one
# failure. Prints each result prefixed with the program's name, the output of
# failed programs, and ends with the line "N passed, N failed, N skipped".
# Exit status 1 if anything failed (or no test program was found).
#
# usage: tests/run-tests.py [--build DIR] [--unit-only] [--filter SUBSTR]
#                           [--timeout SECONDS]

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RESULT_RE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
DIRECTIVE_RE = re.compile(r"(?<!\\)#\s*(SKIP|TODO)\S*\s*(.*)$", re.IGNORECASE)


class Result:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.problems = []  # failures not tied to a result line


def parse_line(line, res, state, emit):
    """Accounts one line of TAP output; returns nothing."""
    line = line.rstrip("\r\n")
    m = RESULT_RE.match(line)
    if m:
        state["ran"] += 1
        directive = DIRECTIVE_RE.search(m.group(3))
        kind = directive.group(1).upper() if directive else None
        if kind == "SKIP":
            res.skipped += 1
        elif kind == "TODO":
            # An expected failure is not a failure; an unexpected pass passes.
            if m.group(1) == "ok":
                res.passed += 1
            else:
                res.skipped += 1
        elif m.group(1) == "ok":
            res.passed += 1
        else:
            res.failed += 1
        emit(line)
        return
    m = PLAN_RE.match(line)
    if m:
        if state["plan"] is not None:
            res.problems.append("more than one plan")
        state["plan"] = int(m.group(1))
        if state["plan"] == 0:
            reason = m.group(2) or "no reason given"
            emit(line)
            state["skip_all"] = re.sub(r"^(?i:skip)\S*\s*", "", reason) or reason
        return
    if line.startswith("Bail out!"):
        res.problems.append(line)
        emit(line)


def run_program(name, argv, env, timeout, verbose):
    """Runs one test program; returns (Result, stdout text, stderr text, status)."""
    res = Result(name)
    state = {"ran": 0, "plan": None, "skip_all": None}
    out_lines, err_chunks = [], []
    lock = threading.Lock()

    def emit(line):
        with lock:
            print("%s: %s" % (name, line), flush=True)

    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=REPO_ROOT,
                                start_new_session=True)
    except OSError as e:
        res.problems.append("cannot run %s: %s" % (argv[0], e.strerror))
        return res, "", "", None

    def read_out():
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            out_lines.append(line)
            parse_line(line, res, state, emit)
            if verbose and not RESULT_RE.match(line):
                emit(line.rstrip("\r\n"))

    def read_err():
        for raw in iter(lambda: proc.stderr.read(4096), b""):
            err_chunks.append(raw)

    threads = [threading.Thread(target=read_out, daemon=True),
               threading.Thread(target=read_err, daemon=True)]
    for t in threads:
        t.start()
    timed_out = False
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = proc.wait()
    # Kill what the program left behind (emulators it spawned) so that the
    # pipes close; its process group is its own.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for t in threads:
        t.join(10)

    notes = []  # reported, but not counted: a "not ok" already failed the program
    if timed_out:
        res.problems.append("timed out after %d s and was killed" % timeout)
    elif status < 0:
        try:
            signame = signal.Signals(-status).name
        except ValueError:
            signame = "signal %d" % -status
        (notes if res.failed else res.problems).append("crashed (killed by %s)" % signame)
    elif status != 0 and res.failed == 0:
        res.problems.append("exited with status %d without reporting a failure" % status)
    if res.problems:
        pass
    elif state["skip_all"] is not None and state["ran"] == 0:
        res.skipped += 1
        emit("ok - %s # SKIP %s" % (name, state["skip_all"]))
    elif state["plan"] is None:
        res.problems.append("printed no TAP plan (1..N)")
    elif state["plan"] != state["ran"]:
        (notes if res.failed else res.problems).append(
            "planned %d tests but ran %d" % (state["plan"], state["ran"]))
    for p in notes:
        emit("# %s" % p)
    for p in res.problems:
        emit("not ok - %s" % p)
    res.failed += len(res.problems)
    return res, "".join(out_lines), b"".join(err_chunks).decode("utf-8", errors="replace"), status


def find_programs(build, unit_only, filt):
    programs = []
    unit_dir = os.path.join(build, "tests", "unit")
    if os.path.isdir(unit_dir):
        for f in sorted(os.listdir(unit_dir)):
            path = os.path.join(unit_dir, f)
            if (f.startswith("test-") and "." not in f and os.path.isfile(path)
                    and os.access(path, os.X_OK)):
                programs.append((f, [path, "--tap"]))
    if not unit_only:
        func_dir = os.path.join(REPO_ROOT, "tests", "functional")
        for f in sorted(os.listdir(func_dir)) if os.path.isdir(func_dir) else []:
            if f.startswith("test_") and f.endswith(".py"):
                programs.append((f[:-3], [sys.executable, os.path.join(func_dir, f)]))
    if filt:
        programs = [p for p in programs if filt in p[0]]
    return programs


def main():
    ap = argparse.ArgumentParser(description="Runs Kestrel's unit and functional tests (TAP).")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--unit-only", action="store_true", help="only the unit tests")
    ap.add_argument("--filter", default="", metavar="SUBSTR",
                    help="only the programs whose name contains SUBSTR")
    ap.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                    help="per-program timeout (default: 600)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print the programs' other output lines")
    args = ap.parse_args()

    build = args.build if os.path.isabs(args.build) else os.path.join(os.getcwd(), args.build)
    build = os.path.normpath(build)
    if not os.path.isdir(build):
        print("run-tests: error: build directory %s does not exist (run make first)" % build,
              file=sys.stderr)
        return 1
    programs = find_programs(build, args.unit_only, args.filter)
    if not programs:
        what = "unit test programs in %s/tests/unit" % build
        if not args.unit_only:
            what += " or functional tests in tests/functional"
        print("run-tests: error: no %s%s" % (
            what, " matching '%s'" % args.filter if args.filter else ""), file=sys.stderr)
        print("0 passed, 0 failed, 0 skipped")
        return 1

    env = dict(os.environ)
    env["KESTREL_BUILD"] = build
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    total = {"passed": 0, "failed": 0, "skipped": 0}
    failed_programs = []
    for name, argv in programs:
        start = time.monotonic()
        res, out, err, status = run_program(name, argv, env, args.timeout, args.verbose)
        elapsed = time.monotonic() - start
        print("%s: done in %.1f s: passed %d, failed %d, skipped %d" % (
            name, elapsed, res.passed, res.failed, res.skipped), flush=True)
        total["passed"] += res.passed
        total["failed"] += res.failed
        total["skipped"] += res.skipped
        if res.failed:
            failed_programs.append(name)
            print("---- output of %s (%s, exit status %s) ----" % (
                name, " ".join(argv), status))
            sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
            if err:
                print("---- stderr of %s ----" % name)
                sys.stdout.write(err if err.endswith("\n") else err + "\n")
            print("---- end of %s ----" % name, flush=True)
    if failed_programs:
        print("failed programs: " + ", ".join(failed_programs))
    print("%d passed, %d failed, %d skipped" % (total["passed"], total["failed"],
                                                total["skipped"]))
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
