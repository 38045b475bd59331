"""Issue 18: inputs that were accepted but should not be, and outputs people read.

Each bad input exits 2 (3 when infeasible) with one line naming the flag or key and
the value; nothing is written. Each output check reads what a user reads (text
tables, the Perfetto trace) and asserts the property the issue found broken."""
import decimal
import json
import os
import pathlib
import re
import shutil
import tempfile
import time
import unittest

from tessera_cli import SOURCE, run

SIM = ["simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1"]
SMALL_WL = "poisson:rate=4,input=256,output=32,n=40"
PLAN = ["plan", "--model", "llama-3.1-8b", "--workload", "poisson:rate=4,input=512,output=64,n=60", "--slo",
        "ttft_p99=2s,tpot_p99=100ms", "--pp", "1", "--schedulers", "vllm", "--max-batch", "64",
        "--probe-requests", "40"]


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="tessera-harden-"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def bad(self, code, needles, *args, timeout=60):
        start = time.monotonic()
        p = run(*args, timeout=timeout)
        self.assertEqual(p.returncode, code, p.stderr + p.stdout[-2000:])
        err = p.stderr.strip()
        self.assertEqual(len(err.splitlines()), 1, err)
        for n in needles:
            self.assertIn(n, err)
        return p, time.monotonic() - start


class BadInputs(Tmp):
    def test_price_key_typo_simulate(self):
        self.bad(2, ["--price-per-hour", "'p5.48xlage'", "did you mean 'p5.48xlarge'"],
                 *SIM, "--workload", SMALL_WL, "--price-per-hour", "p5.48xlage=3")

    def test_price_key_typo_plan(self):
        self.bad(2, ["--price-per-hour", "'p5.48xlage'", "did you mean 'p5.48xlarge'"],
                 *PLAN, "--hardware", "p5.48xlarge", "--tp", "1", "--price-per-hour", "p5.48xlage=3")

    def test_huge_batch_is_refused_at_once(self):
        # Intent: a typed count may not grow memory without bound; refused before anything runs.
        _, took = self.bad(2, ["--workload", "'size'", "'2000000000'", "limit"],
                           *SIM, "--workload", "batch:size=2000000000,input=8,output=8", timeout=30)
        self.assertLess(took, 10)

    def test_huge_rounds_and_n_are_refused(self):
        self.bad(2, ["'rounds'", "limit"], *SIM, "--workload", "batch:size=1000,input=8,output=8,rounds=1000000")
        self.bad(2, ["'n'", "limit"], *SIM, "--workload", "poisson:rate=1,input=8,output=8,n=99999999999")

    def test_huge_collective_is_refused_at_once(self):
        _, took = self.bad(2, ["--ranks", "'100000000'", "limit"], "collective", "--hardware", "p5.48xlarge",
                           "--op", "all-reduce", "--bytes", "1MiB", "--ranks", "100000000", timeout=30)
        self.assertLess(took, 10)

    def test_trace_with_header_and_no_rows(self):
        trace = self.dir / "empty.csv"
        trace.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\n")
        p, _ = self.bad(2, [str(trace), "no request rows"], *SIM, "--workload", f"trace:{trace}")
        self.assertEqual(p.stdout, "")

    def test_every_request_rejected_prints_no_zeros(self):
        # Intent: prompts longer than the whole KV cache are rejected; with nothing
        # completed the latency figures are null with the reason, never a table of zeros.
        args = [*SIM, "--runtime", "vllm", "--workload", "batch:size=2,input=120000,output=8", "--memory-utilization", "0.3"]
        p = run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(run(*args, "--json", check=True).stdout)["summary"]
        self.assertEqual(j["completed"], 0, j)
        for k in ("ttft_s", "tpot_s", "itl_s", "e2e_s", "queue_s"):
            self.assertIsNone(j[k], k)
        self.assertIn("nothing to summarize", j["no_latency_reason"])
        self.assertIn("latency      none:", p.stdout)
        self.assertNotIn("TTFT ms", p.stdout)

    def test_prompt_over_the_context_is_refused(self):
        # Intent: llama-2-7b has a 4,096-token context; a 32k prompt is refused by any runtime.
        self.bad(2, ["--workload", "llama-2-7b", "context of 4096"], "simulate", "--model", "llama-2-7b",
                 "--hardware", "p5.48xlarge", "--tp", "1", "--workload", "batch:size=2,input=32768,output=128")

    def test_some_trace_rows_over_the_context_are_counted(self):
        trace = self.dir / "t.csv"
        trace.write_text("arrival_s,input_tokens,output_tokens\n0.0,1000,100\n0.1,5000,100\n0.2,3000,1200\n"
                         "0.3,200,20\n")
        args = ["simulate", "--model", "llama-2-7b", "--hardware", "p5.48xlarge", "--tp", "1", "--workload",
                f"trace:{trace}"]
        out = run(*args, check=True).stdout
        self.assertIn("warning: 2 of 4 trace requests need more than llama-2-7b's context of 4096 tokens", out)
        j = json.loads(run(*args, "--json", check=True).stdout)
        self.assertTrue(any(w.startswith("2 of 4 trace requests") for w in j["warnings"]), j["warnings"])
        trace.write_text("arrival_s,input_tokens,output_tokens\n0.0,5000,100\n")
        self.bad(2, ["all 1 trace requests", "context of 4096"], *args)

    def test_empty_slo_and_duplicate_slo_key(self):
        self.bad(2, ["--slo"], *SIM, "--workload", SMALL_WL, "--slo", "")
        self.bad(2, ["--slo", "'ttft_p99'", "twice"], *SIM, "--workload", SMALL_WL, "--slo",
                 "ttft_p99=1s,ttft_p99=2s")

    def test_negative_seed(self):
        self.bad(2, ["--seed", "-1"], *SIM, "--workload", SMALL_WL, "--seed", "-1")

    def test_empty_hardware_item(self):
        self.bad(2, ["--hardware"], *PLAN, "--hardware", "p5.48xlarge,,p4d.24xlarge")

    def test_plan_zero_degree_is_bad_input_not_a_crash(self):
        # Found by the bad-input table: --tp 0 divided by zero (SIGFPE) in the grid.
        self.bad(2, ["--tp", "'0'", ">= 1"], *PLAN, "--hardware", "p5.48xlarge", "--tp", "0")
        self.bad(2, ["--max-batch", "'0'"], *PLAN[:11], *PLAN[13:], "--max-batch", "0", "--hardware", "p5.48xlarge")

    def test_ranks_per_chip_on_gpus(self):
        self.bad(2, ["--ranks-per-chip", "'3'", "GPU"], "collective", "--hardware", "p5.48xlarge", "--op",
                 "all-reduce", "--bytes", "1MiB", "--ranks", "8", "--ranks-per-chip", "3")

    def test_implausible_host_power_flag(self):
        self.bad(2, ["--host-power", "'4600kW'", "implausible"], *SIM, "--workload", SMALL_WL,
                 "--host-power", "4600kW")

    def copied_system(self, name="p5.48xlarge", edit=None):
        text = (SOURCE / "data" / "systems" / f"{name}.yaml").read_text()
        if edit:
            text = edit(text)
        path = self.dir / f"{name}.yaml"
        path.write_text(text)
        return path

    def test_implausible_host_power_in_yaml(self):
        path = self.copied_system(edit=lambda t: t.replace("value: 4600 W", "value: 4600 kW"))
        self.bad(2, [str(path), "host_power", "implausible"], *SIM[:3], "--hardware", str(path), "--tp", "1",
                 "--workload", SMALL_WL)

    def test_copied_system_yaml_finds_its_collective_runtime(self):
        # Intent: `collective_runtime: ../fabrics/x.yaml` resolves against the catalog when
        # the system file is copied elsewhere.
        path = self.copied_system()
        p = run(*SIM[:3], "--hardware", str(path), "--tp", "2", "--workload", SMALL_WL)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_missing_collective_runtime_lists_the_paths_tried(self):
        path = self.copied_system(edit=lambda t: t.replace("nccl-h100-sxm.yaml", "nccl-nope.yaml"))
        self.bad(2, ["collective_runtime", "'../fabrics/nccl-nope.yaml'", "tried",
                     str(self.dir.parent / "fabrics" / "nccl-nope.yaml"), "data/fabrics/nccl-nope.yaml'"],
                 *SIM[:3], "--hardware", str(path), "--tp", "1", "--workload", SMALL_WL)


