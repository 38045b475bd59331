"""Bad input exits 2 with one line naming the flag/key and value; infeasible exits 3."""
import unittest

from tessera_cli import run


class BadInput(unittest.TestCase):
    def check(self, code, needles, *args):
        p = run(*args)
        self.assertEqual(p.returncode, code, p.stderr)
        err = p.stderr.strip()
        self.assertEqual(len(err.splitlines()), 1, err)
        for n in needles:
            self.assertIn(n, err)
        self.assertEqual(p.stdout, "")

    def test_unknown_hardware_suggests(self):
        self.check(2, ["trn1.32xlarg", "did you mean", "trn1.32xlarge"],
                   "simulate", "--model", "llama-2-7b", "--hardware", "trn1.32xlarg")

    def test_unknown_model_suggests(self):
        self.check(2, ["llama-2-70", "did you mean"], "simulate", "--model", "llama-2-70", "--hardware", "p5.48xlarge")

    def test_unknown_flag_suggests(self):
        self.check(2, ["--tpp", "did you mean", "--tp"],
                   "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge", "--tpp", "2")

    def test_tp_not_dividing_heads(self):
        self.check(2, ["--tp", "'3'", "heads"], "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge", "--tp", "3")

    def test_lnc_on_gpu(self):
        self.check(2, ["--lnc", "p5.48xlarge"], "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge", "--lnc", "2")

    def test_bad_workload_key(self):
        self.check(2, ["--workload", "rat"], "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge",
                   "--workload", "poisson:rat=5,input=10,output=10,n=5")

    def test_bad_dtype(self):
        self.check(2, ["--weights-dtype", "fp9"], "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge",
                   "--weights-dtype", "fp9")

    def test_model_does_not_fit_exits_3_with_shortfall(self):
        # Intent: Llama-3.1-405B in BF16 cannot fit on one trn1.32xlarge (512 GiB of HBM).
        self.check(3, ["llama-3.1-405b", "short by"], "simulate", "--model", "llama-3.1-405b",
                   "--hardware", "trn1.32xlarge", "--tp", "32")

    def test_missing_trace_file(self):
        self.check(2, ["/nonexistent/trace.csv"], "simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge",
                   "--workload", "trace:/nonexistent/trace.csv")


class Catalog(unittest.TestCase):
    def test_hardware_list_names_every_system(self):
        p = run("hardware", "list", check=True)
        for name in ["trn1.32xlarge", "inf2.48xlarge", "trn2.48xlarge", "trn2-ultraserver", "trn3-ultraserver-64",
                     "trn3-ultraserver-144", "p4d.24xlarge", "p5.48xlarge", "p5en.48xlarge", "p6-b200.48xlarge",
                     "gb200-nvl72", "p6-b300.48xlarge", "gb300-nvl72", "mi300x-platform", "mi325x-platform",
                     "mi355x-platform"]:
            self.assertIn(name, p.stdout)

    def test_models_show_json(self):
        import json
        j = json.loads(run("models", "show", "llama-2-70b", "--json", check=True).stdout)
        self.assertAlmostEqual(j["params_total"] / 1e9, 68.98, delta=0.5)
        # 80 layers x 8 KV heads x 128 x 2 (K,V) x 2 bytes
        self.assertEqual(j["kv_bytes_per_token"], 80 * 8 * 128 * 2 * 2)


if __name__ == "__main__":
    unittest.main()
