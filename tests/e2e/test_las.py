"""`las`, `scone las quote|collateral` and simulated quotes through verify-quote
(issue: Attestation II)."""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time

from scone_testlib import BIN_DIR, Las, SconeTestCase, openssl, stop_server

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
        # Programs that las measures when they are named (testing TCP mode) must be
        # readable and executable by every user, in folders every user may search.
        os.chmod(self.tmp, 0o755)
        self.key = self.path("signer.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                self.key)
        # A production enclave that asks for its own quote: a copy of scone, signed, runs
        # `las quote` and is measured by las as itself (the Unix socket).
        os.makedirs(self.path("bin"))
        self.enclave = self.path("bin", "scone")
        shutil.copy(os.path.join(BIN_DIR, "scone"), self.enclave)
        self.sign(self.enclave)
        self.info = self.signer_info(self.enclave)
        self.assertFalse(self.info["debug"])
        # A production-signed script, for las to measure when it is named.
        self.prog = self.path("prog")
        with open(self.prog, "w") as f:
            f.write("#!/bin/sh\necho enclave\n")
        os.chmod(self.prog, 0o755)
        self.sign(self.prog)
        self.prog_info = self.signer_info(self.prog)

    def sign(self, program):
        self.scone("signer", "sign", "--key", self.key, "--isvprodid", "12", "--isvsvn", "4",
                   "--production", program)

    def signer_info(self, program):
        return json.loads(self.scone("signer", "info", program, "--format", "json").stdout)

    def run_enclave(self, *args, check=True):
        r = subprocess.run([self.enclave, *args], capture_output=True, text=True, env=self.env,
                           timeout=120)
        if check and r.returncode != 0:
            self.fail(f"{self.enclave} {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def quote_and_collateral(self, las, name="q"):
        """The signed enclave's own quote over report data ab..ab, from las's Unix socket."""
        quote, coll = self.path(name + ".bin"), self.path(name + "-coll")
        addr = "unix:" + las.socket
        self.run_enclave("las", "quote", "--las", addr, "--report-data", "ab" * 64, "-o", quote)
        self.scone("las", "collateral", "--las", addr, "-o", coll)
        return quote, coll

    def named_quote(self, las, program, name="named", check=True):
        """A quote for `program`, named over las's testing TCP listener."""
        quote = self.path(name + ".bin")
        r = self.scone("las", "quote", "--las", las.tcp, "--report-data", "ab" * 64,
                       "--program", program, "-o", quote, check=check)
        return quote if check else r

    def verify(self, quote, coll, *extra, check=True):
        r = self.scone("attestation", "verify-quote", quote, "--collateral", coll, "--format",
                       "json", *extra, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_quote_carries_the_signed_program_and_needs_the_sim_root(self):
        with Las(self.path("platform")) as las:
            quote, coll = self.quote_and_collateral(las)
            r = self.verify(quote, coll, "--only_for_testing-sim-root-ca", las.sim_root)
            v = json.loads(r.stdout)
            for k in ("mrenclave", "mrsigner", "isvprodid", "isvsvn", "debug"):
                self.assertEqual(v[k], self.info[k], k)
            self.assertFalse(v["debug"])
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
                quote, coll = self.quote_and_collateral(las, state)
                r = self.verify(quote, coll, "--only_for_testing-sim-root-ca", las.sim_root,
                                check=False)
                # Revoked is terminal: the result is printed, the exit code is 1.
                self.assertEqual(r.returncode, 1 if state == "Revoked" else 0, r.stderr)
                v = json.loads(r.stdout)
                self.assertEqual(v["status"], state)
                self.assertEqual(v["advisory_ids"], advisories)

    def test_two_platforms_are_two_machines(self):
        with Las(self.path("a")) as a, Las(self.path("b")) as b:
            qa, ca = self.quote_and_collateral(a, "a")
            _, cb = self.quote_and_collateral(b, "b")
            self.assertNotEqual(open(a.sim_root).read(), open(b.sim_root).read())
            self.assertEqual(self.verify(qa, cb, "--only_for_testing-sim-root-ca", b.sim_root,
                                         check=False).returncode, 1)
            self.assertEqual(self.verify(qa, cb, "--only_for_testing-sim-root-ca", a.sim_root,
                                         check=False).returncode, 1)

    def test_unix_socket_measures_the_caller(self):
        with Las(self.path("platform")) as las:
            addr = "unix:" + las.socket
            quote, coll = self.path("own.bin"), self.path("own-coll")
            self.scone("las", "quote", "--las", addr, "--report-data", "ab" * 64, "-o", quote)
            self.scone("las", "collateral", "--las", addr, "-o", coll)
            v = json.loads(self.verify(quote, coll, "--only_for_testing-sim-root-ca",
                                       las.sim_root).stdout)
            scone_bin = os.path.join(BIN_DIR, "scone")
            self.assertEqual(v["mrenclave"], hashlib.sha256(open(scone_bin, "rb").read()).hexdigest())
            # Unsigned: the built-in debug signer, not the signed copy's identity.
            self.assertTrue(v["debug"])
            self.assertNotEqual(v["mrsigner"], self.info["mrsigner"])
            # Naming another program on the Unix socket is refused, and the message says
            # which las option would allow naming one.
            r = self.scone_fails("las", "quote", "--las", addr, "--report-data", "00",
                                 "--program", self.prog, "-o", self.path("x.bin"))
            self.assertIn("measures the caller", r.stderr)
            self.assertIn("--only_for_testing-tcp", r.stderr)
            self.assertFalse(os.path.exists(self.path("x.bin")))
            # Without --las (and SCONE_LAS_ADDR), scone uses las's default socket.
            env = dict(self.env, SCONE_PLATFORM_DIR=self.path("elsewhere"))
            env.pop("SCONE_LAS_ADDR", None)
            r = self.scone_fails("las", "quote", "--report-data", "00", "-o", self.path("x.bin"),
                                 env=env)
            self.assertIn(self.path("elsewhere", "las.sock"), r.stderr)

    def test_tcp_is_off_by_default(self):
        # The issue: las's TCP port gave anyone quotes for any program it named. Now a las
        # started without the testing option has no TCP listener at all.
        pdir = self.path("platform")
        log_path = self.path("las.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen([os.path.join(BIN_DIR, "las"), "--platform-dir", pdir,
                                     "--socket", self.path("las.sock")], stdout=log,
                                    stderr=subprocess.STDOUT)
            try:
                for _ in range(600):
                    if "listening on unix:" in read(log_path) or proc.poll() is not None:
                        break
                    time.sleep(0.05)
                self.assertIn("listening on unix:", read(log_path))
                self.assertEqual(tcp_listeners(proc.pid), [])
                self.assertNotRegex(read(log_path), r"listening on \d")
            finally:
                stop_server(proc, log)
        # --listen (the old default TCP mode) is gone, with a message that names the option.
        r = subprocess.run([os.path.join(BIN_DIR, "las"), "--platform-dir", pdir, "--socket",
                            self.path("las.sock"), "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--only_for_testing-tcp", r.stderr)
        # With the testing option, las says loudly that it is on, and listens.
        with Las(self.path("platform"), tcp=True) as las:
            self.assertIn("TESTING ONLY", read(las.log_path))
            self.assertEqual(len(tcp_listeners(las.proc.pid)), 1)

    def test_named_program_over_testing_tcp_is_always_debug(self):
        # A production-signed program named over TCP: its signer values, but DEBUG set, so
        # no production policy accepts the quote.
        self.assertFalse(self.prog_info["debug"])
        with Las(self.path("platform"), tcp=True) as las:
            quote = self.named_quote(las, self.prog)
            coll = self.path("coll")
            self.scone("las", "collateral", "--las", las.tcp, "-o", coll)
            v = json.loads(self.verify(quote, coll, "--only_for_testing-sim-root-ca",
                                       las.sim_root).stdout)
            for k in ("mrenclave", "mrsigner", "isvprodid", "isvsvn"):
                self.assertEqual(v[k], self.prog_info[k], k)
            self.assertTrue(v["debug"])
            # The enclave's own quote from the Unix socket of the same las stays production.
            own, _ = self.quote_and_collateral(las, "own")
            self.assertFalse(json.loads(self.verify(own, coll, "--only_for_testing-sim-root-ca",
                                                    las.sim_root).stdout)["debug"])
            # The Unix socket of a testing las still refuses a named program.
            r = self.scone_fails("las", "quote", "--las", "unix:" + las.socket, "--report-data",
                                 "00", "--program", self.prog, "-o", self.path("x.bin"))
            self.assertIn("measures the caller", r.stderr)

    def test_named_files_that_not_every_user_may_measure_are_refused(self):
        # las would otherwise hash any file it can read (a SHA-256 oracle for /etc/shadow).
        shadow = self.path("shadow")
        with open(shadow, "w") as f:
            f.write("root:$6$secret:19000:0:99999:7:::\n")
        os.chmod(shadow, 0o600)
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        os.chmod(fifo, 0o777)
        os.symlink(self.prog, self.path("link"))
        os.makedirs(self.path("private"))
        os.chmod(self.path("private"), 0o700)
        shutil.copy(self.prog, self.path("private", "prog"))
        os.chmod(self.path("private", "prog"), 0o755)
        setuid = self.path("setuid")
        shutil.copy(self.prog, setuid)
        os.chmod(setuid, 0o4755)
        cases = {
            shadow: "may not be read and executed by every user",
            fifo: "not a regular file",
            "/dev/null": "not a regular file",
            self.path("bin"): "is a directory",
            self.path("link"): "symbolic link",
            self.path("private", "prog"): "may not be searched by every user",
            setuid: "setuid",
        }
        with Las(self.path("platform"), tcp=True) as las:
            for path, message in cases.items():
                with self.subTest(path):
                    r = self.named_quote(las, path, check=False)
                    self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                    self.assertIn(message, r.stderr)
                    self.assertFalse(os.path.exists(self.path("named.bin")))
            # las stays up and measures what every user may measure.
            self.named_quote(las, self.prog)
        self.assertNotIn(hashlib.sha256(open(shadow, "rb").read()).hexdigest(),
                         read(las.log_path))

    def test_a_fake_cas_cannot_borrow_the_real_cas_identity(self):
        # The attack of the issue: a server that is not CAS asks las's TCP port for quotes of
        # the real cas binary (release signer, production) over report data that binds its
        # own keys, and answers `scone cas attest` with them. The quotes now carry DEBUG,
        # so the attestation fails; before, the fake was declared trustworthy.
        cas_bin = os.path.realpath(os.path.join(BIN_DIR, "cas"))
        cas_info = self.signer_info(cas_bin)
        self.assertFalse(cas_info["debug"])
        with Las(self.path("platform"), tcp=True) as las:
            fake = FakeCas(self.tmp, las.tcp, cas_bin)
            self.addCleanup(fake.close)
            r = self.scone("cas", "attest", fake.address, "--only_for_testing-sim-root-ca",
                           las.sim_root, check=False)
            self.assertNotIn("trustworthy", r.stdout)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertEqual(fake.quoted_debug, [True])
            self.assertIn("--only_for_testing-debug", r.stderr)
            self.assertFalse(os.path.exists(self.config) and
                             fake.address in read(self.config))

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
            quote, coll = self.quote_and_collateral(las)
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
        os.chmod(evil_dir, 0o755)  # every user may measure what is named over TCP
        prog = os.path.join(evil_dir, "scone")
        shutil.copy(os.path.join(BIN_DIR, "scone"), prog)
        with Las(self.path("platform"), tcp=True) as las:
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
        r = self.scone_fails("las", "quote", "--las", "unix:" + self.path("none.sock"),
                             "--report-data", "00", "-o", self.path("q"))
        self.assertIn("is las running?", r.stderr)
        # A TCP address where no las listens: the message names the las option for TCP.
        r = self.scone_fails("las", "quote", "--las", "127.0.0.1:" + str(free_port()),
                             "--report-data", "00", "--program", self.prog, "-o", self.path("q"))
        self.assertIn("--only_for_testing-tcp", r.stderr)
        with Las(self.path("platform"), tcp=True) as las:
            r = self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00",
                                 "-o", self.path("q"))  # no --program over TCP
            self.assertIn("--program", r.stderr)
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "zz",
                             "--program", self.prog, "-o", self.path("q"))
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00" * 65,
                             "--program", self.prog, "-o", self.path("q"))
            self.scone_fails("las", "quote", "--las", las.tcp, "--report-data", "00",
                             "--program", self.path("missing"), "-o", self.path("q"), code=2)
            self.assertFalse(os.path.exists(self.path("q")))
            # las stays up after all of that.
            self.named_quote(las, self.prog)