class Outputs(Tmp):
    def test_out_and_report_on_one_file(self):
        f = self.dir / "x"
        self.bad(2, ["--report", str(f)], *SIM, "--workload", SMALL_WL, "--out", str(f), "--report", str(f))
        self.assertFalse(f.exists())

    def test_plan_writes_nothing_when_it_exits_3(self):
        out, rep = self.dir / "plan.json", self.dir / "plan.html"
        p = run(*PLAN[:6], "ttft_p99=1ms", *PLAN[7:], "--hardware", "p5.48xlarge", "--tp", "1", "--out", str(out),
                "--report", str(rep))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertFalse(out.exists())
        self.assertFalse(rep.exists())
        self.assertIn("not written", p.stderr)

    def test_sweep_bad_csv_path_fails_before_running(self):
        grid = self.dir / "grid.yaml"
        grid.write_text("model: llama-3.1-8b\nhardware: p5.48xlarge\ntp: [1, 2]\n"
                        "workload: poisson:rate=4,input=256,output=32,n=40\n")
        db = self.dir / "r.sqlite"
        self.bad(2, ["--csv", "/nonexistent/x.csv"], "sweep", "--grid", str(grid), "--out", str(db), "--csv",
                 "/nonexistent/x.csv", "--quiet")
        self.assertFalse(db.exists())  # nothing ran

    def test_sweep_grid_workload_without_n(self):
        grid = self.dir / "grid.yaml"
        grid.write_text("model: llama-3.1-8b\nhardware: p5.48xlarge\ntp: 1\n"
                        "workload: poisson:rate=4,input=256,output=32\n")
        db = self.dir / "r.sqlite"
        self.bad(2, [str(grid), "needs key 'n'"], "sweep", "--grid", str(grid), "--out", str(db), "--quiet")
        self.assertFalse(db.exists())


