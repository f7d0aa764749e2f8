"""Helpers shared by the end-to-end tests: run the built programs, make temp folders,
compute expected values independently of the code under test."""

import hashlib
import http.client
import json
import os
import ssl
import subprocess
import tempfile
import unittest

BIN_DIR = os.environ.get("SCONE_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../build/bin"))
TESTDATA = os.environ.get("SCONE_TESTDATA_DIR", os.path.join(os.path.dirname(__file__), "../../testdata"))

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(version: int, payload: bytes) -> str:
    """Base58Check as Bitcoin defines it; written here independently of src/common."""
    data = bytes([version]) + payload
    data += hashlib.sha256(hashlib.sha256(data).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n > 0:
        n, r = divmod(n, 58)
        out = B58_ALPHABET[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def openssl(*args, input=None) -> bytes:
    return subprocess.run(["openssl", *args], input=input, check=True,
                          capture_output=True).stdout


def expected_key_hash(cert_path: str) -> str:
    """Key hash computed with the openssl command line: SHA-256 of the DER SPKI."""
    pub_pem = openssl("x509", "-in", cert_path, "-noout", "-pubkey")
    spki_der = openssl("pkey", "-pubin", "-outform", "DER", input=pub_pem)
    return b58check(1, hashlib.sha256(spki_der).digest())


class SconeTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="scone-e2e-")
        self.tmp = self._tmp.name
        self.config = os.path.join(self.tmp, "cas", "config.json")
        self.env = dict(os.environ)
        self.env["SCONE_CLI_CONFIG"] = self.config
        self.env["HOME"] = self.tmp

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def scone(self, *args, check=True, env=None, timeout=120):
        r = subprocess.run([os.path.join(BIN_DIR, "scone"), *args], capture_output=True,
                           text=True, env=env or self.env, timeout=timeout)
        if check and r.returncode != 0:
            self.fail(f"scone {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def scone_fails(self, *args, code=1, env=None):
        r = self.scone(*args, check=False, env=env)
        self.assertEqual(r.returncode, code, f"stdout: {r.stdout}\nstderr: {r.stderr}")
        self.assertTrue(r.stderr.startswith("error: "), r.stderr)
        return r


def stop_server(proc, log):
    """SIGTERM (SIGKILL after 10 s) a server started by a helper below, and close its log."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if not log.closed:
        log.close()


class Las:
    """A running `las` on a temporary platform directory; stops when closed. It serves its
    Unix socket (`socket`), where it measures its callers; with `tcp=True` also the
    testing-only TCP listener (`tcp`, HOST:PORT) where callers name a program and every
    quote carries DEBUG (`las --only_for_testing-tcp`)."""

    def __init__(self, platform_dir, tcb_state=None, tcp=False, sim_root_from=None,
                 extra_args=()):
        import re
        import time
        self.platform_dir = platform_dir
        self.socket = os.path.join(platform_dir + "-las.sock")
        args = [os.path.join(BIN_DIR, "las"), "--platform-dir", platform_dir,
                "--socket", self.socket]
        if tcb_state:
            args += ["--tcb-state", tcb_state]
        if tcp:
            args += ["--only_for_testing-tcp", "127.0.0.1:0"]
        if sim_root_from:
            args += ["--sim-root-from", sim_root_from]
        args += list(extra_args)
        self.log_path = platform_dir + "-las.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.tcp = None
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log_path) as f:
                text = f.read()
            m = re.search(r"listening on (127\.0\.0\.1:\d+)", text)
            if (m or not tcp) and "listening on unix:" in text:
                self.tcp = m.group(1) if m else None
                break
            if self.proc.poll() is not None:
                raise RuntimeError("las exited: " + text)
            time.sleep(0.05)
        else:
            self.close()
            raise RuntimeError("las did not start: " + open(self.log_path).read())
        self.sim_root = os.path.join(platform_dir, "sim-root-ca.pem")

    def close(self):
        stop_server(self.proc, self.log)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Cas:
    """A running `cas` (docs/cas.md) on a temporary database, measured by `las`; stops when
    closed. `port` 0 picks a free API port; pass the port of an earlier CAS to take its place.
    `binary` runs another copy of cas (a copy without cas.sig is a debug enclave); `extra_args` are
    more command-line arguments (also for restart())."""

    def __init__(self, workdir, las, port=0, binary=None, database=None, extra_args=()):
        os.makedirs(workdir, exist_ok=True)
        self.extra_args = list(extra_args)
        self.workdir = workdir
        self.binary = binary or os.path.join(BIN_DIR, "cas")
        self.database = database or os.path.join(workdir, "cas.db")
        self.config = os.path.join(workdir, "cas.toml")
        self.las = las
        self.log_path = os.path.join(workdir, "cas.log")
        self.proc = None
        self._write_config(port)
        self.start()

    def _write_config(self, port):
        with open(self.config, "w") as f:
            f.write(f'[database]\npath = "{self.database}"\n\n'
                    f'[api]\napi_listen = "127.0.0.1:{port}"\nenclave_listen = "127.0.0.1:0"\n\n'
                    f'[las]\naddress = "unix:{self.las.socket}"\n')

    def restart(self):
        """Starts the stopped (or killed) CAS again on the same database and API port."""
        self._write_config(self.port)
        self.start()

    def start(self):
        """Starts the process and waits until its API listens."""
        import re
        import time
        self.log = open(self.log_path, "a")
        offset = os.path.getsize(self.log_path)
        self.proc = subprocess.Popen([self.binary, "-c", self.config, *self.extra_args],
                                     stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.log_path) as f:
                f.seek(offset)
                text = f.read()
            m = re.search(r"listening on https://(127\.0\.0\.1:\d+) \(api\)", text)
            if m:
                self.address = m.group(1)
                self.port = int(self.address.rsplit(":", 1)[1])
                self.key_hash = self._value(text, "CAS key hash:")
                self.token = self._value(text, "CAS provisioning token:")
                self.log_text = text
                return
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError("cas exited: " + text)
            time.sleep(0.05)
        self.close()
        raise RuntimeError("cas did not start: " + open(self.log_path).read())

    @staticmethod
    def _value(text, marker):
        """The 7th whitespace-separated field of the last line with `marker` (the documented
        awk '{print $7}')."""
        lines = [line for line in text.splitlines() if marker in line]
        return lines[-1].split()[6] if lines else None

    def kill(self):
        """SIGKILL, as a crash would."""
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def close(self):
        stop_server(self.proc, self.log)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RawCasTestCase(SconeTestCase):
    """A real las and cas spoken to as a plain HTTPS client (no `scone`): identities are
    certificates made by `openssl` in self.work, `call` sends one request with one of them."""

    def start_cas(self, identities, las_args=(), cas_args=(), las_tcp=False):
        """Starts las and cas (with these extra arguments) and makes a P-256 certificate and
        key for each name."""
        self.las = Las(self.path("platform"), tcp=las_tcp, extra_args=las_args)
        self.addCleanup(self.las.close)
        self.cas = Cas(self.path("cas"), self.las, extra_args=cas_args)
        self.addCleanup(self.cas.close)
        self.work = self.path("work")
        os.makedirs(self.work)
        for name in identities:
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", "/CN=" + name, "-days", "1",
                    "-keyout", os.path.join(self.work, name + ".key"),
                    "-out", os.path.join(self.work, name + ".pem"))

    def provision(self, owner):
        status, body = self.call("POST", "/v1/provision", json.dumps(
            {"token": self.cas.token,
             "config": {"format": "toml", "text": "[ias]\nlinkable_quotes = false\n"}}),
            owner)
        self.assertEqual(status, 200, body)

    def call(self, method, path, body, who):
        """One request over TLS with `who`'s client certificate (none if `who` is None);
        returns (status, parsed body)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if who:
            ctx.load_cert_chain(os.path.join(self.work, who + ".pem"),
                                os.path.join(self.work, who + ".key"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.cas.port, context=ctx, timeout=30)
        try:
            conn.request(method, path, body=body)
            r = conn.getresponse()
            text = r.read()
            return r.status, json.loads(text) if text else None
        finally:
            conn.close()
