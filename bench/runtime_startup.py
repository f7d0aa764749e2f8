#!/usr/bin/env python3
"""The start-up time `scone-run` adds before a program's `main` (issue 15, bench), in one run
on one machine:

  direct        the program itself
  scone-run     `scone-run PROGRAM` without SCONE_CONFIG_ID (open, fexecve)
  SCONE_HASH=1  `SCONE_HASH=1 scone-run PROGRAM` (open, measure, print; the program does not run)
  with quote    `runtime_quote_probe PROGRAM`: scone-run's attestation path up to las's quote
                over the open file (new connection, las measures the caller and the passed
                program, signs the quote, sends collateral), then fexecve. las is started
                with `--runtime` naming the probe. CAS is not involved.

    bench/runtime_startup.py [--bin DIR] [--runs N] [--pad-mib M]

The program is a C `main` returning 0, built here with `cc`; `--pad-mib` adds M MiB of data
to it (las and SCONE_HASH hash every byte). Runs are interleaved (one of each variant in
turn) so that drift of the machine hits every variant alike; each run is timed from spawn to
exit with time.perf_counter in this process. Reports median and mean per variant and what
each adds to `direct` (median difference) and the ratio of medians.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def build_program(tmp, pad_mib):
    src = os.path.join(tmp, "prog.c")
    with open(src, "w") as f:
        if pad_mib:
            f.write("const volatile char pad[%d] = {1};\n" % (pad_mib << 20))
        f.write("int main(void) { return 0; }\n")
    out = os.path.join(tmp, "prog")
    subprocess.run(["cc", "-O2", "-o", out, src], check=True)
    return out


def start_las(bin_dir, tmp, runtime):
    platform = os.path.join(tmp, "platform")
    sock = os.path.join(tmp, "las.sock")
    log_path = os.path.join(tmp, "las.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([os.path.join(bin_dir, "las"), "--platform-dir", platform,
                             "--socket", sock, "--runtime", runtime],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(log_path) as f:
            if "listening on unix:" in f.read():
                return proc, log, sock
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("las did not start: " + open(log_path).read())


def time_run(argv, env):
    start = time.perf_counter()
    r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                 r.stderr.decode(errors="replace")))
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--pad-mib", type=int, default=0)
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin)
    scone_run = os.path.join(bin_dir, "scone-run")
    probe = os.path.join(bin_dir, "runtime_quote_probe")
    for p in (scone_run, probe, os.path.join(bin_dir, "las")):
        if not os.path.exists(p):
            raise SystemExit("missing %s: build it first (scripts/build.sh release)" % p)

    tmp = tempfile.mkdtemp(prefix="scone-runtime-bench-")
    las = None
    size = 0
    try:
        prog = build_program(tmp, args.pad_mib)
        size = os.path.getsize(prog)
        las = start_las(bin_dir, tmp, probe)
        env = dict(os.environ)
        env.pop("SCONE_CONFIG_ID", None)
        env["SCONE_LAS_ADDR"] = "unix:" + las[2]
        hash_env = dict(env, SCONE_HASH="1")
        variants = [
            ("direct", [prog], env),
            ("scone-run", [scone_run, prog], env),
            ("SCONE_HASH=1", [scone_run, prog], hash_env),
            ("with quote", [probe, prog], env),
        ]
        for _, argv, e in variants:  # warm up caches (and las's measurement of the probe)
            for _ in range(5):
                time_run(argv, e)
        times = {name: [] for name, _, _ in variants}
        for _ in range(args.runs):
            for name, argv, e in variants:
                times[name].append(time_run(argv, e))
    finally:
        if las is not None:
            las[0].terminate()
            las[0].wait(timeout=10)
            las[1].close()
        shutil.rmtree(tmp, ignore_errors=True)

    base = statistics.median(times["direct"])
    print("program: C main returning 0, %d bytes (--pad-mib %d); %d interleaved runs each"
          % (size, args.pad_mib, args.runs))
    print("%-14s %10s %10s %12s %8s" % ("variant", "median ms", "mean ms", "adds (ms)", "ratio"))
    for name, _, _ in variants:
        t = times[name]
        med = statistics.median(t)
        print("%-14s %10.3f %10.3f %12.3f %8.2f" % (name, med * 1e3, statistics.mean(t) * 1e3,
                                                     (med - base) * 1e3, med / base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
