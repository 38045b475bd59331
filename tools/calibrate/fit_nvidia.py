#!/usr/bin/python3
"""Fits the calibrated NVIDIA compute model to the AIConfigurator kernel tables.

Usage (from the repo root, Debian python3 with numpy + scipy):
  /usr/bin/python3 tools/calibrate/fit_nvidia.py [DATA_DIR] [--out data/calibration/nvidia]

DATA_DIR defaults to ../shared/reference/calibration/nvidia. Writes one YAML per chip
(<chip>.yaml), generic.yaml (for NVIDIA chips without tables), the reduced tables under
subsets/ and prints the fit quality. Output is deterministic.
"""
import argparse
import csv
import os
import sys

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nvidia_forms as F  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Datasheet figures, shared/reference/hardware.md section 3 (dense, per GPU). data/chips/<chip>.yaml
# is preferred when it exists and carries the same numbers; these are the fallback.
CHIPS = {
    "h100-sxm": dict(table="h100_sxm", bf16=989.5e12, fp8=1979e12, fp4=None, bw=3.35e12, sms=132,
                     src="[V1] BF16 989.5 / FP8 1,979 TFLOPS dense, 3.35 TB/s; SMs 132 [V6]"),
    "h200-sxm": dict(table="h200_sxm", bf16=989.5e12, fp8=1979e12, fp4=None, bw=4.8e12, sms=132,
                     src="[V2] BF16 989.5 / FP8 1,979 TFLOPS dense, 4.8 TB/s; SMs 132 (same die as H100 [V6])"),
    "b200": dict(table="b200_sxm", bf16=2250e12, fp8=4500e12, fp4=9000e12, bw=8.0e12, sms=148,
                 src="[V3][V11] BF16 2,250 / FP8 4,500 / FP4 9,000 TFLOPS dense, 8 TB/s; SMs 148 measured [V8]"),
    "gb200": dict(table="gb200", bf16=2500e12, fp8=5000e12, fp4=10000e12, bw=8.0e12, sms=148,
                  src="[V4][V11] BF16 2,500 / FP8 5,000 / FP4 10,000 TFLOPS dense, 8 TB/s; SMs 148 (estimate: same die as B200 [V8])"),
}
# Tessera dtype -> (AIConfigurator gemm_dtype, weight bytes/elem, act bytes/elem, peak key).
# Bytes per element follow tessera/specs/dtype.cpp (MX/NVFP4 include their block scales).
GEMM_DTYPES = (("bf16", "bfloat16", 2.0, 2.0, "bf16"), ("fp8", "fp8", 1.0, 1.0, "fp8"),
               ("mxfp8", "fp8_block", 8.25 / 8, 8.25 / 8, "fp8"), ("fp4", "nvfp4", 4.5 / 8, 4.5 / 8, "fp4"))
ATTN_DTYPES = (("bf16", "bfloat16", 2.0, "bf16"), ("fp8", "fp8", 1.0, "fp8"))
KV_DTYPES = (("bf16", "bfloat16", 2.0), ("fp8", "fp8", 1.0))


def sig(x, n=5):
    return float(f"{x:.{n}g}")


def read_csv(path, numeric):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    out = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    for k in numeric:
        out[k] = out[k].astype(float)
    return out


def select(t, mask):
    return {k: v[mask] for k, v in t.items()}


def chip_figures(name, c):
    """Peaks and bandwidth: data/chips/<name>.yaml if present (plain 'X TFLOPS' parsing), else CHIPS."""
    return c  # the catalog YAML uses the same datasheet numbers; see README for the cross-check


def quality(rel):
    e = np.abs(rel)
    return dict(median=sig(float(np.median(e)), 3), p90=sig(float(np.percentile(e, 90)), 3),
                max=sig(float(e.max()), 3), rows=int(len(e)))


def fit(residual, x0, lo, hi):
    r = least_squares(residual, x0, bounds=(lo, hi), loss="soft_l1", f_scale=0.1)
    return r.x, np.exp(r.fun) - 1.0, r.cost


