"""End-to-end `tessera sweep`: the SQLite `runs` table and CSV, agreement with
`simulate`, resume, thread-count determinism, failed runs as rows, bad grids."""
import csv
import json
import os
import pathlib
import sqlite3
import tempfile
import unittest

from tessera_cli import run, simulate_json

GRID = """\
model: llama-3.2-1b
hardware: p5.48xlarge
tp: [1, 2]
dp: 2
workload: ["poisson:rate=40,input=64,output=16,n=30", "batch:size=3,input=32,output=8"]
seed: [1, 2]
"""


def rows(db):
    with sqlite3.connect(db) as c:
        c.row_factory = sqlite3.Row
        return [dict(r) for r in c.execute("SELECT * FROM runs ORDER BY grid_index")]


class Sweep(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = pathlib.Path(self.tmp.name)
        self.grid = self.dir / "grid.yaml"
        self.grid.write_text(GRID)

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *extra, grid=None, out="r.sqlite", check=True):
        return run("sweep", "--grid", grid or self.grid, "--out", self.dir / out, *extra, check=check)

    def test_run_with_nothing_completed_stores_null_latencies(self):
        # Intent: a point where every request is rejected (prompts larger than the KV cache) stores NULL
        # latencies, never zeros that read as an infinitely fast server.
        grid = self.dir / "rejected.yaml"
        grid.write_text("model: llama-3.1-8b\nhardware: p5.48xlarge\ntp: 1\nruntime: vllm\n"
                        "memory-utilization: 0.3\nworkload: batch:size=2,input=120000,output=8\n")
        self.sweep(grid=grid)
        (x,) = rows(self.dir / "r.sqlite")
        self.assertEqual(x["completed"], 0)
        for k in ("ttft_p99_s", "tpot_mean_s", "e2e_max_s"):
            self.assertIsNone(x[k], k)

    def test_one_row_per_run_with_inputs_and_metrics_matching_simulate(self):
        # Intent: the product of the grid, every input and summary metric as a column,
        # and each row equal to what `simulate` reports for the same options.
        p = self.sweep("--csv", self.dir / "r.csv", "--jobs", "2")
        self.assertIn("sweep: 8 runs (0 failed)", p.stderr)
        r = rows(self.dir / "r.sqlite")
        self.assertEqual([x["grid_index"] for x in r], list(range(8)))
        self.assertEqual({(x["tp"], x["seed"]) for x in r}, {(1, 1), (1, 2), (2, 1), (2, 2)})
        self.assertTrue(all(x["status"] == "ok" for x in r))
        x = r[5]  # tp=2, the poisson workload... order: tp, workload, seed (last fastest)
        self.assertEqual((x["tp"], x["workload"], x["seed"]), (2, "poisson:rate=40,input=64,output=16,n=30", 2))
        j = simulate_json("--model", "llama-3.2-1b", "--hardware", "p5.48xlarge", "--tp", "2", "--dp", "2",
                          "--workload", x["workload"], "--seed", "2")["summary"]
        self.assertEqual(x["completed"], j["completed"])
        self.assertEqual(x["chips"], j["chips"])
        self.assertAlmostEqual(x["ttft_p99_s"], j["ttft_s"]["p99"], delta=1e-9 * max(1, j["ttft_s"]["p99"]))
        self.assertAlmostEqual(x["output_tokens_per_s"], j["output_tokens_per_s"],
                               delta=1e-9 * j["output_tokens_per_s"])
        with open(self.dir / "r.csv", newline="") as f:
            c = list(csv.DictReader(f))
        self.assertEqual(len(c), 8)
        self.assertEqual(c[5]["seed"], "2")
        self.assertEqual(float(c[5]["ttft_p99_s"]), x["ttft_p99_s"])

    def test_one_thread_and_two_give_identical_csv(self):
        # Intent: determinism across thread counts (rows sorted by grid index).
        self.sweep("--jobs", "1", "--csv", self.dir / "a.csv", out="a.sqlite")
        self.sweep("--jobs", "2", "--csv", self.dir / "b.csv", out="b.sqlite")
        self.assertEqual((self.dir / "a.csv").read_bytes(), (self.dir / "b.csv").read_bytes())

    def test_rerun_skips_runs_already_in_the_file(self):
        # Intent: resumable. A grown grid runs only its new points; the file keeps the old rows.
        self.sweep("--jobs", "2")
        before = rows(self.dir / "r.sqlite")
        p = self.sweep("--jobs", "2")
        self.assertIn("sweep: 0 runs (0 failed), 8 already in", p.stderr)
        self.grid.write_text(GRID.replace("seed: [1, 2]", "seed: [1, 2, 3]"))
        p = self.sweep("--jobs", "2", "--csv", self.dir / "r.csv")
        self.assertIn("sweep: 4 runs (0 failed), 8 already in", p.stderr)
        after = rows(self.dir / "r.sqlite")
        self.assertEqual(len(after), 12)
        old = {x["key"]: x for x in before}
        for x in after:
            if x["key"] in old:
                self.assertEqual(x["ttft_mean_s"], old[x["key"]]["ttft_mean_s"])
        self.assertEqual(len((self.dir / "r.csv").read_text().splitlines()), 13)

    def test_infeasible_runs_are_rows_not_aborts(self):
        # Intent: a deployment that does not fit is an answer: status and message in its row.
        self.grid.write_text("model: llama-3-70b\nhardware: p5.48xlarge\ntp: [1, 8]\n"
                             "workload: batch:size=1,input=16,output=2\n")
        p = self.sweep()
        self.assertEqual(p.returncode, 0, p.stderr)
        r = rows(self.dir / "r.sqlite")
        self.assertEqual(r[0]["status"], "infeasible")
        self.assertTrue(r[0]["error"])
        self.assertIsNone(r[0]["ttft_p99_s"])
        self.assertEqual(r[1]["status"], "ok")

    def test_explicit_points_cross_the_product(self):
        # Intent: `points:` lists combinations that go together (sarathi with its chunk size).
        self.grid.write_text("model: llama-3.2-1b\nhardware: p5.48xlarge\n"
                             "workload: poisson:rate=20,input=64,output=8,n=10\ntp: [1, 2]\n"
                             "points:\n  - {scheduler: vllm}\n  - {scheduler: sarathi, chunk-tokens: 256}\n")
        self.sweep()
        r = rows(self.dir / "r.sqlite")
        self.assertEqual([(x["scheduler"], x["chunk_tokens"], x["tp"]) for x in r],
                         [("vllm", None, 1), ("vllm", None, 2), ("sarathi", 256, 1), ("sarathi", 256, 2)])

    def test_bad_grids_exit_2_naming_file_key_and_value(self):
        # Intent: bad input fails before any run, with one line naming the file, key and value;
        # no results file is left behind.
        cases = [
            ("model: llama-3.2-1b\nhardware: p5.48xlarge\ntpp: [1, 2]\n", ["grid.yaml:3", "tpp", "did you mean 'tp'"]),
            ("model: llama-3.2-1b\nhardware: p5.48xlarge\ntp: [1, x]\n", ["grid.yaml", "run 1", "tp=x"]),
            ("model: llama-3.2-1bb\nhardware: p5.48xlarge\n", ["grid.yaml", "llama-3.2-1bb", "did you mean"]),
            ("model: llama-3.2-1b\nhardware: p5.48xlarge\nweights-dtype: fp9\n", ["fp9", "--weights-dtype"]),
            ("model: llama-3.2-1b\nhardware: p5.48xlarge\nout: x.json\n", ["'out'", "not sweepable"]),
        ]
        for text, needles in cases:
            self.grid.write_text(text)
            p = self.sweep(check=False)
            self.assertEqual(p.returncode, 2, text + p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            for n in needles:
                self.assertIn(n, p.stderr)
            self.assertFalse((self.dir / "r.sqlite").exists())
        p = run("sweep", "--grid", self.dir / "missing.yaml", "--out", self.dir / "r.sqlite")
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.yaml", p.stderr)


if __name__ == "__main__":
    unittest.main()
