"""`scone session check|calculate-hash` (also as `scone cas session ...`) (issue: Session
Description Language)."""

import glob
import json
import os

from scone_testlib import TESTDATA, SconeTestCase, openssl

SESSIONS = os.path.join(TESTDATA, "sessions")
MRE = "3be304015fb399cf88d76a8f58f04e16997010dab573cb1a91eb6257c2a452ac"


class SessionCliTest(SconeTestCase):
    def test_valid_corpus_checks_and_hashes(self):
        for path in sorted(glob.glob(os.path.join(SESSIONS, "valid", "*.yaml"))):
            with self.subTest(os.path.basename(path)):
                args = ["-e", "NGINX_MRENCLAVE=" + MRE]
                self.scone("session", "check", path, *args)
                js = json.loads(self.scone("cas", "session", "check", path, *args,
                                           "--format", "json").stdout)
                self.assertIn("name", js)
                h = self.scone("session", "calculate-hash", path, *args).stdout.strip()
                self.assertRegex(h, r"^[0-9a-f]{64}$")
                self.assertEqual(h, self.scone("cas", "session", "calculate-hash", path,
                                               *args).stdout.strip())

    def test_invalid_corpus_names_file_line_and_column(self):
        for path in sorted(glob.glob(os.path.join(SESSIONS, "invalid", "*.yaml"))):
            expect = path[:-5] + ".expect"
            if not os.path.exists(expect):
                continue
            kind, line, col = open(expect).read().split()[:3]
            with self.subTest(os.path.basename(path)):
                r = self.scone_fails("session", "check", path, "-e", "NGINX_MRENCLAVE=" + MRE)
                where = path if line == "-" else f"{path}:{line}:{col}"
                self.assertIn(f"{where}:", r.stderr)
                self.assertIn(f" {kind}:", r.stderr)

    def test_variables(self):
        path = os.path.join(SESSIONS, "valid", "seed_variables.yaml")
        r = self.scone_fails("session", "check", path)
        self.assertIn("NGINX_MRENCLAVE", r.stderr)
        self.assertIn(f"{path}:8:", r.stderr)  # the line of the variable
        env = dict(self.env, NGINX_MRENCLAVE=MRE)
        by_env = self.scone("session", "calculate-hash", path, "--use-env", env=env).stdout
        by_flag = self.scone("session", "calculate-hash", path, "-e", "NGINX_MRENCLAVE=" + MRE).stdout
        self.assertEqual(by_env, by_flag)
        # -e wins over --use-env.
        other = "aa" * 32
        wins = self.scone("session", "calculate-hash", path, "--use-env", "-e",
                          "NGINX_MRENCLAVE=" + other, env=env).stdout
        self.assertNotEqual(wins, by_env)
        self.assertEqual(wins, self.scone("session", "calculate-hash", path, "-e",
                                          "NGINX_MRENCLAVE=" + other).stdout)
        # Without --use-env the environment is not consulted.
        self.scone_fails("session", "check", path, env=env)
        self.scone_fails("session", "check", path, "-e", "not-a-name=1")
        # --name renames after substitution.
        js = json.loads(self.scone("session", "check", path, "-e", "NGINX_MRENCLAVE=" + MRE,
                                   "--name", "renamed", "--format", "json").stdout)
        self.assertEqual(js["name"], "renamed")

    def test_hash_ignores_style_and_binds_creator(self):
        a, b = self.path("a.yml"), self.path("b.yml")
        open(a, "w").write('name: s1\nversion: "0.3"\nservices:\n  - name: web\n'
                           '    command: ./nginx -g x\n    attestation:\n      mrenclave: [' + MRE + ']\n')
        open(b, "w").write('{"version": \'0.3\', services: [{command: "./nginx -g x", '
                           'attestation: {mrenclave: ["' + MRE.upper() + '"]}, name: web}], name: "s1"}\n')
        ha = self.scone("session", "calculate-hash", a).stdout
        self.assertEqual(ha, self.scone("session", "calculate-hash", b).stdout)
        cert = self.path("creator.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=c", "-days", "3", "-keyout", self.path("k"), "-out", cert)
        hc = self.scone("session", "calculate-hash", a, "--creator", cert).stdout
        self.assertNotEqual(ha, hc)
        self.scone_fails("session", "calculate-hash", a, "--creator", self.path("k"))

    def test_secret_values_are_not_printed(self):
        path = self.path("s.yml")
        open(path, "w").write('name: s\nversion: "0.3"\nsecrets:\n'
                              '  - name: pw\n    kind: ascii\n    value: "hunter2-secret"\n')
        r = self.scone("session", "check", path)
        self.assertNotIn("hunter2-secret", r.stdout + r.stderr)
        open(path, "a").write("    bogus_key: 1\n")
        r = self.scone_fails("session", "check", path)
        self.assertNotIn("hunter2-secret", r.stderr)
        self.scone_fails("session", "check", self.path("missing.yml"), code=2)