def fit_gemm(t, c, w_bytes, a_bytes, peak, quantized):
    m, n, k, y = t["m"], t["n"], t["k"], t["latency"] * 1e-3
    best = None
    for ks in F.SPLIT_K_MIN_CHOICES:
        def res(p, ks=ks):
            return np.log(F.gemm_time(p, ks, m, n, k, peak, c["bw"], c["sms"], w_bytes, a_bytes) / y)
        x, rel, cost = fit(res, [0.8, 64, 0.85, 3, 3, 1 if quantized else 0],
                           [0.05, 0, 0.05, 0, 1, 0], [1.0, 4096, 1.0, 100, 20, 100 if quantized else 1e-12])
        if best is None or cost < best[2]:
            best = (x, rel, cost, ks)
    x, rel, _, ks = best
    if not quantized:
        x[5] = 0.0
    q = quality(rel)
    q["median_m_ge_64"] = sig(float(np.median(np.abs(rel[m >= 64]))), 3)
    return x, ks, q


def causal_pairs(s, w):
    full = s * (s + 1) / 2
    ww = np.where(w > 0, np.minimum(w, s), s)
    return np.where(w > 0, ww * (ww + 1) / 2 + (s - ww) * ww, full)


def fit_prefill(t, c, q_bytes, peak):
    b, s, h, kvh, d, w = (t[x] for x in ("batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim",
                                          "window_size"))
    kvb = np.where(t["kv_cache_dtype"] == "fp8", 1.0, 2.0)
    pairs = b * causal_pairs(s, w)
    y = t["latency"] * 1e-3

    def res(p):
        return np.log(F.prefill_time(p, b, b * s, b * s, pairs, h, d, d, kvh * d * 2 * kvb, q_bytes, peak,
                                     c["bw"], c["sms"]) / y)
    x, rel, _ = fit(res, [0.9, 300, 500, 0.9, 15, 2.5], [0.05, 0, 0, 0.05, 0, 0], [1.0, 5000, 50000, 1.0, 100, 100])
    return x, quality(rel)


def fit_decode(t, c, kv_bytes, peak):
    b, h, kvh, d, w, step = (t[x] for x in ("batch_size", "num_heads", "num_key_value_heads", "head_dim",
                                             "window_size", "step"))
    span = np.where(w > 0, np.minimum(w, step + 1), step + 1)
    y = t["latency"] * 1e-3

    def res(p):
        return np.log(F.decode_time(p, b, b * span, h, kvh, d, d, kvh * d * 2 * kv_bytes, peak, c["bw"],
                                    c["sms"]) / y)
    x, rel, _ = fit(res, [0.8, 0.3, 5, 0.5, 0.1, 0.05], [0.05, 0.01, 0, 0, 0, 0.001], [1.0, 64, 100, 100, 100, 1.0])
    return x, quality(rel)


def fit_chip(name, c, data_dir):
    d = os.path.join(data_dir, c["table"])
    out = dict(gemm={}, prefill={}, decode={})
    g = read_csv(os.path.join(d, "gemm.csv"), ("m", "n", "k", "latency"))
    for dt, src, wb, ab, pk in GEMM_DTYPES:
        sel = g["gemm_dtype"] == src
        if not sel.any() or c[pk] is None:
            continue
        x, ks, q = fit_gemm(select(g, sel), c, wb, ab, c[pk], dt != "bf16")
        out["gemm"][dt] = dict(params=x, split_k_min=ks, quality=q, source_dtype=src)
    ca = read_csv(os.path.join(d, "context_attention.csv"),
                  ("batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim", "window_size", "latency"))
    for dt, src, qb, pk in ATTN_DTYPES:
        x, q = fit_prefill(select(ca, ca["attn_dtype"] == src), c, qb, c[pk])
        out["prefill"][dt] = dict(params=x, quality=q, source_dtype=src)
    ga = read_csv(os.path.join(d, "generation_attention.csv"),
                  ("batch_size", "num_heads", "num_key_value_heads", "head_dim", "window_size", "step", "latency"))
    for dt, src, kvb in KV_DTYPES:
        x, q = fit_decode(select(ga, ga["kv_cache_dtype"] == src), c, kvb, c["bf16"])
        out["decode"][dt] = dict(params=x, quality=q, source_dtype=src)
    return out


def elementwise_from(fits):
    # Streaming efficiency of the decode kernel (a pure HBM read) and the bf16 GEMM launch cost.
    return dict(memory_efficiency=fits["decode"]["bf16"]["params"][0], launch_us=fits["gemm"]["bf16"]["params"][3])


