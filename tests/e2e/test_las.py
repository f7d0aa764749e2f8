"""`las`, `scone las quote|collateral` and simulated quotes through verify-quote
(issue: Attestation II)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

from scone_testlib import BIN_DIR, Las, SconeTestCase, openssl

STATES = {
    "UpToDate": [],
    "SWHardeningNeeded": ["INTEL-SA-00615"],
    "ConfigurationNeeded": ["INTEL-SA-00289"],
    "ConfigurationAndSWHardeningNeeded": ["INTEL-SA-00289", "INTEL-SA-00615"],
    "OutOfDate": ["INTEL-SA-00828"],
    "OutOfDateConfigurationNeeded": ["INTEL-SA-00289", "INTEL-SA-00828"],
    "Revoked": ["INTEL-SA-00828"],
}


class LasTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.prog = self.path("prog")
        with open(self.prog, "w") as f:
            f.write("#!/bin/sh\necho enclave\n")
        key = self.path("signer.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        self.scone("signer", "sign", "--key", key, "--isvprodid", "12", "--isvsvn", "4",
                   "--production", self.prog)
        self.info = json.loads(self.scone("signer", "info", self.prog, "--format", "json").stdout)

    def quote_and_collateral(self, las, name="q", program=None, addr=None):
        quote, coll = self.path(name + ".bin"), self.path(name + "-coll")
        addr = addr or las.tcp
        args = ["las", "quote", "--las", addr, "--report-data", "ab" * 64, "-o", quote]
        if program:
            args += ["--program", program]
        self.scone(*args)
        self.scone("las", "collateral", "--las", addr, "-o", coll)
        return quote, coll

    def verify(self, quote, coll, *extra, check=True):
        r = self.scone("attestation", "verify-quote", quote, "--collateral", coll, "--format",
                       "json", *extra, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_quote_carries_the_signed_program_and_needs_the_sim_root(self):
        with Las(self.path("platform")) as las:
            quote, coll = self.quote_and_collateral(las, program=self.prog)
            r = self.verify(quote, coll, "--only_for_testing-sim-root-ca", las.sim_root)
            v = json.loads(r.stdout)
            for k in ("mrenclave", "mrsigner", "isvprodid", "isvsvn", "debug"):
                self.assertEqual(v[k], self.info[k], k)
            self.assertEqual(v["report_data"], "ab" * 64)
            self.assertEqual(v["status"], "UpToDate")
            # Without the simulated root it fails, naming the option to add.
            r = self.verify(quote, coll, check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("--only_for_testing-sim-root-ca", r.stderr)
            # The environment variable works as the option does.
            env = dict(self.env, SCONE_ONLY_FOR_TESTING_SIM_ROOT_CA=las.sim_root)
            self.assertEqual(self.scone("attestation", "verify-quote", quote, "--collateral", coll,
                                        env=env).returncode, 0)
            # --root also accepts it.
            self.verify(quote, coll, "--root", las.sim_root)
            # A flipped byte anywhere in the signed part or QE data fails.
            data = bytearray(open(quote, "rb").read())
            for offset in (10, 200, 436, 600, 1000):
                bad = bytearray(data)
                bad[offset] ^= 1
                open(self.path("bad.bin"), "wb").write(bytes(bad))
                self.assertEqual(self.verify(self.path("bad.bin"), coll,
                                             "--only_for_testing-sim-root-ca", las.sim_root,
                                             check=False).returncode, 1, offset)

    def test_every_tcb_state_gives_its_status_and_advisories(self):
        for state, advisories in STATES.items():
            with self.subTest(state), Las(self.path("p-" + state), tcb_state=state) as las:
                quote, coll = self.quote_and_collateral(las, state, program=self.prog)
                v = json.loads(self.verify(quote, coll, "--only_for_testing-sim-root-ca",
                                           las.sim_root).stdout)
                self.assertEqual(v["status"], state)
                self.assertEqual(v["advisory_ids"], advisories)

    def test_two_platforms_are_two_machines(self):
        with Las(self.path("a")) as a, Las(self.path("b")) as b:
            qa, ca = self.quote_and_collateral(a, "a", program=self.prog)
            _, cb = self.quote_and_collateral(b, "b", program=self.prog)
            self.assertNotEqual(open(a.sim_root).read(), open(b.sim_root).read())
            self.assertEqual(self.verify(qa, cb, "--only_for_testing-sim-root-ca", b.sim_root,
                                         check=False).returncode, 1)
            self.assertEqual(self.verify(qa, cb, "--only_for_testing-sim-root-ca", a.sim_root,
                                         check=False).returncode, 1)

    def test_unix_socket_measures_the_caller(self):
        with Las(self.path("platform")) as las:
            addr = "unix:" + las.socket
            quote, coll = self.quote_and_collateral(las, addr=addr)
            v = json.loads(self.verify(quote, coll, "--only_for_testing-sim-root-ca",
                                       las.sim_root).stdout)
            scone_bin = os.path.join(BIN_DIR, "scone")
            self.assertEqual(v["mrenclave"], hashlib.sha256(open(scone_bin, "rb").read()).hexdigest())
            self.assertNotEqual(v["mrenclave"], self.info["mrenclave"])
            # Naming another program on the Unix socket is refused.
            r = self.scone_fails("las", "quote", "--las", addr, "--report-data", "00",
                                 "--program", self.prog, "-o", self.path("x.bin"))
            self.assertIn("measures the caller", r.stderr)

    def test_unix_socket_measures_the_writer_not_the_connector(self):
        # A process connects, forks, and exec's another program (sleep) while its child,
        # which shares the connection, asks for the quote. LAS must measure the child (this
        # Python), not the program now running under the pid that connected.
        helper = r"""
