"""`--runtime`: serving-engine profiles change policies, not the chip; every run names its runtime."""
import json
import unittest

from tessera_cli import run, simulate_json

BASE = ["--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1"]


class Runtime(unittest.TestCase):
    def test_default_runtime_is_named_in_json_and_text(self):
        # Intent: a result always says which engine it modelled (NVIDIA default: trtllm).
        j = simulate_json(*BASE, "--workload", "batch:size=2,input=64,output=16")
        self.assertEqual(j["inputs"]["runtime"]["name"], "trtllm")
        self.assertEqual(j["inputs"]["deployment"]["admission"], "guaranteed")
        self.assertEqual(j["inputs"]["runtime"]["kv_pool_rule"], "fraction_of_free")
        text = run("simulate", *BASE, "--workload", "batch:size=2,input=64,output=16", check=True).stdout
        self.assertIn("runtime      trtllm (TensorRT-LLM)", text)

    def test_runtime_sets_unset_serving_fields_and_flags_win(self):
        # Intent: the profile fills what the user left unset; a typed flag overrides it.
        j = simulate_json(*BASE, "--runtime", "vllm", "--workload", "batch:size=2,input=64,output=16")
        d = j["inputs"]["deployment"]
        self.assertEqual((d["scheduler"], d["max_batch"], d["max_tokens"], d["block_tokens"], d["admission"]),
                         ("sarathi", 1024, 8192, 16, "optimistic"))
        self.assertTrue(any("has no fit" in w for w in j["warnings"]))
        j = simulate_json(*BASE, "--runtime", "vllm", "--max-batch", "7", "--scheduler", "vllm",
                          "--workload", "batch:size=2,input=64,output=16")
        self.assertEqual((j["inputs"]["deployment"]["max_batch"], j["inputs"]["deployment"]["scheduler"]),
                         (7, "vllm"))

    def test_kv_pool_rule_changes_kv_capacity(self):
        # Intent: TRT-LLM's fraction-of-free pool is larger than vLLM's fraction-of-total at the same 0.9.
        t = simulate_json(*BASE, "--runtime", "trtllm", "--block-tokens", "16",
                          "--workload", "batch:size=1,input=64,output=4")
        v = simulate_json(*BASE, "--runtime", "vllm", "--workload", "batch:size=1,input=64,output=4")
        self.assertGreater(t["memory_per_rank"]["kv_cache_bytes"], v["memory_per_rank"]["kv_cache_bytes"])

    def test_bad_runtime_is_one_line_exit_2(self):
        # Intent: a typo gets "did you mean"; an engine that does not run on the chip names the ones that do.
        p = run("simulate", *BASE, "--runtime", "vlm")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'vllm'", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        p = run("simulate", *BASE, "--runtime", "tnx")
        self.assertEqual(p.returncode, 2)
        self.assertIn("'tnx' does not run on h100-sxm", p.stderr)
        p = run("simulate", *BASE, "--max-batch", "0")
        self.assertEqual(p.returncode, 2)

    def test_plan_takes_a_runtime(self):
        # Intent: the planner searches under the engine the user runs; one that cannot run there is bad input.
        args = ["plan", "--model", "llama-3.1-8b", "--workload", "poisson:rate=2,input=256,output=64,n=60",
                "--slo", "ttft_p99=2s", "--hardware", "p5.48xlarge", "--tp", "1", "--schedulers", "vllm",
                "--max-batch", "64", "--probe-requests", "60", "--threads", "1"]
        p = run(*args, "--runtime", "tnx")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'tnx' does not run on h100-sxm", p.stderr)
        p = run(*args, "--runtime", "vllm", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_hardware_show_lists_runtimes(self):
        # Intent: users find which engines a system can be modelled with, default first.
        j = json.loads(run("hardware", "show", "trn2.48xlarge", "--json", check=True).stdout)
        self.assertEqual(j["default_runtime"], "nxdi")
        self.assertEqual(j["runtimes"][0], "nxdi")
        self.assertIn("vllm-neuron", j["runtimes"])
        self.assertNotIn("trtllm", j["runtimes"])
        text = run("hardware", "show", "p5.48xlarge", check=True).stdout
        self.assertIn("trtllm", text)
        self.assertIn("(default)", text)

    def test_fp8_decode_beats_bf16_on_blackwell_with_the_engines_kernel(self):
        # Intent: memory-bound FP8 decode streams half the bytes of BF16, so it is faster on every engine that
        # autotunes its FP8 GEMM; forcing the per-tensor kernel the tables measured is not.
        def tpot(dtype, fidelity):
            j = simulate_json("--model", "llama-3.1-8b", "--hardware", "p6-b200.48xlarge", "--tp", "1",
                              "--weights-dtype", dtype, "--fidelity", fidelity,
                              "--workload", "batch:size=8,input=512,output=128")
            return j["summary"]["tpot_s"]["p50"]
        for fidelity in ("fitted", "measured"):
            self.assertLess(tpot("fp8", fidelity), 0.85 * tpot("bf16", fidelity), fidelity)


if __name__ == "__main__":
    unittest.main()
