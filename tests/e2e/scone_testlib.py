"""Helpers shared by the end-to-end tests: run the built programs, make temp folders,
compute expected values independently of the code under test."""

import hashlib
import os
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


class Las:
    """A running `las` on a temporary platform directory; stops when closed."""

    def __init__(self, platform_dir, tcb_state=None, tcp=True):
        import re
        import time
        self.platform_dir = platform_dir
        self.socket = os.path.join(platform_dir + "-las.sock")
        args = [os.path.join(BIN_DIR, "las"), "--platform-dir", platform_dir,
                "--socket", self.socket, "--listen", "127.0.0.1:0"]
        if tcb_state:
            args += ["--tcb-state", tcb_state]
        if not tcp:
            args.append("--no-tcp")
        self.log_path = platform_dir + "-las.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.tcp = None
        deadline = time.time() + 30
        while time.time() < deadline:
            text = open(self.log_path).read()
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
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
