#!/usr/bin/python3
"""Reproduces the `estimate` TDP figures of the AWS chips in data/chips/*.yaml.

No AWS Trainium or Inferentia TDP is public (reference/hardware.md §7). Tessera
estimates one by scaling the published TDP of the NVIDIA part of the same
generation twice -- once by tensor throughput, once by HBM bandwidth -- and taking
the mean: prefill draws with compute, decode with memory traffic, and inference
does both.

Tensor throughput is each part's fastest dense floating-point rate at 8 bits or
more (FP8/MXFP8 where the part has it, else BF16): that is the array each chip was
built around, and power follows the array that was built. (Scaling by BF16 alone
ranked Trainium3 -- whose MX array runs 4x its BF16 rate -- against Blackwell's
BF16 and put it below Trainium2; docs/models/trainium3.md.) 4-bit rates are left
out: Trainium3's MXFP4 runs at its MXFP8 rate, B200's FP4 at twice its FP8.
Inputs are the catalog's own figures. Run: python3 scripts/estimate_chip_power.py
"""
GIB = 1024 ** 3

# name: (TDP W, fastest dense float TFLOPS at >= 8 bits, HBM bytes/s) -- data/chips/*.yaml
REFERENCES = {
    "a100-sxm-80gb": (400.0, 312.0, 2039e9),   # [V5]; BF16 (no FP8)
    "h100-sxm": (700.0, 1979.0, 3.35e12),      # [V1]; FP8 dense
    "b200": (1000.0, 4500.0, 8e12),            # [V10][V3]; FP8 dense
}
# chip: (reference of the same generation, fastest dense float TFLOPS at >= 8 bits, HBM bytes/s)
CHIPS = {
    "trainium": ("a100-sxm-80gb", 184.0, 820 * GIB),     # 2021-22; cFP8 = BF16 rate
    "inferentia2": ("a100-sxm-80gb", 184.0, 820 * GIB),  # same NeuronCore-v2 and HBM as trainium
    "trainium2": ("h100-sxm", 1264.0, 2.9e12),           # 2023-24; FP8 double-row
    "trainium3": ("b200", 2520.0, 4.9e12),               # 2025; MXFP8
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
