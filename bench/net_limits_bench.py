#!/usr/bin/env python3
"""The figures of issue 12, items 2 to 4, measured in one run on loopback:

 2. the latency a new client's attestation sees while 5,000 idle or slow connections are held
    open on each listener (CAS API, CAS enclave port, las Unix socket; dropped ones are
    reopened at once, so the flood also reconnects);
 3. CAS resident memory before and while 200 TLS connections each send a 1 MiB body partly;
 4. the latency of an owner call (GET /v1/config with the owner's client certificate) with
    and without a flood of attestation requests.

    bench/net_limits_bench.py [--bin DIR] [--conns N] [--seconds S]

Starts its own las and cas from DIR (default build/bin) on temporary directories; everything
is bounded in time and count and stops at the end. Needs about 4 * N + 200 descriptors
(it raises its own soft limit to the hard one).
"""
import argparse
import json
import os
import resource
import selectors
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wait_for(pred, what, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


def summary(samples):
    if not samples:
        return "no samples"
    s = sorted(samples)
    p50 = s[len(s) // 2]
    p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
    return f"n={len(s)} p50={ms(p50)} p95={ms(p95)} max={ms(s[-1])}"


class Cluster:
    """las and cas on a temporary directory, cas provisioned by a fresh owner."""

    def __init__(self, bindir, tmp):
        self.bindir, self.tmp = bindir, tmp
        self.env = dict(os.environ, SCONE_CLI_CONFIG=os.path.join(tmp, "cli", "config.json"))
        self.procs = []
        platform = os.path.join(tmp, "platform")
        self.las_sock = os.path.join(tmp, "las.sock")
        self.las_log = open(os.path.join(tmp, "las.log"), "w+")
        self.procs.append(subprocess.Popen(
            [os.path.join(bindir, "las"), "--platform-dir", platform, "--socket", self.las_sock,
             "--no-tcp"], stdout=self.las_log, stderr=subprocess.STDOUT))
        wait_for(lambda: os.path.exists(self.las_sock), "las")
        conf = os.path.join(tmp, "cas.toml")
        with open(conf, "w") as f:
            f.write(f'[database]\npath = "{tmp}/cas.db"\n[api]\napi_listen = "127.0.0.1:0"\n'
                    f'enclave_listen = "127.0.0.1:0"\n[las]\naddress = "unix:{self.las_sock}"\n')
        self.cas_log_path = os.path.join(tmp, "cas.log")
        self.cas_log = open(self.cas_log_path, "w+")
        self.cas = subprocess.Popen([os.path.join(bindir, "cas"), "-c", conf],
                                    stdout=self.cas_log, stderr=subprocess.STDOUT)
        self.procs.append(self.cas)
        wait_for(lambda: "(enclave)" in open(self.cas_log_path).read(), "cas")
        log = open(self.cas_log_path).read()

        def after(marker, field=None):
            line = next(l for l in log.splitlines() if marker in l)
            return line.split()[6] if field is None else line

        self.api = after("(api)", True).split("https://")[1].split()[0]
        self.enclave = after("(enclave)", True).split("https://")[1].split()[0]
        key_hash, token = after("CAS key hash:"), after("CAS provisioning token:")
        self.sim = os.path.join(platform, "sim-root-ca.pem")
        owner = os.path.join(tmp, "owner.toml")
        with open(owner, "w") as f:
            f.write('[api_identity]\ncommon_name = "bench-cas"\n')
        subprocess.run([os.path.join(bindir, "scone"), "cas", "provision", self.api, "-c", key_hash,
                        "--token", token, "--config-file", owner, "with-attestation",
                        "--only_for_testing-sim-root-ca", self.sim],
                       env=self.env, check=True, stdout=subprocess.DEVNULL)
        ident = json.load(open(self.env["SCONE_CLI_CONFIG"]))["identity"]
        self.owner_cert = os.path.join(tmp, "owner.pem")
        self.owner_key = os.path.join(tmp, "owner.key")
        with open(self.owner_cert, "w") as f:
            f.write(ident["certificate"])
        with open(self.owner_key, "w") as f:
            f.write(ident["private_key"])
        os.chmod(self.owner_key, 0o600)

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def hostport(addr):
    host, port = addr.rsplit(":", 1)
    return host, int(port)


def tls_context(cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # a load generator; the CLI pins the CAS key
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def https(addr, method, path, body=b"", ctx=None, timeout=10.0):
    """One request on a new TLS connection; returns (status, seconds)."""
    start = time.monotonic()
    with socket.create_connection(hostport(addr), timeout=timeout) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with (ctx or tls_context()).wrap_socket(raw) as s:
            s.sendall(f"{method} {path} HTTP/1.1\r\nHost: cas\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
    return status, time.monotonic() - start


def attest_body():
    return json.dumps({"nonce": os.urandom(32).hex()}).encode()


class Holder:
    """Keeps `count` connections open on each target, reopening those the server closes.
    Half send nothing (idle), half send one byte of a request every 0.5 s (slow)."""

    SLOW_TLS = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 400
    SLOW_HTTP = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 400

    def __init__(self, targets, count):
        self.targets, self.count = targets, count
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.open = {t[0]: 0 for t in targets}
        self.reopened = 0
        self.failed = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self, target, slow):
        name, family, addr, tls = target
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(addr)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            s.close()
            self.failed += 1
            return
        state = {"target": target, "slow": slow, "sent": 0,
                 "payload": self.SLOW_TLS if tls else self.SLOW_HTTP}
        self.sel.register(s, selectors.EVENT_READ, state)
        self.open[name] += 1

    def start(self):
        for target in self.targets:
            for i in range(self.count):
                self.connect(target, slow=(i % 2 == 1))
        self.thread.start()

    def run(self):
        next_tick = time.monotonic()
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.1):
                s, state = key.fileobj, key.data
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # closed by the server: open another one at once
                    self.sel.unregister(s)
                    s.close()
                    self.open[state["target"][0]] -= 1
                    self.reopened += 1
                    self.connect(state["target"], state["slow"])
            if time.monotonic() >= next_tick:
                next_tick += 0.5
                for key in list(self.sel.get_map().values()):
                    state = key.data
                    if state["slow"] and state["sent"] < len(state["payload"]):
                        try:
                            key.fileobj.send(state["payload"][state["sent"]:state["sent"] + 1])
                            state["sent"] += 1
                        except OSError:
                            pass

    def close(self):
        self.stop.set()
        self.thread.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


def item2(c, args):
    print("== 2. a new client while idle/slow connections are held on every listener")

    def measure(label):
        attest = []
        for _ in range(args.samples):
            start = time.monotonic()
            r = subprocess.run([os.path.join(c.bindir, "scone"), "cas", "attest", c.api,
                                "--only_for_testing-sim-root-ca", c.sim],
                               env=c.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=30)
            attest.append(time.monotonic() - start if r.returncode == 0 else float("inf"))
        direct, enclave, failures = [], [], 0
        for _ in range(args.samples):
            try:
                status, t = https(c.api, "POST", "/v1/attestation", attest_body())
                direct.append(t) if status == 200 else None
                failures += status != 200
                status, t = https(c.enclave, "POST", "/v1/attestation", attest_body())
                enclave.append(t) if status == 200 else None
                failures += status != 200
            except OSError:
                failures += 1
        ok = [t for t in attest if t != float("inf")]
        print(f"  {label}: scone cas attest {summary(ok)}, failed {len(attest) - len(ok)}")
        print(f"  {label}: POST /v1/attestation on the API port {summary(direct)}; "
              f"on the enclave port {summary(enclave)}; failed {failures}")

    measure("no load")
    targets = [("api", socket.AF_INET, hostport(c.api), True),
               ("enclave", socket.AF_INET, hostport(c.enclave), True),
               ("las", socket.AF_UNIX, c.las_sock, False)]
    holder = Holder(targets, args.conns)
    holder.start()
    time.sleep(args.settle)
    print(f"  holding {args.conns} connections on each of {', '.join(t[0] for t in targets)} "
          f"(open now: {holder.open}; reopened so far: {holder.reopened}; connect failures: "
          f"{holder.failed})")
    measure(f"{args.conns} held per listener")
    print(f"  (reopened by the end: {holder.reopened}; cas RSS {rss_kb(c.cas.pid) // 1024} MB)")
    holder.close()


def item3(c, args):
    print("== 3. cas memory with 200 TLS connections each sending part of a 1 MiB body")
    time.sleep(1)
    before = rss_kb(c.cas.pid)
    socks, refused = [], 0
    chunk = b"a" * (1 << 20)
    for _ in range(200):
        try:
            raw = socket.create_connection(hostport(c.api), timeout=10)
            s = tls_context().wrap_socket(raw)
            s.sendall(b"POST /v1/attestation HTTP/1.1\r\nHost: cas\r\nContent-Type: "
                      b"application/json\r\nContent-Length: 1048576\r\n\r\n")
            s.settimeout(0.05)
            try:
                s.sendall(chunk[:-1024])  # all but the last KiB
            except (socket.timeout, OSError):
                refused += 1  # the server answered 503 and closed, or stopped reading
            socks.append(s)
        except OSError:
            refused += 1
    time.sleep(1)
    during = rss_kb(c.cas.pid)
    for s in socks:
        s.close()
    print(f"  cas RSS before {before // 1024} MB, with the 200 partial bodies {during // 1024} MB "
          f"(+{(during - before) // 1024} MB); connections not taking the whole body: {refused}")


def item4(c, args):
    print("== 4. owner call latency (GET /v1/config, owner's certificate) with and without "
          "an attestation flood")
    owner_ctx = tls_context(c.owner_cert, c.owner_key)

    def owner_samples():
        out, bad = [], 0
        for _ in range(args.samples):
            status, t = https(c.api, "GET", "/v1/config", ctx=owner_ctx, timeout=30)
            if status == 200:
                out.append(t)
            else:
                bad += 1
        return out, bad

    quiet, bad = owner_samples()
    print(f"  without flood: {summary(quiet)}; not 200: {bad}")
    stop = threading.Event()
    counts = {"200": 0, "503": 0, "other": 0}
    lock = threading.Lock()

    def flood():
        while not stop.is_set():
            try:
                status, _ = https(c.api, "POST", "/v1/attestation", attest_body())
            except OSError:
                status = 0
            key = str(status) if status in (200, 503) else "other"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=flood, daemon=True) for _ in range(args.flood)]
    start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(1)
    loaded, bad = owner_samples()
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    print(f"  with {args.flood} clients flooding attestation: {summary(loaded)}; not 200: {bad}")
    print(f"  flood answers in {elapsed:.1f} s: {counts}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--conns", type=int, default=5000, help="connections held per listener")
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--settle", type=float, default=3.0, help="seconds between opening and measuring")
    p.add_argument("--flood", type=int, default=32, help="attestation flood clients")
    p.add_argument("--items", default="2,3,4")
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    need = 3 * args.conns + 300
    if hard < need:
        sys.exit(f"need {need} descriptors, the hard limit is {hard}: lower --conns")
    tmp = tempfile.mkdtemp(prefix="scone-netbench-")
    c = None
    try:
        c = Cluster(os.path.abspath(args.bin), tmp)
        print(f"cas {c.api} (enclave {c.enclave}), las unix:{c.las_sock}; binaries {args.bin}")
        items = set(args.items.split(","))
        if "2" in items:
            item2(c, args)
        if "3" in items:
            item3(c, args)
        if "4" in items:
            item4(c, args)
    finally:
        if c:
            c.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
