"""--fidelity measured: selectable on NVIDIA systems with measured kernel tables, close to the fitted
model it falls back to, deterministic; a clean bad-input error (exit 2) on chips without tables."""
import json
import unittest

from tessera_cli import run, simulate_json

LLAMA_P5 = ("--model", "llama-3.1-8b", "--hardware", "p5.48xlarge")


class Fidelity(unittest.TestCase):
    def test_measured_runs_on_h100_and_names_its_model(self):
        wl = ("--workload", "batch:size=64,input=512,output=64")
        measured = simulate_json(*LLAMA_P5, *wl, "--fidelity", "measured")
        fitted = simulate_json(*LLAMA_P5, *wl, "--fidelity", "fitted")
        self.assertEqual(measured["inputs"]["fidelity"], "measured")
        self.assertEqual(measured["inputs"]["device_model"], "nvidia-measured")
        self.assertEqual(fitted["inputs"]["device_model"], "nvidia-fitted")
        m, f = measured["summary"]["tpot_s"]["mean"], fitted["summary"]["tpot_s"]["mean"]
        # Both describe the same kernels (the fit's median error is 4-20% per table); a gap
        # beyond 30% would mean the tables are misread.
        self.assertLess(abs(m / f - 1), 0.3)
        self.assertEqual(measured, simulate_json(*LLAMA_P5, *wl, "--fidelity", "measured"))

    def test_validate_accepts_fidelity(self):
        p = run("validate", "--set", "trtllm_llama31_8b", "--fidelity", "measured", "--json", check=True)
        rows = json.loads(p.stdout)[0]["rows"]
        self.assertEqual(len(rows), 14)
        bad = run("validate", "--set", "trtllm_llama31_8b", "--fidelity", "mesured")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("did you mean", bad.stderr)

    def test_measured_on_a_chip_without_tables_is_bad_input(self):
        p = run("simulate", "--model", "llama-2-7b", "--hardware", "trn1.32xlarge", "--tp", "8",
                "--workload", "batch:size=1,input=128,output=16", "--fidelity", "measured")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'trainium'", p.stderr)
        self.assertIn("h100-sxm, h200-sxm, b200, gb200", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
