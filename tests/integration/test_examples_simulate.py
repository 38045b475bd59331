"""The simulate examples in examples/ (migrate-p5-to-trn2.sh, moe-nvl72-vs-trn3-144.sh,
torus-vs-mesh-simulate.sh) run as a new user would run them, and their headlines in
examples/README.md hold, within the ranges below, about half to twice each quoted figure (the figures quoted there were
measured when the examples were written; the models are refined over time)."""
import json
import os
import subprocess
import unittest

from tessera_cli import BIN, SOURCE


def run_example(name):
    env = dict(os.environ, TESSERA=BIN)
    p = subprocess.run(["bash", str(SOURCE / "examples" / name), "--json"], capture_output=True, text=True,
                       env=env, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"examples/{name} exited {p.returncode}: {p.stderr}")
    docs, dec, text = [], json.JSONDecoder(), p.stdout
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


def summary_of(docs, hardware):
    for d in docs:
        if d["inputs"]["hardware"]["name"] == hardware:
            return d["summary"]
    raise AssertionError(f"no run on {hardware}")


class SimulateExamples(unittest.TestCase):
    def test_readme_lists_them(self):
        readme = (SOURCE / "examples" / "README.md").read_text()
        for name in ("migrate-p5-to-trn2.sh", "moe-nvl72-vs-trn3-144.sh", "torus-vs-mesh-simulate.sh"):
            self.assertIn(name, readme)

    def test_migrate_p5_to_trn2(self):
        docs = run_example("migrate-p5-to-trn2.sh")
        p5, trn2 = summary_of(docs, "p5.48xlarge"), summary_of(docs, "trn2.48xlarge")
        for s in (p5, trn2):
            self.assertEqual(s["completed"], 300)
            self.assertEqual(s["slo"]["attained_fraction"], 1.0)  # both serve the load within the SLO
        self.assertEqual((p5["chips"], trn2["chips"]), (8, 16))
        self.assertTrue(0.008 <= p5["tpot_s"]["p99"] <= 0.032, p5["tpot_s"])    # README: ~16 ms
        self.assertTrue(0.030 <= trn2["tpot_s"]["p99"] <= 0.120, trn2["tpot_s"])  # README: ~60 ms
        self.assertTrue(8 <= p5["cost_usd_per_million_output_tokens"] <= 31)      # README: ~$15.5
        self.assertIsNone(trn2["cost_usd_per_million_output_tokens"])              # no public trn2 price
        # Break-even: the $/h at which trn2 matches p5's $/M output tokens at this load.
        even = p5["cost_usd_per_million_output_tokens"] * 1e-6 * trn2["output_tokens_per_s"] * 3600
        self.assertTrue(26 <= even <= 104, even)                                     # README: ~$52/h

    def test_moe_nvl72_vs_trn3_144(self):
        docs = run_example("moe-nvl72-vs-trn3-144.sh")
        gb, t3 = summary_of(docs, "gb200-nvl72"), summary_of(docs, "trn3-ultraserver-144")
        self.assertEqual((gb["chips"], t3["chips"]), (72, 144))
        for s in (gb, t3):
            self.assertEqual(s["completed"], 1500)
            self.assertEqual(s["slo"]["attained_fraction"], 1.0)
            self.assertIsNone(s["cost_usd_per_million_output_tokens"])  # neither has a public price
            self.assertTrue(5 <= s["energy_j_per_output_token"] <= 20, s)  # README: ~10 J per token both
        self.assertTrue(0.009 <= gb["tpot_s"]["p99"] <= 0.038, gb["tpot_s"])   # README: ~19 ms
        self.assertTrue(0.018 <= t3["tpot_s"]["p99"] <= 0.075, t3["tpot_s"])   # README: ~36 ms
        self.assertLess(gb["tpot_s"]["p99"], t3["tpot_s"]["p99"])

    def test_torus_vs_mesh(self):
        docs = run_example("torus-vs-mesh-simulate.sh")
        torus, mesh = summary_of(docs, "trn2-ultraserver"), summary_of(docs, "trn3-ultraserver-64")
        self.assertEqual((torus["chips"], mesh["chips"]), (64, 64))
        self.assertTrue(0.35 <= torus["collective_share"] <= 0.70, torus["collective_share"])  # README: 51%
        self.assertTrue(0.15 <= mesh["collective_share"] <= 0.40, mesh["collective_share"])    # README: 27%
        self.assertLess(mesh["tpot_s"]["p99"], torus["tpot_s"]["p99"])
        self.assertLess(torus["slo"]["attained_fraction"], mesh["slo"]["attained_fraction"])


if __name__ == "__main__":
    unittest.main()
