"""`scone attestation verify-quote` on real Intel-rooted evidence (issue: Attestation I)."""

import json
import os
import shutil

from scone_testlib import TESTDATA, SconeTestCase

V = os.path.join(TESTDATA, "vectors")


class VerifyQuoteTest(SconeTestCase):
    def verify(self, quote, collateral, *args, check=True):
        r = self.scone("attestation", "verify-quote", quote, "--collateral", collateral,
                       "--format", "json", *args, check=False)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)
        self.assertEqual(r.returncode, 1, r.stdout)
        return json.loads(r.stdout)["error"], r.stderr

    def test_dcap_qvl_vector(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        r = self.verify(q, c, "--at", "1752919277")
        self.assertEqual(r["status"], "ConfigurationAndSWHardeningNeeded")
        self.assertEqual(r["advisory_ids"], ["INTEL-SA-00289", "INTEL-SA-00615"])
        self.assertEqual(r["fmspc"], "00a067110000")
        self.assertEqual(r["mrenclave"], "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb")
        self.assertEqual(r["mrsigner"], "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6")
        self.assertEqual((r["isvprodid"], r["isvsvn"], r["debug"]), (0, 0, False))
        self.assertTrue(bytes.fromhex(r["report_data"]).startswith(b"Hello, world!"))
        self.assertEqual(r["qe_status"], "UpToDate")
        # RFC 3339 gives the same result; text output works too.
        self.assertEqual(self.verify(q, c, "--at", "2025-07-19T10:01:17Z")["status"], r["status"])
        text = self.scone("attestation", "verify-quote", q, "--collateral", c, "--at", "1752919277").stdout
        self.assertIn("ConfigurationAndSWHardeningNeeded", text)
        # Outside the collateral's validity window.
        err, _ = self.verify(q, c, "--at", "1750320802", check=False)
        self.assertEqual(err["kind"], "tcb-info-not-yet-valid")
        err, _ = self.verify(q, c, "--at", "1752919279", check=False)
        self.assertEqual(err["kind"], "qe-identity-expired")

    def test_automata_vectors(self):
        r = self.verify(os.path.join(V, "automata-v3", "quote.bin"), os.path.join(V, "automata-v3"),
                        "--at", "1755236700")
        self.assertEqual((r["status"], r["advisory_ids"]), ("SWHardeningNeeded", ["INTEL-SA-00615"]))
        r = self.verify(os.path.join(V, "automata-tcbinfo-v2", "quote.bin"),
                        os.path.join(V, "automata-tcbinfo-v2"), "--at", "1716000000")
        self.assertEqual(r["status"], "SWHardeningNeeded")
        self.assertTrue(r["debug"])
        self.assertEqual((r["isvprodid"], r["isvsvn"]), (0, 1))

    def test_tampered_quote_and_collateral_fail(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        data = bytearray(open(q, "rb").read())
        data[100] ^= 1  # inside the ISV report body
        bad = self.path("bad_quote")
        open(bad, "wb").write(bytes(data))
        err, stderr = self.verify(bad, c, "--at", "1752919277", check=False)
        self.assertEqual(err["kind"], "isv-signature-invalid")
        open(bad, "wb").write(open(q, "rb").read()[:-10])
        err, _ = self.verify(bad, c, "--at", "1752919277", check=False)
        self.assertEqual(err["kind"], "malformed-quote")

        coll = self.path("coll")
        shutil.copytree(c, coll)
        tcb = open(os.path.join(coll, "tcb_info.json")).read()
        open(os.path.join(coll, "tcb_info.json"), "w").write(tcb.replace('"pcesvn":13', '"pcesvn":14', 1))
        err, _ = self.verify(q, coll, "--at", "1752919277", check=False)
        self.assertEqual(err["kind"], "tcb-info-signature-invalid")

    def test_missing_crls_need_the_explicit_flag(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        coll = self.path("nocrl")
        shutil.copytree(c, coll)
        for f in ("pck_crl.der", "pck_crl_issuer_chain.pem", "root_ca_crl.der"):
            os.remove(os.path.join(coll, f))
        err, stderr = self.verify(q, coll, "--at", "1752919277", check=False)
        self.assertIn("--accept-unverifiable-pcs-certs", stderr)
        r = self.verify(q, coll, "--at", "1752919277", "--accept-unverifiable-pcs-certs")
        self.assertFalse(r["revocation_checked"])
        self.assertEqual(r["revocation_checks"], {"root_ca_crl": False, "pck_crl": False})

    def test_changed_root_copy_in_the_quote_fails(self):
        # The quote's signatures do not cover its PCK chain; the root copy at its end must
        # still be the trusted root, byte for byte.
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        data = bytearray(open(q, "rb").read())
        begin = data.rfind(b"-----BEGIN CERTIFICATE-----")
        # Column 30 of the root's 5th base64 line: the certificate still parses.
        at = data.find(b"\n", begin) + 1 + 65 * 4 + 30
        data[at] = ord("A") if data[at] != ord("A") else ord("B")
        bad = self.path("bad_root")
        open(bad, "wb").write(bytes(data))
        err, _ = self.verify(bad, c, "--at", "1752919277", check=False)
        self.assertIn(err["kind"], ("certificate-chain-invalid", "untrusted-root"))

    def test_collateral_as_found_in_the_wild(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        coll = self.path("wild")
        shutil.copytree(c, coll)
        for f in ("tcb_info_issuer_chain.pem", "qe_identity_issuer_chain.pem",
                  "pck_crl_issuer_chain.pem"):
            path = os.path.join(coll, f)
            text = open(path).read()
            joined = text.replace("-----END CERTIFICATE-----\n-----BEGIN", "-----END CERTIFICATE----------BEGIN")
            self.assertNotEqual(text, joined)
            open(path, "w").write(joined)
        r = self.verify(q, coll, "--at", "1752919277")
        self.assertEqual(r["status"], "ConfigurationAndSWHardeningNeeded")
        self.assertEqual(r["revocation_checks"], {"root_ca_crl": True, "pck_crl": True})
        # The PCK CRL without the root CA CRL: still checked, and reported.
        os.remove(os.path.join(coll, "root_ca_crl.der"))
        _, stderr = self.verify(q, coll, "--at", "1752919277", check=False)
        self.assertIn("root_ca_crl.der", stderr)
        r = self.verify(q, coll, "--at", "1752919277", "--accept-unverifiable-pcs-certs")
        self.assertFalse(r["revocation_checked"])
        self.assertEqual(r["revocation_checks"], {"root_ca_crl": False, "pck_crl": True})
        text = self.scone("attestation", "verify-quote", q, "--collateral", coll, "--at",
                          "1752919277", "--accept-unverifiable-pcs-certs").stdout
        self.assertIn("PCK certificate against the PCK CRL: yes", text)
        self.assertIn("against the root CA CRL: NO", text)

    def test_terminal_status_exits_non_zero(self):
        # Quotes of simulated platforms (las measures the caller over its Unix socket).
        from scone_testlib import Las
        for state, code in (("OutOfDate", 0), ("Revoked", 1)):
            with self.subTest(state), Las(self.path("p-" + state), tcb_state=state) as las:
                quote, coll = self.path(state + ".bin"), self.path(state + "-coll")
                addr = "unix:" + las.socket
                self.scone("las", "quote", "--las", addr, "--report-data", "ab" * 64, "-o", quote)
                self.scone("las", "collateral", "--las", addr, "-o", coll)
                args = ("attestation", "verify-quote", quote, "--collateral", coll,
                        "--only_for_testing-sim-root-ca", las.sim_root)
                r = self.scone(*args, "--format", "json", check=False)
                self.assertEqual(r.returncode, code, r.stderr)
                v = json.loads(r.stdout)
                self.assertEqual(v["status"], state)
                self.assertEqual(v["advisory_ids"], ["INTEL-SA-00828"])
                self.assertEqual("error" in v, code != 0)
                r = self.scone(*args, check=False)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn("Status: " + state, r.stdout)
                if code:
                    self.assertEqual(v["error"]["kind"], "tcb-revoked")
                    self.assertTrue(r.stderr.startswith("error: "), r.stderr)
                    self.assertIn("Revoked", r.stderr)

    def test_wrong_root_is_named(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        from scone_testlib import openssl
        key, cert = self.path("r.key"), self.path("r.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", "/CN=other root", "-days", "30", "-keyout", key, "-out", cert)
        err, stderr = self.verify(q, c, "--at", "1752919277", "--root", cert, check=False)
        self.assertEqual(err["kind"], "untrusted-root")
        self.assertIn("--only_for_testing-sim-root-ca", stderr)

    def test_bad_arguments(self):
        q, c = os.path.join(V, "dcap-qvl", "sgx_quote"), os.path.join(V, "dcap-qvl", "pcs")
        self.scone_fails("attestation", "verify-quote", q, "--collateral", c, "--at", "yesterday")
        self.scone_fails("attestation", "verify-quote", self.path("none"), "--collateral", c, code=2)
        self.scone_fails("attestation", "verify-quote", q, "--collateral", self.path("none"), code=2)
        self.scone_fails("attestation", "verify-quote", q)
