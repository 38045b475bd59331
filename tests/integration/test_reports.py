"""--report FILE.html on simulate: self-contained, deterministic, and never
half-written (a failed run leaves no file). The browser test (tests/browser) opens it."""
import os
import tempfile
import unittest

from tessera_cli import run

ARGS = ["simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1", "--workload",
        "poisson:rate=4,input=256,output=64,n=80"]


class SimulateReport(unittest.TestCase):
    def test_self_contained_and_deterministic(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a.html"), os.path.join(d, "b.html")
            p = run(*ARGS, "--report", a, check=True)
            self.assertEqual(p.stderr, "")  # no progress bar when stderr is not a terminal
            run(*ARGS, "--report", b, check=True)
            with open(a, "rb") as f, open(b, "rb") as g:
                html, other = f.read(), g.read()
            self.assertEqual(html, other)  # same inputs + seed: byte-identical
            text = html.decode()
            self.assertIn("Chart.js v", text)  # the library is inlined, not linked
            self.assertNotRegex(text, r"<script[^>]+src=")
            self.assertNotRegex(text, r"<link[^>]+href=")
            for needle in ("TTFT CDF", "KV cache occupancy", "Iteration time by part", "Power and cost",
                           "cost per million output tokens"):
                self.assertIn(needle, text)

    def test_bad_path_is_bad_input_naming_the_flag(self):
        p = run(*ARGS, "--report", "/nonexistent-dir/r.html")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--report", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_failed_run_writes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.html")
            # 405B in BF16 on one H100 does not fit: infeasible, exit 3
            p = run("simulate", "--model", "llama-3.1-405b", "--hardware", "p5.48xlarge", "--tp", "1",
                    "--report", path)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    unittest.main()
