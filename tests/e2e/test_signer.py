"""`scone signer sign|info`: simulated enclave measurement and signing (issue: Attestation II)."""

import hashlib
import json
import os

from scone_testlib import SconeTestCase, openssl


class SignerTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.prog = self.path("prog")
        with open(self.prog, "w") as f:
            f.write("#!/bin/sh\necho hello\n")
        os.chmod(self.prog, 0o755)

    def info(self):
        return json.loads(self.scone("signer", "info", self.prog, "--format", "json").stdout)

    def spki_sha256(self, key):
        der = openssl("pkey", "-in", key, "-pubout", "-outform", "DER")
        return hashlib.sha256(der).hexdigest()

    def test_unsigned_program_is_debug(self):
        info = self.info()
        self.assertEqual(info["mrenclave"], hashlib.sha256(open(self.prog, "rb").read()).hexdigest())
        self.assertTrue(info["debug"])
        self.assertFalse(info["signed"])
        self.assertEqual((info["isvprodid"], info["isvsvn"]), (0, 0))
        text = self.scone("signer", "info", self.prog).stdout
        for label in ("MRENCLAVE:", "MRSIGNER:", "ISV Product ID: 0", "ISV SVN: 0", "Debug: true"):
            self.assertIn(label, text)

    def test_sign_with_rsa3072_and_ec_keys(self):
        for name, args in [("rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
                                    "-pkeyopt", "rsa_keygen_pubexp:3"]),
                           ("ec", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])]:
            with self.subTest(name):
                key = self.path(name + ".pem")
                openssl("genpkey", *args, "-out", key)
                self.scone("signer", "sign", "--key", key, "--isvprodid", "42", "--isvsvn", "3",
                           "--production", self.prog)
                info = self.info()
                self.assertEqual(info["mrsigner"], self.spki_sha256(key))
                self.assertEqual((info["isvprodid"], info["isvsvn"], info["debug"]), (42, 3, False))
                self.scone("signer", "sign", "--key", key, "--isvprodid", "1", "--isvsvn", "1",
                           self.prog)
                self.assertTrue(self.info()["debug"])

    def test_changed_program_or_signature_is_an_error(self):
        key = self.path("k.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        self.scone("signer", "sign", "--key", key, "--isvprodid", "1", "--isvsvn", "1", self.prog)
        sig = self.prog + ".sig"
        original = open(sig, "rb").read()
        with open(sig, "r+b") as f:
            f.seek(66)  # ISVSVN
            f.write(b"\x09")
        self.assertIn("does not verify", self.scone_fails("signer", "info", self.prog).stderr)
        with open(sig, "wb") as f:
            f.write(original)
        with open(self.prog, "a") as f:
            f.write("# changed\n")
        self.assertIn("sign it again", self.scone_fails("signer", "info", self.prog).stderr)

    def test_bad_arguments(self):
        key = self.path("k.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        self.scone_fails("signer", "sign", "--key", key, "--isvprodid", "70000", "--isvsvn", "1", self.prog)
        self.scone_fails("signer", "sign", "--key", self.prog, "--isvprodid", "1", "--isvsvn", "1", self.prog)
        self.scone_fails("signer", "sign", "--key", key, "--isvprodid", "1", "--isvsvn", "1",
                         self.path("missing"), code=2)
        self.scone_fails("signer", "info", self.path("missing"), code=2)
        small = self.path("small.pem")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", small)
        self.assertIn("at least 2048", self.scone_fails(
            "signer", "sign", "--key", small, "--isvprodid", "1", "--isvsvn", "1", self.prog).stderr)
