"""`scone-run` as the loader and las's quotes for a passed program (issue 15: the runtime),
with the real `las`, `scone` and `scone-run`, and a small C program built here with `cc`."""

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import unittest

from scone_testlib import BIN_DIR, Las, SconeTestCase

PROGRAM_C = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  printf("variant %d\n", VARIANT);
  for (int i = 0; i < argc; ++i) printf("arg %s\n", argv[i]);
  const char *v = getenv("RUNTIME_TEST_VALUE");
  printf("env %s\n", v ? v : "(unset)");
  return argc > 1 && argv[1][0] == 'x' ? 3 : 0;
}
"""

SCONE_RUN = os.path.join(BIN_DIR, "scone-run")
# Built with the benchmarks: scone-run's attestation path up to las's quote (bench/).
PROBE = os.path.join(BIN_DIR, "runtime_quote_probe")


class UnixHttpConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


class RuntimeLasTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.prog = self.build_program("prog", 1)

    def build_program(self, name, variant):
        src = self.path(name + ".c")
        with open(src, "w") as f:
            f.write(PROGRAM_C)
        out = self.path(name)
        subprocess.run(["cc", "-O1", "-DVARIANT=%d" % variant, "-o", out, src], check=True,
                       capture_output=True)
        return out

    def run_loader(self, *args, env=None, loader=SCONE_RUN):
        e = dict(self.env)
        e.pop("SCONE_CONFIG_ID", None)
        e.update(env or {})
        return subprocess.run([loader, *args], capture_output=True, text=True, env=e,
                              timeout=120)

    def mrenclave(self, program):
        r = self.scone("signer", "info", program, "--format", "json")
        return json.loads(r.stdout)["mrenclave"]

    def test_scone_hash_prints_the_mrenclave_that_signer_info_shows(self):
        r = self.run_loader(self.prog, env={"SCONE_HASH": "1"})
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.prog, "rb") as f:
            expected = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(r.stdout, expected + "\n")
        self.assertEqual(self.mrenclave(self.prog), expected)

    def test_a_changed_byte_changes_the_hash(self):
        before = self.run_loader(self.prog, env={"SCONE_HASH": "1"}).stdout
        with open(self.prog, "r+b") as f:
            f.seek(-1, os.SEEK_END)
            last = f.read(1)
            f.seek(-1, os.SEEK_END)
            f.write(bytes([last[0] ^ 1]))
        after = self.run_loader(self.prog, env={"SCONE_HASH": "1"})
        self.assertEqual(after.returncode, 0, after.stderr)
        self.assertNotEqual(after.stdout, before)
        self.assertEqual(after.stdout.strip(), self.mrenclave(self.prog))

    def test_without_config_id_the_program_runs_as_given(self):
        r = self.run_loader(self.prog, "a b", "--help", env={"RUNTIME_TEST_VALUE": "v1"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "variant 1\narg %s\narg a b\narg --help\nenv v1\n" % self.prog)
        # The program's exit status is scone-run's.
        self.assertEqual(self.run_loader(self.prog, "x").returncode, 3)
        # A name without '/' is looked up in $PATH.
        r = self.run_loader("prog", env={"PATH": self.tmp})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("variant 1\narg prog\n"), r.stdout)

    def test_clear_errors(self):
        r = self.run_loader(self.path("missing"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("scone-run: error: cannot open the program", r.stderr)
        r = self.run_loader(self.prog, env={"SCONE_LAS_ADDR": "127.0.0.1:18766"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("SCONE_LAS_ADDR", r.stderr)
        r = self.run_loader(self.prog, env={"SCONE_CONFIG_ID": "s/svc",
                                            "SCONE_CAS_ADDR": "cas:x"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("SCONE_CAS_ADDR", r.stderr)
        r = self.run_loader(self.prog, env={"SCONE_CONFIG_ID": "nosvc", "SCONE_CAS_ADDR": "c"})
        self.assertIn("SCONE_CONFIG_ID", r.stderr)
        r = self.run_loader()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("PROGRAM", r.stderr)
        r = self.run_loader("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("SCONE_HASH", r.stdout)

    def program_quote(self, las, fd, signature_fd=None):
        """Asks las for a quote of the file open as `fd` in this (Python) process."""
        body = {"report_data": "00" * 64, "program_fd": fd}
        if signature_fd is not None:
            body["signature_fd"] = signature_fd
        conn = UnixHttpConnection(las.socket)
        conn.request("POST", "/v1/program-quote", json.dumps(body),
                     {"Content-Type": "application/json"})
        resp = conn.getresponse()
        answer = resp.status, json.loads(resp.read() or b"{}")
        conn.close()
        return answer

    def test_a_process_that_is_not_the_runtime_cannot_get_a_quote_for_a_program_it_passes(self):
        with Las(self.path("platform")) as las:
            with open(self.prog, "rb") as f:
                status, body = self.program_quote(las, f.fileno())
            self.assertEqual(status, 403, body)
            self.assertIn("not the runtime las trusts", body["msg"][0])
            self.assertIn(os.path.realpath(SCONE_RUN), body["msg"][0])
            # Its own quote it still gets (the measured caller: python itself).
            conn = UnixHttpConnection(las.socket)
            conn.request("POST", "/v1/quote", json.dumps({"report_data": "00"}))
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
        with open(las.log_path) as f:
            self.assertIn("not the runtime", f.read())

    @unittest.skipUnless(os.path.exists(PROBE), "runtime_quote_probe is built with benchmarks")
    def test_the_trusted_runtime_gets_a_quote_of_the_program_it_runs(self):
        key = self.path("signer.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", key], check=True, capture_output=True)
        self.scone("signer", "sign", "--key", key, "--isvprodid", "9", "--isvsvn", "2",
                   "--production", self.prog)
        info = json.loads(self.scone("signer", "info", self.prog, "--format", "json").stdout)
        quote = self.path("quote.bin")
        coll = self.path("coll")
        # las trusts the probe as its runtime (`--runtime`); scone-run is then not trusted.
        with Las(self.path("platform"), extra_args=["--runtime", PROBE]) as las:
            env = {"SCONE_LAS_ADDR": "unix:" + las.socket}
            for _ in range(2):  # the second is served from las's measurement of the runtime
                r = self.run_loader("-o", quote, self.prog, "arg1", env=env, loader=PROBE)
                self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.splitlines()[:3],
                             ["variant 1", "arg " + self.prog, "arg arg1"])
            self.scone("las", "collateral", "--las", "unix:" + las.socket, "-o", coll)
            v = self.scone("attestation", "verify-quote", quote, "--collateral", coll,
                           "--only_for_testing-sim-root-ca", las.sim_root, "--format", "json")
            got = json.loads(v.stdout)
            # The genuine scone-run is not the runtime this las trusts.
            shutil.copy(self.prog, self.path("copy"))
            with open(self.path("copy"), "rb") as f:
                status, body = self.program_quote(las, f.fileno())
            self.assertEqual(status, 403)
        for k in ("mrenclave", "mrsigner", "isvprodid", "isvsvn", "debug"):
            self.assertEqual(got[k], info[k], k)
        self.assertFalse(got["debug"])
        self.assertEqual(got["report_data"], "5c" * 64)

    @unittest.skipUnless(os.path.exists(PROBE), "runtime_quote_probe is built with benchmarks")
    def test_a_program_whose_signature_is_for_other_bytes_gets_no_quote(self):
        key = self.path("signer.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", key], check=True, capture_output=True)
        self.scone("signer", "sign", "--key", key, "--isvprodid", "9", "--isvsvn", "2",
                   self.prog)
        other = self.build_program("other", 2)
        os.replace(other, self.prog)  # the signature now belongs to other bytes
        with Las(self.path("platform"), extra_args=["--runtime", PROBE]) as las:
            r = self.run_loader(self.prog, env={"SCONE_LAS_ADDR": "unix:" + las.socket},
                                loader=PROBE)
        self.assertEqual(r.returncode, 1)
        self.assertIn("sign it again", r.stderr)
        self.assertNotIn("variant", r.stdout)


if __name__ == "__main__":
    unittest.main()
