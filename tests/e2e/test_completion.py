"""Shell completion and manual pages of the built `scone` (docs/cli.md, "Shell completion
and manual pages"): bash's completion driven as bash drives it, zsh's script parsed, every
manual page rendered by groff without warnings."""

import glob
import os
import re
import shutil
import subprocess
import unittest

from scone_testlib import SconeTestCase


class CompletionTest(SconeTestCase):
    def setUp(self):
        super().setUp()
        self.script = self.path("scone.bash")
        with open(self.script, "w") as f:
            f.write(self.scone("completion", "bash").stdout)

    def complete(self, *words):
        """COMPREPLY for the command line `words`, the cursor on the last word."""
        cmd = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
               'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _scone; printf "%s\\n" "${COMPREPLY[@]}"')
        r = subprocess.run(["bash", "-c", cmd, "bash", self.script, *words], capture_output=True,
                           text=True, cwd=self.tmp, check=True, timeout=60)
        return sorted(line for line in r.stdout.splitlines() if line)

    def test_completes_top_level_commands(self):
        self.assertEqual(self.complete("scone", "c"), ["cas", "cert", "completion"])

    def test_completes_subcommands_at_depth(self):
        self.assertEqual(self.complete("scone", "cas", "at"), ["attest"])
        self.assertIn("create", self.complete("scone", "cas", "session", ""))

    def test_completes_options_of_the_command_reached(self):
        self.assertEqual(self.complete("scone", "self", "show", "--f"), ["--format"])
        self.assertIn("--only_for_testing-sim-root-ca", self.complete("scone", "cas", "attest", "--only"))
        # The root's options are not offered where they do not apply, and vice versa.
        self.assertNotIn("--format", self.complete("scone", "--"))

    def test_completes_the_values_of_an_option(self):
        self.assertEqual(self.complete("scone", "self", "show", "--format", ""), ["json", "text"])
        self.assertEqual(self.complete("scone", "self", "show", "--format", "j"), ["json"])

    def test_completes_files_after_an_option_that_takes_a_path(self):
        open(self.path("owner.toml"), "w").close()
        self.assertEqual(self.complete("scone", "--config", "own"), ["owner.toml"])
        # The value of --config is not taken for a command word.
        self.assertEqual(self.complete("scone", "--config", "owner.toml", "se"),
                         ["self", "session"])

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_script_parses(self):
        script = self.path("_scone")
        with open(script, "w") as f:
            f.write(self.scone("completion", "zsh").stdout)
        subprocess.run(["zsh", "-n", script], check=True, timeout=60)


class ManPageTest(SconeTestCase):
    def test_every_page_renders_without_warnings(self):
        out = self.path("man")
        self.scone("man", out)
        pages = sorted(glob.glob(os.path.join(out, "*.1")))
        names = [os.path.basename(p) for p in pages]
        for expected in ["scone.1", "scone-cas.1", "scone-cas-attest.1", "scone-completion-bash.1"]:
            self.assertIn(expected, names)
        if not shutil.which("groff"):
            self.skipTest("groff is not installed")
        for page in pages:
            r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, page)
            self.assertEqual(r.stderr, "", page)
        r = subprocess.run(["groff", "-man", "-Tutf8", os.path.join(out, "scone-cas-attest.1")],
                           capture_output=True, text=True, check=True, timeout=60)
        # Overstrike (bold, underline) removed, hyphens and minus signs as "-".
        text = re.sub(".\b", "", r.stdout).replace("\u2010", "-").replace("\u2212", "-")
        self.assertIn("--only_for_testing-sim-root-ca", text)


if __name__ == "__main__":
    unittest.main()
