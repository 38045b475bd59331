"""End-to-end `tessera simulate`: result contract, conservation, determinism."""
import json
import os
import tempfile
import unittest

from tessera_cli import SHARED, run, simulate_json

SUMMARY_KEYS = ["requests", "completed", "duration_s", "output_tokens_per_s", "input_tokens_per_s",
                "requests_per_s", "ttft_s", "tpot_s", "itl_s", "e2e_s", "queue_s", "slo", "chips",
                "avg_power_w", "energy_j_per_output_token", "cost_usd_per_hour",
                "cost_usd_per_million_output_tokens", "mfu", "mbu", "kv_cache_peak_fraction", "preemptions"]


class SimulateContract(unittest.TestCase):
    def test_summary_has_every_architecture_key(self):
        # Intent: scripts rely on the result-JSON keys of ARCHITECTURE.md.
        j = simulate_json("--model", "llama-3-8b", "--hardware", "p5.48xlarge", "--tp", "1",
                          "--workload", "batch:size=2,input=64,output=16")
        for k in SUMMARY_KEYS:
            self.assertIn(k, j["summary"])
        for k in ["mean", "p50", "p90", "p99", "max"]:
            self.assertIn(k, j["summary"]["ttft_s"])
        for k in ["tessera_version", "inputs", "summary", "replicas", "warnings"]:
            self.assertIn(k, j)

    def test_every_request_completes_and_tokens_are_conserved(self):
        # Intent: no request lost; output tokens produced == requested.
        j = simulate_json("--model", "llama-3-8b", "--hardware", "p5.48xlarge", "--tp", "2",
                          "--workload", "poisson:rate=20,input=256,output=64,n=300")
        s = j["summary"]
        self.assertEqual(s["requests"], 300)
        self.assertEqual(s["completed"], 300)
        self.assertEqual(s["output_tokens"], 300 * 64)
        self.assertEqual(s["input_tokens"], 300 * 256)

    def test_same_seed_gives_identical_json(self):
        # Intent: determinism — same inputs and seed => byte-identical output.
        args = ["simulate", "--model", "llama-3-8b", "--hardware", "trn1.32xlarge", "--tp", "8",
                "--workload", "poisson:rate=5,input=lognormal:mean=512;sd=256,output=64,n=100", "--seed", "7", "--json"]
        a = run(*args, check=True).stdout
        b = run(*args, check=True).stdout
        self.assertEqual(a, b)

    def test_out_writes_the_same_json(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            p = run("simulate", "--model", "llama-3-8b", "--hardware", "p5.48xlarge", "--workload",
                    "batch:size=1,input=32,output=8", "--out", path, "--json", check=True)
            with open(path) as f:
                self.assertEqual(json.load(f), json.loads(p.stdout))

    def test_human_summary_by_default(self):
        p = run("simulate", "--model", "llama-3-8b", "--hardware", "p5.48xlarge", "--workload",
                "batch:size=1,input=32,output=8", check=True)
        self.assertIn("TTFT", p.stdout)
        self.assertIn("throughput", p.stdout)

    def test_models_show_graph_runs_as_a_graph_file(self):
        # Intent: the graph `models show --graph` prints is the one the plan lowers: saved as
        # a .graph.json file it simulates to the same result (MLA and MoE included).
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ds.graph.json")
            with open(path, "w") as f:
                f.write(run("models", "show", "deepseek-v3", "--graph", check=True).stdout)
            args = ("--hardware", "p5en.48xlarge", "--tp", "8", "--weights-dtype", "fp8", "--workload",
                    "batch:size=2,input=256,output=16")
            a = simulate_json("--model", path, *args)["summary"]
            b = simulate_json("--model", "deepseek-v3", *args)["summary"]
            self.assertEqual(a["tpot_s"], b["tpot_s"])
            self.assertEqual(a["ttft_s"], b["ttft_s"])

    def test_explain_ops_lists_the_step_with_the_inserted_collectives(self):
        # Intent: --explain-ops shows every op of the decode step, the plan's all-reduces
        # included (2 per layer at TP 8), and its rows add up to the step's total.
        p = run("simulate", "--model", "llama-3-8b", "--hardware", "p5.48xlarge", "--tp", "8", "--workload",
                "batch:size=2,input=64,output=16", "--explain-ops", check=True)
        section = p.stdout[p.stdout.index("decode step ops"):].splitlines()
        rows = {line.split()[0]: line for line in section[2:-1]}
        for name in ("qkv_proj", "attn_decode", "tp_allreduce_attn", "tp_allreduce_mlp", "lm_head"):
            self.assertIn(name, rows)
        self.assertIn("all-reduce", rows["tp_allreduce_mlp"])
        self.assertEqual(rows["tp_allreduce_mlp"].split()[-4], "32")  # repeat: 32 layers
        total_ms = sum(float(line.split()[-2]) for line in rows.values())
        step_ms = float(section[-1].split()[-2])
        self.assertAlmostEqual(total_ms, step_ms, delta=0.002 * len(rows))


class AcceptanceScenarios(unittest.TestCase):
    def tpot(self, hw, tp):
        j = simulate_json("--model", "llama-2-70b", "--hardware", hw, "--tp", str(tp),
                          "--workload", "batch:size=4,input=128,output=1024")
        self.assertEqual(j["summary"]["completed"], 4)
        return j

    def test_llama2_70b_trn1_tp32_is_physically_plausible(self):
        # Intent: the decode step cannot beat reading each rank's weights at full HBM bandwidth.
        j = self.tpot("trn1.32xlarge", 32)
        tpot = j["summary"]["tpot_s"]["p50"]
        weights_per_chip = 2 * 69e9 / 16          # bf16, 16 chips
        floor = weights_per_chip / (820 * 2**30)  # HBM 820 GiB/s per chip
        self.assertGreater(tpot, floor)
        self.assertLess(tpot, 0.2)
        self.assertEqual(j["summary"]["chips"], 16)

    def test_llama2_70b_p5_tp8_is_physically_plausible(self):
        j = self.tpot("p5.48xlarge", 8)
        tpot = j["summary"]["tpot_s"]["p50"]
        floor = 2 * 69e9 / 8 / 3.35e12
        self.assertGreater(tpot, floor)
        self.assertLess(tpot, 0.1)
        self.assertEqual(j["summary"]["chips"], 8)

    @unittest.skipUnless((SHARED / "traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv").exists(),
                         "shared traces not present")
    def test_azure_conv_trace_completes_every_request(self):
        # Intent: the full Azure 2023 conversation trace streams through and every request completes.
        j = simulate_json("--model", "llama-3-70b", "--hardware", "p5.48xlarge", "--tp", "8", "--workload",
                          f"trace:{SHARED}/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv")
        self.assertEqual(j["summary"]["requests"], 19366)
        self.assertEqual(j["summary"]["completed"], 19366)


if __name__ == "__main__":
    unittest.main()
