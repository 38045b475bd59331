#!/usr/bin/env python3
"""The figures examples/README.md quotes, computed from each example script's JSON.

    python3 examples/figures.py            print every block as the README should hold it
    python3 examples/figures.py --write    rewrite the README's generated blocks in place

Each example's block sits in the README between `<!-- figures: NAME.sh -->` and
`<!-- end figures -->`. The integration tests that run the examples (test_plan.py class
Examples, test_examples_simulate.py) render the block from their own run and compare it
with the README's exactly, so a quoted figure that no longer matches fails a test:
re-run this script with --write after a model change and review the diff.

Environment: TESSERA (the binary; default build/tessera) and TRACE as in common.sh.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
README = HERE / "README.md"
BEGIN = "<!-- figures: {} -->"
END = "<!-- end figures -->"


def sig(v, digits=3):
    """v to `digits` significant figures, without exponent for everyday magnitudes."""
    if v is None:
        return "unknown"
    if v == 0:
        return "0"
    text = f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} × 10^{int(exp)}"
    return text


def count(v):
    return f"{int(v):,}"


def run_json(script, extra_env=None):
    """Runs examples/<script> --json; returns its JSON documents (one per run)."""
    env = dict(os.environ)
    env.setdefault("TESSERA", str(HERE.parent / "build" / "tessera"))
    env.update(extra_env or {})
    p = subprocess.run(["bash", str(HERE / script), "--json"], capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"examples/{script} exited {p.returncode}: {p.stderr.strip()}")
    docs, dec, text, i = [], json.JSONDecoder(), p.stdout, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


def _summary(docs, hardware):
    for d in docs:
        if d["inputs"]["hardware"]["name"] == hardware:
            return d["summary"]
    raise KeyError(hardware)


def _entry(doc, hardware):
    for e in doc["comparison"]["entries"]:
        if e["hardware"] == hardware:
            return e
    raise KeyError(hardware)


def trn3_vs_h100(docs):
    h100, trn3 = _entry(docs[0], "p5.48xlarge"), _entry(docs[0], "trn3-ultraserver-144")
    d = h100["deployment"]
    return [
        ("p5.48xlarge cheapest deployment under the SLO", f"tp={d['tp']} dp={d['dp']}"),
        ("p5.48xlarge cost", f"${sig(h100['cost_usd_per_million_output_tokens'])} per million output tokens"),
        ("trn3-ultraserver-144 cost", "unknown (no public price)"
         if trn3["cost_usd_per_million_output_tokens"] is None else sig(trn3["cost_usd_per_million_output_tokens"])),
        ("trn3-ultraserver-144 break-even price", f"${sig(trn3['break_even_usd_per_system_hour'])} per system-hour"),
        ("energy, p5.48xlarge / trn3-ultraserver-144",
         f"{sig(h100['kwh_per_million_output_tokens'])} / {sig(trn3['kwh_per_million_output_tokens'])} kWh per "
         "million output tokens"),
    ]


def fleet(docs):
    f = docs[0]["fleet"]
    return [
        ("chips", count(f["chips"])),
        ("systems", count(f["systems"])),
        ("facility power", f"{sig(f['power_w'] / 1e9)} GW"),
        ("output tokens per day", sig(f["tokens_per_day"])),
        ("cost per day", "unknown (no public price)" if f["cost_usd_per_day"] is None
         else f"${sig(f['cost_usd_per_day'])}"),
    ]


def torus_vs_mesh_plan(docs):
    out = []
    for hw in ("trn2-ultraserver", "trn3-ultraserver-64"):
        e = _entry(docs[0], hw)
        d = e["deployment"]
        out.append((f"{hw} best deployment", f"tp={d['tp']} dp={d['dp']}"))
        out.append((f"{hw} output tokens/s per chip", sig(d["output_tokens_per_s_per_chip"])))
        out.append((f"{hw} energy", f"{sig(e['kwh_per_million_output_tokens'])} kWh per million output tokens"))
    return out


def migrate(docs):
    p5, trn2 = _summary(docs, "p5.48xlarge"), _summary(docs, "trn2.48xlarge")
    even = p5["cost_usd_per_million_output_tokens"] * 1e-6 * trn2["output_tokens_per_s"] * 3600
    return [
        ("SLO met, p5.48xlarge / trn2.48xlarge",
         f"{sig(100 * p5['slo']['attained_fraction'])}% / {sig(100 * trn2['slo']['attained_fraction'])}% of requests"),
        ("p99 TPOT, p5.48xlarge / trn2.48xlarge",
         f"{sig(p5['tpot_s']['p99'] * 1e3)} ms / {sig(trn2['tpot_s']['p99'] * 1e3)} ms"),
        ("p5.48xlarge cost", f"${sig(p5['cost_usd_per_million_output_tokens'])} per million output tokens"),
        ("trn2.48xlarge break-even price (p5's $/M tokens x trn2's output tokens/s)",
         f"${sig(even)} per instance-hour"),
    ]


def moe(docs):
    gb, t3 = _summary(docs, "gb200-nvl72"), _summary(docs, "trn3-ultraserver-144")
    return [
        ("SLO met, gb200-nvl72 / trn3-ultraserver-144",
         f"{sig(100 * gb['slo']['attained_fraction'])}% / {sig(100 * t3['slo']['attained_fraction'])}% of requests"),
        ("p99 TPOT, gb200-nvl72 / trn3-ultraserver-144",
         f"{sig(gb['tpot_s']['p99'] * 1e3)} ms / {sig(t3['tpot_s']['p99'] * 1e3)} ms"),
        ("energy, gb200-nvl72 / trn3-ultraserver-144",
         f"{sig(gb['energy_j_per_output_token'])} / {sig(t3['energy_j_per_output_token'])} J per output token"),
    ]


def torus_vs_mesh_simulate(docs):
    torus, mesh = _summary(docs, "trn2-ultraserver"), _summary(docs, "trn3-ultraserver-64")
    return [
        ("collectives' share of busy time, trn2-ultraserver / trn3-ultraserver-64",
         f"{sig(100 * torus['collective_share'])}% / {sig(100 * mesh['collective_share'])}%"),
        ("p99 TPOT, trn2-ultraserver / trn3-ultraserver-64",
         f"{sig(torus['tpot_s']['p99'] * 1e3)} ms / {sig(mesh['tpot_s']['p99'] * 1e3)} ms"),
        ("SLO met, trn2-ultraserver / trn3-ultraserver-64",
         f"{sig(100 * torus['slo']['attained_fraction'])}% / {sig(100 * mesh['slo']['attained_fraction'])}% of "
         "requests"),
    ]


EXAMPLES = {
    "trn3-vs-h100.sh": trn3_vs_h100,
    "trn3-2gw.sh": fleet,
    "trn2-1m-chips.sh": fleet,
    "trn2-torus-vs-trn3-mesh.sh": torus_vs_mesh_plan,
    "migrate-p5-to-trn2.sh": migrate,
    "moe-nvl72-vs-trn3-144.sh": moe,
    "torus-vs-mesh-simulate.sh": torus_vs_mesh_simulate,
}


def render(script, docs):
    """The README block (markers included) for `script` given its JSON documents."""
    lines = [BEGIN.format(script)]
    lines += [f"- {label}: **{value}**" for label, value in EXAMPLES[script](docs)]
    lines.append(END)
    return "\n".join(lines)


def readme_block(script, text=None):
    text = README.read_text() if text is None else text
    m = re.search(re.escape(BEGIN.format(script)) + r".*?" + re.escape(END), text, re.S)
    return m.group(0) if m else None


def main(argv):
    write = "--write" in argv
    text = README.read_text()
    for script in EXAMPLES:
        block = render(script, run_json(script))
        if not write:
            print(block)
            continue
        old = readme_block(script, text)
        if old is None:
            sys.exit(f"examples/README.md has no block '{BEGIN.format(script)}'")
        text = text.replace(old, block)
    if write:
        README.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1:])