def read(path):
    with open(path) as f:
        return f.read()


def free_port():
    """A port that nothing listens on (bound, then closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_listeners(pid):
    """The TCP sockets in LISTEN state that process `pid` holds (from /proc)."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for table in ("tcp", "tcp6"):
        with open("/proc/%d/net/%s" % (pid, table)) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    found.append(fields[1])
    return found


class FakeCas:
    """An impostor of the issue: a TLS server that answers POST /v1/attestation with quotes
    it gets from las's (testing) TCP port for the real cas program, over report data that
    binds its own keys. Written from docs/cas.md independently of src/cas, as an attacker
    would; `quoted_debug` records the DEBUG attribute of every quote las gave it."""

    def __init__(self, workdir, las_tcp, cas_program):
        import http.server
        import ssl
        import threading
        import urllib.request
        keys = {}
        for name in ("cas", "software"):
            key, cert = (os.path.join(workdir, f"fake-{name}.{ext}") for ext in ("key", "pem"))
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", "/CN=cas", "-days", "2", "-keyout", key, "-out", cert)
            spki = openssl("pkey", "-in", key, "-pubout", "-outform", "DER")
            keys[name] = (key, cert, hashlib.sha256(spki).digest())
        self.quoted_debug = []
        fake = self

        def las_quote(report_data):
            body = json.dumps({"report_data": report_data.hex(), "program": cas_program,
                               "collateral": True}).encode()
            req = urllib.request.Request(f"http://{las_tcp}/v1/quote", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/attestation":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                nonce = bytes.fromhex(json.loads(body)["nonce"])
                # Whether las marks the quote DEBUG decides the flags, which the report
                # data binds: ask once to learn it, then for the real report data.
                debug = las_quote(b"")["enclave"]["debug"]
                flags = {"provisioned": True, "owner_secret_access": False, "debug": debug,
                         "simulated": True}
                flag_byte = 1 | (4 if debug else 0) | 8
                rd = hashlib.sha512(b"scone-cas-attestation/1\0" + bytes([len(nonce)]) + nonce +
                                    keys["cas"][2] + keys["software"][2] +
                                    bytes([flag_byte])).digest()
                answer = las_quote(rd)
                fake.quoted_debug.append(answer["enclave"]["debug"])
                out = json.dumps({"quote": answer["quote"], "collateral": answer["collateral"],
                                  "cas_certificate": read(keys["cas"][1]),
                                  "cas_software_certificate": read(keys["software"][1]),
                                  "flags": flags}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(keys["cas"][1], keys["cas"][0])
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