import json, os, socket, sys, time
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
sock.set_inheritable(True)
if os.fork() != 0:
    os.execv("/bin/sleep", ["sleep", "2"])
parent = os.getppid()
for _ in range(300):
    if os.path.basename(os.readlink("/proc/%d/exe" % parent)) == "sleep":
        break
    time.sleep(0.01)
body = json.dumps({"report_data": "ab" * 64})
sock.sendall(("POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              "Content-Length: %d\r\n\r\n%s" % (len(body), body)).encode())
data = b""
while True:
    chunk = sock.recv(65536)
    if not chunk:
        break
    data += chunk
    head, sep, rest = data.partition(b"\r\n\r\n")
    if sep:
        length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                  if l.lower().startswith(b"content-length:")][0]
        if len(rest) >= length:
            sys.stdout.write(head.split(b"\r\n")[0].decode() + "\n" + rest[:length].decode())
            break
sys.stdout.flush()
os._exit(0)
"""
        with Las(self.path("platform")) as las:
            r = subprocess.run([sys.executable, "-c", helper, las.socket], capture_output=True,
                               text=True, timeout=30)
            status, _, body = r.stdout.partition("\n")
            self.assertIn(" 200 ", status, r.stdout + r.stderr)
            got = json.loads(body)["enclave"]["mrenclave"]
            def digest(path):
                with open(os.path.realpath(path), "rb") as f:
                    return hashlib.sha256(f.read()).hexdigest()
            python, sleep = digest(sys.executable), digest("/bin/sleep")
            self.assertEqual(got, python)
            self.assertNotEqual(got, sleep)

    def test_credentials_from_a_user_namespace_are_refused(self):
        # In a user namespace of its own with a pid namespace (`unshare -Urpf`), any user may
        # put the pid of another process of that namespace in its credentials. Here it
        # starts sleep and claims sleep's pid; LAS must not quote sleep (nor the sender).
        if subprocess.run(["unshare", "-Urpf", "true"], capture_output=True).returncode != 0:
            self.skipTest("user namespaces are not available here")
        helper = r"""
import os, socket, struct, subprocess, sys
sleeper = subprocess.Popen(["sleep", "30"])
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
body = b'{"report_data": "00"}'
req = (b"POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       b"Content-Length: %d\r\n\r\n" % len(body)) + body
pid = sleeper.pid if sys.argv[2] == "forge" else os.getpid()
sock.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("iII", pid, 0, 0))])
sys.stdout.write(sock.recv(65536).decode(errors="replace"))
sleeper.kill()
"""
        with Las(self.path("platform")) as las:
            for mode in ("forge", "own"):
                r = subprocess.run(["unshare", "-Urpf", sys.executable, "-c", helper, las.socket,
                                    mode], capture_output=True, text=True, timeout=30)
                self.assertIn(" 403 ", r.stdout.split("\r\n")[0], r.stdout + r.stderr)
                self.assertIn("pid namespace owned by another user namespace", r.stdout)
            # The same request from LAS's namespaces is served.
            r = subprocess.run([sys.executable, "-c", helper, las.socket, "own"],
                               capture_output=True, text=True, timeout=30)
            self.assertIn(" 200 ", r.stdout.split("\r\n")[0], r.stdout + r.stderr)

    def test_platform_survives_restart_and_keeps_its_state(self):
        pdir = self.path("platform")
        with Las(pdir, tcb_state="OutOfDate") as las:
            root = open(las.sim_root).read()
        with Las(pdir) as las:
            self.assertEqual(open(las.sim_root).read(), root)
            quote, coll = self.quote_and_collateral(las, program=self.prog)
            v = json.loads(self.verify(quote, coll, "--only_for_testing-sim-root-ca",
                                       las.sim_root).stdout)
            self.assertEqual(v["status"], "OutOfDate")
        with self.assertRaises(RuntimeError):
            Las(pdir, tcb_state="UpToDate")

    def test_callers_cannot_forge_log_lines(self):
        # A program whose path holds a newline, a forged log line and ESC sequences asks for
        # quotes: over the Unix socket (las measures it), and named over TCP (las logs the
        # name), also as a program that does not exist (las logs the refusal).
        forged = "2026-01-01T00:00:00Z INFO las: forged"
        evil_dir = self.path("evil\n" + forged + "\x1b[2K\x1b]0;t\x07")
        os.mkdir(evil_dir)
        prog = os.path.join(evil_dir, "scone")
        shutil.copy(os.path.join(BIN_DIR, "scone"), prog)
        with Las(self.path("platform")) as las:
            r = subprocess.run([prog, "las", "quote", "--las", "unix:" + las.socket,
                                "--report-data", "00", "-o", self.path("q1")],
                               env=self.env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.scone("las", "quote", "--las", las.tcp, "--report-data", "00",
                       "--program", prog, "-o", self.path("q2"))
            r = self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00",
                                 "--program", os.path.join(evil_dir, "missing"),
                                 "-o", self.path("q3"), code=2)
            # The CLI's own error shows the path escaped as well.
            self.assertNotIn("\x1b", r.stderr)
            self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        log = open(las.log_path, "rb").read()
        self.assertNotIn(b"\x1b", log)
        self.assertNotIn(b"\x07", log)
        for line in log.decode().splitlines():
            self.assertFalse(line.startswith(forged), line)
        self.assertIn(b"evil\\n" + forged.encode() + b"\\x1b[2K\\x1b]0;t\\x07/scone", log)
        self.assertIn(b"evil\\n" + forged.encode() + b"\\x1b[2K\\x1b]0;t\\x07/missing", log)

    def test_client_errors(self):
        self.scone_fails("las", "quote", "--las", "unix:" + self.path("none.sock"),
                         "--report-data", "00", "-o", self.path("q"))
        with Las(self.path("platform")) as las:
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00",
                             "-o", self.path("q"))  # no --program over TCP
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "zz",
                             "--program", self.prog, "-o", self.path("q"))
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00" * 65,
                             "--program", self.prog, "-o", self.path("q"))
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00",
                             "--program", self.path("missing"), "-o", self.path("q"), code=2)
            # las stays up after all of that.
            self.quote_and_collateral(las, program=self.prog)