class Text(Tmp):
    def test_hardware_list_columns(self):
        lines = run("hardware", "list", check=True).stdout.splitlines()
        self.assertRegex(lines[0], r"HBM/chip GiB\s{2,}BF16 TF/chip")
        self.assertTrue(lines[0].rstrip().endswith("topology"))
        for line in lines[1:]:
            self.assertRegex(line, r"(single|ring|torus2d|torus2d-rings|switch|two-level-switch) [0-9x]+$", line)

    def test_models_show_numbers_and_keys(self):
        out = run("models", "show", "llama-2-70b", check=True).stdout
        self.assertNotRegex(out, r"\d\.0\b")             # integers print as integers
        self.assertRegex(out, r"params_active_with_embeddings\s+\d+\n")
        self.assertRegex(out, r"(?m)^name\s+llama-2-70b$")  # strings unquoted

    def test_validate_rows_are_whole_and_never_nan(self):
        out = run("validate", check=True).stdout
        self.assertNotIn("nan", out)
        labels = [r["label"] for s in json.loads(run("validate", "--json", check=True).stdout)
                  for r in s["rows"]]
        for label in labels:
            self.assertIn(label + " ", out)

    def test_simulate_counts_chips_and_systems(self):
        out = run(*SIM[:5], "--tp", "8", "--workload", SMALL_WL, check=True).stdout
        self.assertIn("— 8 h100-sxm chips in 1 system,", out)

    def test_plan_table_has_rates_units_and_no_repeated_rows(self):
        # Batch caps 64 and 256 never bind at this load: the deployments that differ only
        # in the cap have the same figures and share a row ("max-batch=64|256").
        args = [*PLAN[:11], "--max-batch", "64,256", *PLAN[13:], "--hardware", "p5.48xlarge,p4d.24xlarge",
                "--tp", "1,2"]
        out = run(*args, check=True).stdout
        header = next(l for l in out.splitlines() if l.strip().startswith("deployment"))
        for col in ("req/s", "out tok/s", "TTFT99 s", "TPOT99 s", "$/M tok", "kWh/M tok"):
            self.assertIn(col, header)
        rows = [l for l in out.splitlines() if re.match(r"\s+\S+ tp=", l)]
        self.assertTrue(rows)
        self.assertIn("max-batch=64|256", out)
        figures = [re.sub(r"max-batch=\S+", "", l) for l in rows]
        for a, b in zip(figures, figures[1:]):
            self.assertNotEqual(a, b)  # no two consecutive rows with the same deployment and figures

    def test_plan_compare_with_fleet_prints_both(self):
        out = run(*PLAN, "--compare", "p5.48xlarge,p4d.24xlarge", "--tp", "1", "--fleet", "chips=64",
                  check=True).stdout
        self.assertIn("best deployment", out)
        self.assertIn("fleet (", out)
        self.assertIn("chips        64", out)

    def test_fleet_requests_per_second_target(self):
        # Intent: a request-rate target is a token target at the workload's output length:
        # 100 req/s x 64 output tokens x 86,400 s = 552,960,000 output tokens per day.
        args = [*PLAN, "--hardware", "p5.48xlarge", "--tp", "1", "--fleet", "requests-per-second=100"]
        f = json.loads(run(*args, "--json", check=True).stdout)["fleet"]
        self.assertEqual(f["target"]["requests_per_s"], 100)
        self.assertEqual(f["target"]["output_tokens_per_request"], 64)
        self.assertEqual(f["target"]["tokens_per_day"], 100 * 64 * 86400)
        self.assertGreaterEqual(f["tokens_per_day"], 100 * 64 * 86400)
        out = run(*args, check=True).stdout
        self.assertIn("target       100 requests/s x 64.0 output tokens per request", out)
        self.bad(2, ["--fleet", "'requests-per-second'", "'-3'"], *PLAN, "--hardware", "p5.48xlarge", "--tp", "1",
                 "--fleet", "requests-per-second=-3")

    def test_perfetto_slices_never_overlap(self):
        trace = self.dir / "t.json"
        run(*SIM, "--workload", "poisson:rate=50,input=300,output=40,n=60", "--trace", str(trace), check=True)
        events = json.loads(trace.read_text(), parse_float=decimal.Decimal)["traceEvents"]
        slices = {}
        for e in events:
            if e.get("ph") == "X":
                slices.setdefault(e["pid"], []).append((e["ts"], e["dur"]))
        self.assertTrue(slices)
        touching = 0
        for spans in slices.values():
            spans.sort()
            for (ts, dur), (nts, _) in zip(spans, spans[1:]):
                self.assertLessEqual(ts + dur, nts, (ts, dur, nts))  # exact decimal arithmetic
                touching += ts + dur == nts
        self.assertGreater(touching, 0)  # back-to-back iterations exist and touch exactly


if __name__ == "__main__":
    unittest.main()
