"""Serving features end to end: prefix caching, schedulers, disaggregated pools,
speculative decoding, admission control, and the streamed timelines (--trace,
--requests-csv)."""
import csv
import json
import os
import tempfile
import unittest

from tessera_cli import SHARED, run, simulate_json

MOONCAKE = SHARED / "traces" / "mooncake_fast25" / "conversation_trace.jsonl"
AZURE_CONV = SHARED / "traces" / "azure_llm_2023" / "AzureLLMInferenceTrace_conv.csv"
H100 = ["--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1"]
SMALL = "poisson:rate=20,input=512,output=32,n=60"


def summary(*args):
    return simulate_json(*args)["summary"]


@unittest.skipUnless(MOONCAKE.exists() and AZURE_CONV.exists(), "public traces not found beside the repo")
class Acceptance(unittest.TestCase):
    def test_prefix_caching_lowers_mean_ttft_on_mooncake(self):
        # Intent: a cache hit skips prefill of the cached tokens, so TTFT falls.
        w = f"trace:{MOONCAKE},limit=600"
        off = summary(*H100, "--dp", "8", "--router", "prefix-affinity", "--workload", w)
        on = summary(*H100, "--dp", "8", "--router", "prefix-affinity", "--workload", w, "--prefix-caching")
        self.assertIsNone(off["prefix_cache_hit_rate"])
        self.assertGreater(on["prefix_cache_hit_rate"], 0.01)
        self.assertLess(on["prefix_cache_hit_rate"], 1.0)
        self.assertLess(on["ttft_s"]["mean"], off["ttft_s"]["mean"])
        self.assertEqual(on["completed"], 600)

    def test_sarathi_lowers_p99_tpot_on_azure_conv(self):
        # Intent: chunked prefill keeps long prompts from stalling running decodes.
        w = f"trace:{AZURE_CONV},limit=2000,rate-scale=2"
        vllm = summary(*H100, "--workload", w)
        sarathi = summary(*H100, "--workload", w, "--scheduler", "sarathi", "--chunk-tokens", "512")
        self.assertLess(sarathi["tpot_s"]["p99"], vllm["tpot_s"]["p99"])
        self.assertLess(sarathi["itl_s"]["p99"], vllm["itl_s"]["p99"])


class Disaggregated(unittest.TestCase):
    ARGS = [*H100, "--scheduler", "disagg", "--prefill-replicas", "1", "--decode-replicas", "2",
            "--workload", "poisson:rate=10,input=2048,output=32,n=60"]

    def test_reports_kv_transfer_share_and_pools(self):
        j = simulate_json(*self.ARGS)
        s = j["summary"]
        self.assertEqual(s["completed"], 60)
        self.assertGreater(s["kv_transfer_share"], 0)
        self.assertLess(s["kv_transfer_share"], 1)
        self.assertEqual(j["prefill_pool"]["replicas"], 1)
        self.assertEqual(len(j["replicas"]), 3)
        self.assertEqual(s["chips"], 3)
        self.assertIn("send/recv inside p5.48xlarge", j["prefill_pool"]["kv_link"])

    def test_slower_inter_pool_link_raises_ttft(self):
        # Intent: TTFT includes moving the prompt KV to the decode pool.
        fast = summary(*self.ARGS, "--kv-link-bandwidth", "100 GB/s")
        slow = summary(*self.ARGS, "--kv-link-bandwidth", "1 GB/s")
        # 2048 tokens x 128 KiB = 256 MiB per request: ~0.27 s at 1 GB/s, ~2.7 ms at 100 GB/s.
        self.assertGreater(slow["ttft_s"]["mean"], fast["ttft_s"]["mean"] + 0.2)
        self.assertGreater(slow["kv_transfer_share"], fast["kv_transfer_share"])

    def test_heterogeneous_pools_use_scale_out(self):
        j = simulate_json("--model", "llama-3.1-8b", "--hardware", "trn2.48xlarge", "--tp", "8",
                          "--scheduler", "disagg", "--prefill-hardware", "trn3-ultraserver-64",
                          "--decode-hardware", "trn2.48xlarge", "--workload", "batch:size=4,input=1024,output=16")
        self.assertEqual(j["prefill_pool"]["hardware"], "trn3-ultraserver-64")
        self.assertEqual(j["inputs"]["hardware"]["name"], "trn2.48xlarge")
        self.assertIn("scale-out", j["prefill_pool"]["kv_link"])
        self.assertGreater(j["summary"]["kv_transfer_share"], 0)

    def test_pool_flags_need_disagg(self):
        p = run("simulate", *H100, "--prefill-tp", "2")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--scheduler disagg", p.stderr)


