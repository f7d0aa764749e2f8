"""The session API of a real `cas` as a plain HTTPS client sees it: the curl examples of
docs/cas.md ("Examples with curl") run as written, and the hash CAS computes agrees with
`scone session calculate-hash --creator`. (The `scone cas session` commands have tests of
their own.)"""

import json
import os
import re
import subprocess

from scone_testlib import RawCasTestCase, openssl

DOCS = os.path.join(os.path.dirname(__file__), "../../docs/cas.md")


def session_examples():
    """The sh block between the session-examples markers of docs/cas.md."""
    with open(DOCS) as f:
        text = f.read()
    m = re.search(r"<!-- session-examples -->\s*```sh\n(.*?)```\s*<!-- /session-examples -->",
                  text, re.S)
    if not m:
        raise AssertionError("docs/cas.md has no session-examples block")
    return m.group(1)


def examples_script(block, cas_address):
    """The block as a bash script in which every `curl` command followed by a `# -> STATUS`
    line must answer that status. Returns (script, number of checked commands)."""
    lines = block.splitlines()
    out = ["set -eu",
           "check() { got=$(printf '%s' \"$2\" | tail -n1); "
           "if [ \"$got\" != \"$1\" ]; then echo \"expected $1, got $got: $2\" >&2; exit 1; fi; "
           "echo \"ok $1\"; }"]
    checked = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("CAS="):
            out.append("CAS=" + cas_address)
            i += 1
            continue
        if not line.startswith("curl "):
            out.append(line)
            i += 1
            continue
        command = [line]
        while command[-1].endswith("\\"):
            i += 1
            command.append(lines[i])
        i += 1
        expect = re.match(r"# -> (\d{3})", lines[i]) if i < len(lines) else None
        if not expect:
            raise AssertionError("a curl example without its '# -> STATUS' line: " + line)
        joined = " ".join(part.rstrip("\\").strip() for part in command)
        out.append(f"out=$({joined} -w '\\n%{{http_code}}')")
        out.append(f"check {expect.group(1)} \"$out\"")
        checked += 1
    return "\n".join(out) + "\n", checked


class CasSessionsTest(RawCasTestCase):
    def setUp(self):
        super().setUp()
        self.start_cas(("owner", "alice", "bob"))
        status, body = self.call("POST", "/v1/attestation",
                                 json.dumps({"nonce": os.urandom(32).hex()}), None)
        self.assertEqual(status, 200, body)
        with open(os.path.join(self.work, "cas-cert.pem"), "w") as f:
            f.write(body["cas_certificate"])
        self.provision("owner")

    def test_documented_curl_examples_answer_as_documented(self):
        script, checked = examples_script(session_examples(), self.cas.address)
        self.assertGreaterEqual(checked, 12)
        r = subprocess.run(["bash", "-c", script], cwd=self.work, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count("ok "), checked, r.stdout)

    def test_hash_agrees_with_calculate_hash(self):
        yaml_path = os.path.join(self.work, "calc.yaml")
        with open(yaml_path, "w") as f:
            f.write('name: calc\nversion: "0.3"\naccess_policy:\n  read: [ANY]\n')
        with open(yaml_path) as f:
            status, body = self.call("POST", "/v1/sessions", f.read(), "alice")
        self.assertEqual(status, 201, body)
        offline = self.scone("session", "calculate-hash", yaml_path, "--creator",
                             os.path.join(self.work, "alice.pem")).stdout.strip()
        self.assertIn(body["hash"], offline)
        # Read back by anybody (read: ANY): the text as uploaded, the creator's key hash.
        status, read = self.call("GET", "/v1/sessions/calc", None, "bob")
        self.assertEqual(status, 200, read)
        self.assertEqual(read["hash"], body["hash"])
        with open(yaml_path) as f:
            self.assertEqual(read["session"], f.read())