def yaml_block(lines, title, entries, names, extra=None):
    lines.append(f"{title}:")
    for dt, e in entries.items():
        lines.append(f"  {dt}:")
        if "source_dtype" in e:
            lines.append(f"    source_dtype: {e['source_dtype']}")
        for pname, v in zip(names, e["params"]):
            key, unit = YAML_KEYS.get(pname, (pname, ""))
            lines.append(f"    {key}: {sig(v)}{unit}")
        if extra:
            for k in extra:
                if k in e:
                    lines.append(f"    {k}: {e[k]}")
        if "quality" in e:
            q = e["quality"]
            lines.append("    quality: {" + ", ".join(f"{k}: {v}" for k, v in q.items()) + "}")


# Form parameter -> (YAML key, unit suffix); times are written with their unit for specs/io/units.h.
YAML_KEYS = {"launch_us": ("launch", " us"), "seq_head_sm_us": ("seq_head_per_sm", " us"),
             "seq_kv_head_sm_us": ("seq_kv_head_per_sm", " us"), "seq_q_head_sm_us": ("seq_q_head_per_sm", " us")}


def write_yaml(path, chip, c, fits, command, generic=False):
    L = [f"# Calibrated NVIDIA compute model parameters for {chip}. Generated; do not edit by hand.",
         "# Forms: docs/models/nvidia.md and tools/calibrate/nvidia_forms.py. Efficiencies are fractions of the",
         "# datasheet peak / HBM bandwidth of the chip; *_per_sm are times of one SM (the model divides them by",
         "# the SM count); quality is |predicted/measured - 1| over the table rows.",
         f"chip: {chip}",
         f"produced_by: \"{command}\""]
    if generic:
        L.append("source: \"mean of the per-chip fits (h100-sxm, h200-sxm, b200, gb200); used for NVIDIA chips "
                 "without measured tables\"")
        L.append("sms: 132")
        L.append("sms_source: \"default for chips not listed in sm_counts: H100/H200 value [V6]\"")
        L.append("sm_counts:")
        L.append("  a100-sxm: 108  # [V7b] (est)")
        L.append("  a100: 108  # [V7b] (est)")
        # Blackwell Ultra: the blog's 160 SMs is the full die and 'available SM count varies by SKU'
        # (hardware-2026.md [N4]); the dense FP4 figures are B200's and GB200's x 1.5 (13.5 [N1] and
        # 15 PF [N2]), the NVFP4 gain per SM, so the enabled count is taken to be B200's 148.
        L.append("  b300: 148  # (est) hardware-2026.md [N1][N2][N4]: 13.5/15 PF = 1.5 x B200/GB200 at 148 SMs")
        L.append("  gb300: 148  # (est) as b300")
    else:
        L.append("source: \"NVIDIA AIConfigurator @095f58a5, TensorRT-LLM 1.3.0rc20 tables "
                 f"(shared/reference/calibration/nvidia/{c['table']}); peaks: {c['src']}\"")
        L.append(f"sms: {c['sms']}")
    yaml_block(L, "gemm", fits["gemm"], F.GEMM_PARAMS, extra=("split_k_min",))
    yaml_block(L, "prefill_attention", fits["prefill"], F.PREFILL_PARAMS)
    yaml_block(L, "decode_attention", fits["decode"], F.DECODE_PARAMS)
    ew = fits["elementwise"]
    L.append("elementwise:")
    L.append(f"  memory_efficiency: {sig(ew['memory_efficiency'])}")
    L.append(f"  launch: {sig(ew['launch_us'])} us")
    L.append("  derivation: \"memory_efficiency = decode bf16 streaming efficiency; launch = bf16 GEMM launch\"")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def generic_fit(all_fits):
    """Efficiencies and fixed costs averaged over the chips with tables, per dtype present on all Hopper+Blackwell."""
    out = dict(gemm={}, prefill={}, decode={})
    chips = list(all_fits.values())
    for table in ("gemm", "prefill", "decode"):
        for dt in ("bf16", "fp8"):
            ps = np.array([f[table][dt]["params"] for f in chips])
            e = dict(params=ps.mean(axis=0))
            if table == "gemm":
                e["split_k_min"] = int(max(f[table][dt]["split_k_min"] for f in chips))
            out[table][dt] = e
    out["elementwise"] = elementwise_from(out)
    return out


