#!/usr/bin/python3
"""Reproduces the `estimate` TDP figures of the AWS chips in data/chips/*.yaml.

No AWS Trainium or Inferentia TDP is public (reference/hardware.md §7). Tessera
estimates one by scaling the published TDP of the NVIDIA part of the same
generation twice -- once by BF16 dense peak, once by HBM bandwidth -- and taking
the mean: prefill draws with compute, decode with memory traffic, and inference
does both. Inputs are the catalog's own figures (per-core peak x cores, the HBM
bandwidth each chip file takes). Run: python3 scripts/estimate_chip_power.py
"""
GIB = 1024 ** 3

# name: (TDP W, BF16 dense TFLOPS, HBM bytes/s) -- data/chips/*.yaml
REFERENCES = {
    "a100-sxm-80gb": (400.0, 312.0, 2039e9),   # [V5]
    "h100-sxm": (700.0, 989.5, 3.35e12),       # [V1]
    "b200": (1000.0, 2250.0, 8e12),            # [V10][V3]
}
# chip: (reference of the same generation, BF16 TFLOPS, HBM bytes/s)
CHIPS = {
    "trainium": ("a100-sxm-80gb", 184.0, 820 * GIB),     # 2021-22, 7 nm class
    "inferentia2": ("a100-sxm-80gb", 184.0, 820 * GIB),  # same NeuronCore-v2 and HBM as trainium
    "trainium2": ("h100-sxm", 632.0, 2.9e12),            # 2023-24
    "trainium3": ("b200", 632.0, 4.9e12),                # 2025
}


def estimate(chip):
    ref, tflops, bw = CHIPS[chip]
    tdp, ref_tflops, ref_bw = REFERENCES[ref]
    by_compute = tdp * tflops / ref_tflops
    by_memory = tdp * bw / ref_bw
    return ref, by_compute, by_memory, round((by_compute + by_memory) / 2)


if __name__ == "__main__":
    for chip in CHIPS:
        ref, c, m, w = estimate(chip)
        print(f"{chip:12s} ref {ref:14s} by-compute {c:6.1f} W  by-HBM {m:6.1f} W  -> {w} W")
