"""The enclave API end to end (docs/runtime.md "Enclave API", "Delivery"): a real las and
cas; the runtime's part is played by this test as scone-run plays it: a fresh P-256 key K
(openssl), a quote from las whose report data binds K (over las's testing-only TCP listener,
which quotes a named program and sets DEBUG, so every session here tolerates debug-mode
unless the test is about debug mode), and POST /v1/enclave/configuration over TLS with K's
certificate. SconeRunLoopTest runs the full loop with the real scone-run (PROGRAM executed
with what CAS delivered, a generated secret included)."""

import hashlib
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import unittest

from scone_testlib import BIN_DIR, Cas, Las, SconeTestCase, openssl


def spki_der(cert_path):
    pub = openssl("x509", "-in", cert_path, "-noout", "-pubkey")
    return openssl("pkey", "-pubin", "-outform", "DER", input=pub)


def report_data(cert_path):
    """SHA-512("scone-enclave-configuration/1" || 0x00 || SHA-256(K's SPKI)), computed here
    independently of src/cas/enclave_protocol.cc."""
    return hashlib.sha512(b"scone-enclave-configuration/1\x00" +
                          hashlib.sha256(spki_der(cert_path)).digest()).digest()


class EnclaveApiTest(SconeTestCase):
    TCB_STATE = None

    def setUp(self):
        super().setUp()
        os.chmod(self.tmp, 0o755)  # las measures only files every user may read (docs/las.md)
        self.las = Las(self.path("platform"), tcb_state=self.TCB_STATE, tcp=True)
        self.addCleanup(self.las.close)
        self.cas = Cas(self.path("cas"), self.las)
        self.addCleanup(self.cas.close)
        m = re.search(r"listening on https://(127\.0\.0\.1:\d+) \(enclave\)", self.cas.log_text)
        self.enclave_port = int(m.group(1).rsplit(":", 1)[1])
        self.work = self.path("work")
        os.makedirs(self.work)
        for name in ("owner", "runtime", "other"):
            self.cert(name)
        self.call_api("POST", "/v1/provision", json.dumps(
            {"token": self.cas.token,
             "config": {"format": "toml", "text": "[ias]\nlinkable_quotes = false\n"}}),
            "owner", expect=200)
        # The programs: copies of a small file; what las measures is their bytes.
        self.prog = self.program("prog", b"#!/bin/sh\necho program one\n")
        self.other = self.program("other", b"#!/bin/sh\necho program two\n")

    def cert(self, name):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-subj", "/CN=" + name, "-days", "1",
                "-keyout", os.path.join(self.work, name + ".key"),
                "-out", os.path.join(self.work, name + ".pem"))

    def program(self, name, content):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, 0o755)
        return path

    def mrenclave(self, program):
        with open(program, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def connect(self, port, who):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        if who:
            ctx.load_cert_chain(os.path.join(self.work, who + ".pem"),
                                os.path.join(self.work, who + ".key"))
        return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)

    def request(self, port, method, path, body, who):
        conn = self.connect(port, who)
        try:
            conn.request(method, path, body=body)
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"{}")
        finally:
            conn.close()

    def call_api(self, method, path, body, who, expect=None):
        status, answer = self.request(self.cas.port, method, path, body, who)
        if expect is not None:
            self.assertEqual(status, expect, answer)
        return status, answer

    def upload(self, yaml):
        self.call_api("POST", "/v1/sessions", yaml, "owner", expect=201)

    def quote(self, program, bound_to="runtime"):
        """las's quote of `program` over report data binding `bound_to`'s key, in hex."""
        out = self.path("quote.bin")
        self.scone("las", "quote", "--las", self.las.tcp, "--program", program,
                   "--report-data", report_data(os.path.join(self.work, bound_to + ".pem")).hex(),
                   "-o", out)
        with open(out, "rb") as f:
            return f.read().hex()

    def configure(self, config_id, program, who="runtime", bound_to="runtime"):
        body = json.dumps({"config_id": config_id, "quote": self.quote(program, bound_to)})
        return self.request(self.enclave_port, "POST", "/v1/enclave/configuration", body, who)

    def session(self, name, variants, security="tolerate: [debug-mode]"):
        return (f'name: {name}\nversion: "0.3"\n'
                "secrets:\n  - name: password\n    kind: ascii\n    value: \"pa55-w0rd\"\n"
                "  - name: token\n    kind: ascii\n    size: 24\n"
                "services:\n  - name: web\n    image_name: img\n"
                '    command: ["/srv/web", "--password=$$SCONE::password$$", "@@1"]\n'
                "    environment:\n      PASSWORD: $$SCONE::password:hex$$\n"
                "      GREETING: hello\n"
                "    pwd: /tmp\n"
                f"    attestation:\n{variants}"
                "images:\n  - name: img\n    injection_files:\n"
                "      - path: /etc/web/secret.conf\n"
                '        content: "password=$$SCONE::password$$\\n"\n'
                f"security:\n  attestation:\n    {security}\n")

    def by_mrenclave(self, program):
        return f"      - mrenclave: [{self.mrenclave(program)}]\n"