class Features(unittest.TestCase):
    def test_feature_keys_are_null_when_off(self):
        s = summary(*H100, "--workload", SMALL)
        for k in ["prefix_cache_hit_rate", "kv_transfer_share", "spec_acceptance"]:
            self.assertIn(k, s)
            self.assertIsNone(s[k])
        self.assertEqual(s["rejected"], 0)
        self.assertEqual(s["preemptions"], 0)

    def test_shared_prefix_workload_hits(self):
        # 256 shared tokens of 512: from the second request on, 256 of every 512 hit.
        s = summary(*H100, "--workload", "closed:concurrency=1,input=512,output=4,n=10,shared-prefix=256",
                    "--prefix-caching")
        self.assertAlmostEqual(s["prefix_cache_hit_rate"], 9 * 256 / (10 * 512))

    def test_speculative_decoding_acceptance_and_speed(self):
        w = "batch:size=4,input=256,output=257"
        base = summary("--model", "llama-3.1-70b", "--hardware", "p5.48xlarge", "--tp", "4", "--workload", w)
        spec = summary("--model", "llama-3.1-70b", "--hardware", "p5.48xlarge", "--tp", "4", "--workload", w,
                       "--draft-model", "llama-3.2-1b", "--spec-tokens", "4", "--spec-acceptance", "0.7")
        # i.i.d. acceptance p = 0.7, k = 4: (1 - p^5)/(1 - p) - 1 = 1.77 of 4 drafts accepted per step.
        self.assertAlmostEqual(spec["spec_acceptance"], 1.7731 / 4, delta=0.05)
        self.assertLess(spec["tpot_s"]["mean"], base["tpot_s"]["mean"])
        p = run("simulate", *H100, "--draft-model", "ngram", "--spec-tokens", "4")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--spec-acceptance", p.stderr)

    def test_guaranteed_admission_never_preempts(self):
        w = "poisson:rate=50,input=3000,output=2000,n=80"
        args = ["--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1", "--workload", w,
                "--memory-utilization", "0.35"]
        optimistic = summary(*args, "--admission", "optimistic")
        guaranteed = summary(*args, "--admission", "guaranteed")
        self.assertGreater(optimistic["preemptions"], 0)
        self.assertEqual(guaranteed["preemptions"], 0)
        self.assertEqual(guaranteed["completed"], 80)
        p = run("simulate", *H100, "--admission", "guarantee")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'guaranteed'", p.stderr)

    def test_queue_limit_rejects_and_reports(self):
        j = simulate_json(*H100, "--workload", "batch:size=20,input=64,output=8", "--queue-limit", "5")
        self.assertEqual(j["summary"]["rejected"], 15)
        self.assertEqual(j["summary"]["completed"], 5)
        self.assertTrue(any("--queue-limit" in w for w in j["warnings"]))


class Timelines(unittest.TestCase):
    ARGS = [*H100, "--scheduler", "disagg", "--decode-replicas", "2", "--workload", SMALL, "--queue-limit", "2"]

    def run_with_outputs(self, d, *extra):
        trace, rows = os.path.join(d, "t.json"), os.path.join(d, "r.csv")
        j = simulate_json(*self.ARGS, *extra, "--trace", trace, "--requests-csv", rows)
        with open(trace) as f:
            t = json.load(f)
        with open(rows) as f:
            r = list(csv.DictReader(f))
        return j, t, r

    def test_trace_is_valid_trace_event_json(self):
        with tempfile.TemporaryDirectory() as d:
            j, t, _ = self.run_with_outputs(d)
        events = t["traceEvents"]
        self.assertIsInstance(events, list)
        open_spans = {}
        for e in events:
            self.assertIn(e["ph"], {"X", "b", "e", "i", "M"})
            self.assertIsInstance(e["pid"], int)
            self.assertIsInstance(e["tid"], int)
            self.assertIsInstance(e["name"], str)
            if e["ph"] != "M":
                self.assertIsInstance(e["ts"], (int, float))
                self.assertGreaterEqual(e["ts"], 0)
            if e["ph"] == "X":
                self.assertGreaterEqual(e["dur"], 0)
                self.assertIn("decode_seqs", e["args"])
            if e["ph"] in ("b", "e"):
                key = (e["cat"], e["id"], e["name"])
                if e["ph"] == "b":
                    open_spans[key] = e["ts"]
                else:
                    self.assertGreaterEqual(e["ts"], open_spans.pop(key))
        self.assertEqual(open_spans, {})
        # Iteration spans (µs) add up to the replicas' busy time (s).
        busy = sum(e["dur"] for e in events if e["ph"] == "X") / 1e6
        self.assertAlmostEqual(busy, sum(r["busy_s"] for r in j["replicas"]), places=3)
        names = {e["name"] for e in events if e["ph"] == "b"}
        self.assertTrue({"queued", "prefill", "kv-transfer", "decode"} <= names)

    def test_requests_csv_has_one_row_per_request(self):
        with tempfile.TemporaryDirectory() as d:
            j, _, rows = self.run_with_outputs(d)
        s = j["summary"]
        self.assertEqual(len(rows), s["requests"])
        self.assertEqual(sorted(int(r["id"]) for r in rows), list(range(s["requests"])))
        done = [r for r in rows if r["status"] == "completed"]
        self.assertEqual(len(done), s["completed"])
        self.assertEqual(len(rows) - len(done), s["rejected"])
        for r in done:
            self.assertLessEqual(float(r["arrival_s"]), float(r["first_token_s"]))
            self.assertLessEqual(float(r["first_token_s"]), float(r["completion_s"]))
        ttft = sum(float(r["first_token_s"]) - float(r["arrival_s"]) for r in done) / len(done)
        self.assertAlmostEqual(ttft, s["ttft_s"]["mean"], places=6)

    def test_timelines_are_deterministic_and_absent_on_failure(self):
        with tempfile.TemporaryDirectory() as d:
            _, t1, r1 = self.run_with_outputs(d)
            _, t2, r2 = self.run_with_outputs(d)
            self.assertEqual(t1, t2)
            self.assertEqual(r1, r2)
            bad = os.path.join(d, "bad.json")
            p = run("simulate", *H100, "--workload", SMALL, "--admission", "nope", "--trace", bad)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(sorted(os.listdir(d)), ["r.csv", "t.json"])  # no bad.json, no temporaries


if __name__ == "__main__":
    unittest.main()
