"""tessera plan: search, fleet sizing, comparison, power/cost flags, and the
headlines of examples/README.md (each example script run with --json)."""
import json
import os
import pathlib
import subprocess
import sys
import unittest

from tessera_cli import BIN, SHARED, SOURCE, run

sys.path.insert(0, str(SOURCE / "examples"))
import figures  # noqa: E402  examples/figures.py: the README's quoted figures

TRACE = SHARED / "traces" / "azure_llm_2023" / "AzureLLMInferenceTrace_conv.csv"
EXAMPLES = SOURCE / "examples"
SLO = "ttft_p99=2s,tpot_p99=100ms"
SMALL = ["--model", "llama-3.1-8b", "--workload", "poisson:rate=50,input=1024,output=256,n=100",
         "--slo", SLO, "--pp", "1", "--max-batch", "256", "--probe-requests", "200"]


def example(name):
    env = dict(os.environ, TESSERA=BIN, TRACE=str(TRACE))
    p = subprocess.run([str(EXAMPLES / f"{name}.sh"), "--json"], capture_output=True, text=True, env=env, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"{name}.sh exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


def plan_json(*args):
    p = run("plan", *args, "--json", check=True)
    return json.loads(p.stdout)


class Plan(unittest.TestCase):
    def test_search_ranks_and_pareto(self):
        d = plan_json(*SMALL, "--hardware", "p5.48xlarge", "--tp", "1,2,8")
        self.assertEqual(d["searched"], 6)  # 3 TP x 2 schedulers
        costs = [r["cost_usd_per_million_output_tokens"] for r in d["cheapest"]]
        self.assertEqual(costs, sorted(costs))
        self.assertEqual(d["pareto"][0], d["cheapest"][0])
        for r in d["cheapest"]:
            self.assertLessEqual(r["ttft_p99_s"], 2.0)
            self.assertLessEqual(r["tpot_p99_s"], 0.1)
            self.assertEqual(r["tp"] * r["dp"], 8)  # replicas fill the box

    def test_deterministic(self):
        args = [*SMALL, "--hardware", "p5.48xlarge", "--tp", "2,8", "--threads", "2"]
        self.assertEqual(run("plan", *args, "--json").stdout, run("plan", *args, "--json").stdout)

    def test_tighter_slo_never_cheaper(self):
        base = [a for a in SMALL if a != SLO]
        i = base.index("--slo")
        loose = plan_json(*base[:i], *base[i + 1:], "--slo", SLO, "--hardware", "p5.48xlarge", "--tp", "1,8")
        tight = plan_json(*base[:i], *base[i + 1:], "--slo", "ttft_p99=1s,tpot_p99=30ms",
                          "--hardware", "p5.48xlarge", "--tp", "1,8")
        if tight["cheapest"]:
            self.assertGreaterEqual(tight["cheapest"][0]["cost_usd_per_million_output_tokens"],
                                    loose["cheapest"][0]["cost_usd_per_million_output_tokens"])

    def test_user_price_and_power_overrides(self):
        d = plan_json(*SMALL, "--hardware", "trn2.48xlarge", "--tp", "8", "--schedulers", "vllm",
                      "--price-per-hour", "trn2.48xlarge=40", "--chip-tdp", "500W", "--chip-idle", "100W",
                      "--host-power", "3kW", "--pue", "1.2")
        r = d["cheapest"][0]
        self.assertAlmostEqual(r["cost_usd_per_hour"], 40.0)
        self.assertAlmostEqual(r["cost_usd_per_million_output_tokens"],
                               40.0 / (r["output_tokens_per_s"] * 3600) * 1e6, places=9)
        # 16 chips between 100 W and 500 W, plus 3 kW of host, times PUE 1.2.
        self.assertGreater(r["avg_power_w"], (16 * 100 + 3000) * 1.2 - 1e-6)
        self.assertLess(r["avg_power_w"], (16 * 500 + 3000) * 1.2 + 1e-6)

    def test_fleet_twice_the_chips(self):
        a = plan_json(*SMALL, "--hardware", "p5.48xlarge", "--tp", "8", "--schedulers", "vllm", "--fleet", "chips=800")
        b = plan_json(*SMALL, "--hardware", "p5.48xlarge", "--tp", "8", "--schedulers", "vllm", "--fleet", "chips=1600")
        self.assertEqual(a["fleet"]["chips"], 800)
        self.assertAlmostEqual(b["fleet"]["tokens_per_day"], 2 * a["fleet"]["tokens_per_day"])
        self.assertAlmostEqual(b["fleet"]["power_w"], 2 * a["fleet"]["power_w"])
        self.assertEqual(a["fleet"]["headroom"], 0.2)


class PowerCostFlags(unittest.TestCase):
    def simulate(self, *args):
        p = run("simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "8",
                "--workload", "batch:size=4,input=128,output=64", *args, "--json", check=True)
        return json.loads(p.stdout)

    def test_reserved_price_unknown_is_null_with_flag_named(self):
        d = self.simulate("--price-basis", "reserved")
        self.assertIsNone(d["summary"]["cost_usd_per_million_output_tokens"])
        self.assertTrue(any("--price-per-hour" in w for w in d["warnings"]), d["warnings"])

    def test_capacity_block_rate(self):
        self.assertAlmostEqual(self.simulate("--price-basis", "capacity-block")["summary"]["cost_usd_per_hour"], 39.33)

    def test_tco(self):
        d = self.simulate("--price-basis", "tco", "--capex-per-system", "300000", "--years", "4", "--usd-per-kwh", "0.1")
        s = d["summary"]
        self.assertAlmostEqual(s["cost_usd_per_hour"], 300000 / (4 * 8766) + s["avg_power_w"] / 1000 * 0.1, places=6)

    def test_bad_flags_exit_2(self):
        for args, needle in [(["--chip-tdp", "500"], "--chip-tdp"), (["--pue", "0.5"], "--pue"),
                             (["--price-basis", "reserve"], "did you mean"),
                             (["--price-per-hour", "p5.48xlarge=abc"], "--price-per-hour")]:
            p = run("simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "8", *args)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(needle, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_plan_bad_input_exit_2(self):
        for args, needle in [(["--fleet", "gpus=3"], "--fleet"), (["--slo", "ttft_p90=1s"], "did you mean"),
                             (["--hardware", "p5.48xlarg"], "did you mean")]:
            p = run("plan", *[a for a in SMALL if a not in ("--slo", SLO)] if "--slo" in args else SMALL, *args)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(needle, p.stderr)
        p = run("plan", "--model", "llama-3.1-8b", "--workload", "batch:size=4,input=128,output=64", "--slo", SLO)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no arrival rate", p.stderr)


@unittest.skipUnless(TRACE.exists(), "needs the Azure LLM 2023 trace in ../shared/traces")
class Examples(unittest.TestCase):
    """The headlines of examples/README.md: structure here, and the quoted figures
    (generated by examples/figures.py) exactly."""

    def assert_figures(self, name, doc):
        self.assertEqual(figures.readme_block(f"{name}.sh"), figures.render(f"{name}.sh", [doc]),
                         "examples/README.md is stale: run python3 examples/figures.py --write")

    def test_trn3_vs_h100(self):
        doc = example("trn3-vs-h100")
        self.assert_figures("trn3-vs-h100", doc)
        c = doc["comparison"]
        h100, trn3 = c["entries"]
        self.assertEqual(h100["hardware"], "p5.48xlarge")
        self.assertIsNone(trn3["cost_usd_per_million_output_tokens"])  # no public Trn3 price
        self.assertIsNotNone(trn3["break_even_usd_per_system_hour"])
        kinds = {a["figure"]: a["kind"] for a in c["assumptions"]}
        self.assertEqual(kinds["trainium3 TDP"], "estimate")
        self.assertEqual(kinds["trn3-ultraserver-144 on-demand price"], "unknown")
        self.assertEqual(kinds["p5.48xlarge on-demand price"], "source")

    def test_trn3_2gw(self):
        doc = example("trn3-2gw")
        self.assert_figures("trn3-2gw", doc)
        f = doc["fleet"]
        self.assertLessEqual(f["power_w"], 2e9)
        self.assertGreater(f["power_w"], 0.99 * 2e9)
        self.assertEqual(f["chips"] % 144, 0)

    def test_trn2_million_chips(self):
        doc = example("trn2-1m-chips")
        self.assert_figures("trn2-1m-chips", doc)
        f = doc["fleet"]
        self.assertEqual(f["chips"], 1_000_000)
        self.assertEqual(f["systems"], 62_500)

    def test_trn2_torus_vs_trn3_mesh(self):
        doc = example("trn2-torus-vs-trn3-mesh")
        self.assert_figures("trn2-torus-vs-trn3-mesh", doc)
        c = doc["comparison"]
        self.assertEqual([e["hardware"] for e in c["entries"]], ["trn2-ultraserver", "trn3-ultraserver-64"])
        for e in c["entries"]:
            self.assertIsNotNone(e["deployment"])
            self.assertIsNotNone(e["kwh_per_million_output_tokens"])
        self.assertIsNotNone(c["entries"][1]["energy_ratio"])


if __name__ == "__main__":
    unittest.main()