class EnclaveApiTests(EnclaveApiTest):
    def test_the_service_receives_the_policys_values(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        status, c = self.configure("app/web", self.prog)
        self.assertEqual(status, 200, c)
        self.assertEqual(c["session"], "app")
        self.assertEqual(c["service"], "web")
        self.assertEqual([bytes.fromhex(a).decode() for a in c["command"]],
                         ["/srv/web", "--password=pa55-w0rd", "@@1"])
        env = {k: bytes.fromhex(v).decode() for k, v in c["environment"]}
        self.assertEqual(env, {"PASSWORD": b"pa55-w0rd".hex(), "GREETING": "hello"})
        self.assertEqual(c["pwd"], "/tmp")
        self.assertEqual(len(c["injection_files"]), 1)
        f = c["injection_files"][0]
        self.assertEqual((f["path"], bytes.fromhex(f["content"]), f["mode"]),
                         ("/etc/web/secret.conf", b"password=pa55-w0rd\n", "0600"))
        # Debug mode was tolerated, and the answer says so for the runtime's log.
        self.assertTrue(any("debug-mode" in w for w in c["warnings"]), c["warnings"])
        # CAS's log names the delivery, never the secret.
        with open(self.cas.log_path) as log:
            text = log.read()
        self.assertIn("enclave configuration: app/web delivered", text)
        self.assertNotIn("pa55-w0rd", text)

    def test_another_program_is_refused(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        status, answer = self.configure("app/web", self.other)
        self.assertEqual(status, 403, answer)
        self.assertIn(f"mrenclave: [{self.mrenclave(self.other)}]", answer["msg"][0])

    def test_a_changed_byte_is_refused(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        changed = self.program("changed", open(self.prog, "rb").read().replace(b"one", b"onE"))
        status, _ = self.configure("app/web", changed)
        self.assertEqual(status, 403)
        self.assertEqual(self.configure("app/web", self.prog)[0], 200)

    def test_a_signer_variant_refuses_another_signer(self):
        for name in ("key-a", "key-b"):
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", self.path(name + ".pem"))
        mine = self.program("signed", b"#!/bin/sh\necho signed\n")
        theirs = self.program("signed-b", b"#!/bin/sh\necho signed\n")
        self.scone("signer", "sign", "--key", self.path("key-a.pem"), "--isvprodid", "9",
                   "--isvsvn", "2", mine)
        self.scone("signer", "sign", "--key", self.path("key-b.pem"), "--isvprodid", "9",
                   "--isvsvn", "2", theirs)
        info = json.loads(self.scone("signer", "info", mine, "--format", "json").stdout)
        variant = (f"      - signer:\n          mrsigner: {info['mrsigner']}\n"
                   "          isvprodid: 9\n          isvsvn_min: 2\n")
        self.upload(self.session("signed", variant))
        self.assertEqual(self.configure("signed/web", mine)[0], 200)
        status, answer = self.configure("signed/web", theirs)
        self.assertEqual(status, 403, answer)
        self.assertIn("MRSIGNER is", answer["msg"][0])

    def test_a_debug_program_needs_debug_mode(self):
        self.upload(self.session("strict", self.by_mrenclave(self.prog), security="mode: hardware"))
        status, answer = self.configure("strict/web", self.prog)
        self.assertEqual(status, 403, answer)
        self.assertIn("tolerate: debug-mode", answer["msg"][0])

    def test_a_quote_for_another_key_is_refused(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        status, answer = self.configure("app/web", self.prog, who="runtime", bound_to="other")
        self.assertEqual(status, 403, answer)
        self.assertIn("does not bind the TLS client key", answer["msg"][0])

    def test_unknown_session_or_service_and_the_api_port(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        status, answer = self.configure("app/db", self.prog)
        self.assertEqual(status, 404, answer)
        self.assertIn("no service db", answer["msg"][0])
        status, answer = self.configure("nope/web", self.prog)
        self.assertEqual(status, 404, answer)
        body = json.dumps({"config_id": "app/web", "quote": self.quote(self.prog)})
        status, answer = self.request(self.cas.port, "POST", "/v1/enclave/configuration", body,
                                      "runtime")
        self.assertEqual(status, 404, answer)
        self.assertIn("enclave port", answer["msg"][0])


class OutdatedPlatformTest(EnclaveApiTest):
    TCB_STATE = "OutOfDate"

    def test_refused_until_the_session_tolerates_it(self):
        self.upload(self.session("app", self.by_mrenclave(self.prog)))
        status, answer = self.configure("app/web", self.prog)
        self.assertEqual(status, 403, answer)
        self.assertIn("tolerate: outdated-tcb", answer["msg"][0])
        self.assertIn("INTEL-SA-00828", answer["msg"][0])
        self.upload(self.session("old", self.by_mrenclave(self.prog),
                                 security="tolerate: [debug-mode, outdated-tcb]\n"
                                          "    ignore_advisories: [INTEL-SA-00828]"))
        self.assertEqual(self.configure("old/web", self.prog)[0], 200)


SHOW_C = r"""
#include <stdio.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv) {
  char cwd[4096];
  for (int i = 0; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; *e; ++e) printf("env=%s\n", *e);
  printf("cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
  FILE *f = fopen(argv[argc - 1], "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) printf("file=%s", line);
  return 0;
}
"""

SCONE_RUN = os.path.join(BIN_DIR, "scone-run")


@unittest.skipUnless(os.path.exists(SCONE_RUN) and shutil.which("cc"),
                     "needs scone-run and a C compiler")
class SconeRunLoopTest(EnclaveApiTest):
    """The full loop: scone-run opens the program, las quotes it over its Unix socket, CAS
    delivers, scone-run writes the file, changes to pwd and executes the program."""

    def test_the_program_receives_exactly_the_policys_values(self):
        src = self.path("show.c")
        with open(src, "w") as f:
            f.write(SHOW_C)
        prog = self.path("show")
        subprocess.run(["cc", "-O1", "-o", prog, src], check=True)
        secret_file = self.path("run", "conf", "secret.txt")
        os.makedirs(self.path("run"))
        yaml = (f'name: loop\nversion: "0.3"\n'
                "secrets:\n  - name: password\n    kind: ascii\n    value: \"pa55-w0rd\"\n"
                "  - name: token\n    kind: ascii\n    size: 24\n"
                "services:\n  - name: show\n    image_name: img\n"
                f'    command: ["show", "--pw=$$SCONE::password$$", "@@1", "{secret_file}"]\n'
                "    environment:\n      PASSWORD: $$SCONE::password:hex$$\n"
                "      TOKEN: $$SCONE::token$$\n"
                f"    pwd: {self.path('run')}\n"
                f"    attestation:\n      - mrenclave: [{self.mrenclave(prog)}]\n"
                "images:\n  - name: img\n    injection_files:\n"
                f"      - path: {secret_file}\n"
                '        content: "password=$$SCONE::password$$\\n"\n'
                "security:\n  attestation:\n    tolerate: [debug-mode]\n")
        self.upload(yaml)
        env = {"SCONE_CONFIG_ID": "loop/show", "SCONE_CAS_ADDR": f"127.0.0.1:{self.enclave_port}",
               "SCONE_LAS_ADDR": "unix:" + self.las.socket, "SCONE_CAS_KEY_HASH": self.cas.key_hash,
               "HOST_ONLY": "must not reach the program"}
        r = subprocess.run([SCONE_RUN, prog, "host-arg"], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        # The generated secret: CAS made it when the session was stored.
        token = next((l[len("env=TOKEN="):] for l in lines if l.startswith("env=TOKEN=")), "")
        self.assertEqual(len(token), 24, r.stdout)
        self.assertTrue(token.isprintable(), r.stdout)
        self.assertEqual(lines, [
            "argv[0]=show", "argv[1]=--pw=pa55-w0rd", "argv[2]=host-arg",
            f"argv[3]={secret_file}", "env=PASSWORD=" + b"pa55-w0rd".hex(),
            "env=TOKEN=" + token, f"cwd={self.path('run')}", "file=password=pa55-w0rd"])
        self.assertNotIn(token, r.stderr)
        # Every start gets the stored value, not a fresh one.
        again = subprocess.run([SCONE_RUN, prog, "host-arg"], capture_output=True, text=True,
                               env=env, timeout=120)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("env=TOKEN=" + token, again.stdout.splitlines())
        self.assertEqual(os.stat(secret_file).st_mode & 0o777, 0o600)
        # Logs in SCONE's order, without the secret.
        order = [r.stderr.find(s) for s in ("quote from LAS", "attested by CAS",
                                             "configuration received")]
        self.assertTrue(all(i >= 0 for i in order) and order == sorted(order), r.stderr)
        self.assertNotIn("pa55-w0rd", r.stderr)

        # Another program under the same SCONE_CONFIG_ID is refused and does not run.
        other = self.path("other-show")
        shutil.copy(prog, other)
        with open(other, "ab") as f:
            f.write(b"\0")
        r = subprocess.run([SCONE_RUN, other, "host-arg"], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("argv[0]", r.stdout)
        self.assertIn("mrenclave", r.stderr)


if __name__ == "__main__":
    unittest.main()