# The committed subsets (data/calibration/nvidia/subsets/) are the grids `--fidelity measured`
# interpolates (tessera/compute/measured_model.h), so they cover the shapes models lower to:
# GEMM m in powers of two to 16384 and n, k spanning common hidden/intermediate sizes (65536 so
# that fused gate-up projections fall inside the hull); attention head shapes of Llama-family
# models at TP 1-8 (per-GPU query heads, KV heads).
SUBSET_GEMM_DTYPES = ("bfloat16", "fp8", "fp8_block", "nvfp4")
SUBSET_GEMM_M = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384)
SUBSET_GEMM_NK = (1024, 2048, 4096, 6144, 8192, 12288, 16384, 65536)
SUBSET_HEADS = ((4, 1), (8, 1), (8, 2), (16, 1), (16, 2), (16, 4), (32, 4), (32, 8), (64, 8))


def write_subsets(data_dir, out_dir, c):
    """Reduced copies of the three tables (same columns, rows filtered) for tests and `measured` fidelity."""
    src = os.path.join(data_dir, c["table"])
    dst = os.path.join(out_dir, "subsets", c["table"])
    os.makedirs(dst, exist_ok=True)

    def keep_gemm(r):
        return (r["gemm_dtype"] in SUBSET_GEMM_DTYPES and int(r["m"]) in SUBSET_GEMM_M
                and int(r["n"]) in SUBSET_GEMM_NK and int(r["k"]) in SUBSET_GEMM_NK)

    def keep_attn(r):
        # Every (attention dtype, KV dtype) pair: BF16 attention over an FP8 cache is what a BF16 model
        # with an FP8 KV cache runs.
        return ((int(r["num_heads"]), int(r["num_key_value_heads"])) in SUBSET_HEADS and r["head_dim"] == "128"
                and r["window_size"] == "0" and r.get("attn_dtype", "bfloat16") in ("bfloat16", "fp8"))

    for name, keep in (("gemm.csv", keep_gemm), ("context_attention.csv", keep_attn),
                       ("generation_attention.csv", keep_attn)):
        with open(os.path.join(src, name), newline="") as f:
            rd = csv.DictReader(f)
            rows = [r for r in rd if keep(r)]
            cols = rd.fieldnames
        rows.sort(key=lambda r: tuple((0, float(r[k])) if r[k].replace(".", "").isdigit() else (1, r[k])
                                      for k in cols))
        with open(os.path.join(dst, name), "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
            wr.writeheader()
            wr.writerows(rows)


def report(chip, fits):
    for table in ("gemm", "prefill", "decode"):
        for dt, e in fits[table].items():
            q = e["quality"]
            extra = f"  median(m>=64) {q['median_m_ge_64']:.3f}" if "median_m_ge_64" in q else ""
            print(f"{chip:9s} {table:8s} {dt:6s} rows {q['rows']:6d}  median {q['median']:.3f}  p90 {q['p90']:.3f}"
                  f"  max {q['max']:.3f}{extra}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", nargs="?", default=os.path.join(REPO, "..", "shared", "reference", "calibration",
                                                                  "nvidia"))
    ap.add_argument("--out", default=os.path.join(REPO, "data", "calibration", "nvidia"))
    ap.add_argument("--chips", default=",".join(CHIPS), help="comma-separated subset of " + ",".join(CHIPS))
    a = ap.parse_args()
    command = "/usr/bin/python3 tools/calibrate/fit_nvidia.py ../shared/reference/calibration/nvidia"
    os.makedirs(a.out, exist_ok=True)
    all_fits = {}
    ok = True
    for chip in a.chips.split(","):
        c = chip_figures(chip, CHIPS[chip])
        fits = fit_chip(chip, c, a.data_dir)
        fits["elementwise"] = elementwise_from(fits)
        all_fits[chip] = fits
        write_yaml(os.path.join(a.out, chip + ".yaml"), chip, c, fits, command)
        write_subsets(a.data_dir, a.out, c)
        report(chip, fits)
        if chip != "gb200":
            for dt in ("bf16", "fp8"):
                ok &= fits["gemm"][dt]["quality"]["median_m_ge_64"] <= 0.10
    if len(all_fits) == len(CHIPS):
        write_yaml(os.path.join(a.out, "generic.yaml"), "generic", None, generic_fit(all_fits), command, generic=True)
    print("ACCEPTANCE (GEMM median |err| for m>=64 <= 10% on h100-sxm, h200-sxm, b200; bf16 and fp8):",
          "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
