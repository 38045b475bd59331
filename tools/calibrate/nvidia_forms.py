"""Closed forms of the calibrated NVIDIA compute model (numpy, vectorised).

These are the same formulas as tessera/compute/nvidia_model.cpp; keep the two in step.
Every time is a physical quantity (FLOPs, bytes, CTAs) divided by a datasheet rate
and a fitted efficiency, plus fitted fixed costs.
"""
import numpy as np

# CTA tiles (rows of X, columns of W) a Hopper/Blackwell GEMM library chooses between;
# the model takes the fastest, as the library's heuristics aim to.
GEMM_TILES = ((64, 128), (64, 256), (128, 128), (128, 256))
# Split-K granularity candidates (k elements per split at least this); fitted per chip x dtype.
SPLIT_K_MIN_CHOICES = (512, 1024, 2048)
# Flash-decoding splits the KV of one sequence into chunks of this many tokens.
DECODE_KV_CHUNK = 1024

GEMM_PARAMS = ("compute_efficiency", "tile_overhead_k", "memory_efficiency", "launch_us", "blend",
               "act_quant_bytes")
PREFILL_PARAMS = ("compute_efficiency", "softmax_flops_per_score", "kv_fill_tokens", "memory_efficiency",
                  "launch_us", "seq_head_sm_us")
DECODE_PARAMS = ("memory_efficiency", "ctas_per_sm", "launch_us", "seq_kv_head_sm_us", "seq_q_head_sm_us",
                 "compute_efficiency")


def _ceil(a, b):
    return np.ceil(a / b)


def gemm_time(p, split_k_min, m, n, k, peak, bw, sms, w_bytes, a_bytes, count=1.0):
    ec, k0, em, t0_us, blend, q = p
    tc = None
    for tm, tn in GEMM_TILES:
        ctas = _ceil(m, tm) * _ceil(n, tn) * count
        split = np.maximum(1.0, np.minimum(np.floor(sms / ctas), np.floor(k / split_k_min)))
        waves = _ceil(ctas * split, sms)
        t = waves * 2.0 * tm * tn * (k / split + k0) / (peak / sms * ec)
        tc = t if tc is None else np.minimum(tc, t)
    mem = count * (w_bytes * k * n + a_bytes * (m * k + m * n)) / (bw * em)
    return (tc ** blend + mem ** blend) ** (1.0 / blend) + t0_us * 1e-6 + q * count * m * k / bw


def prefill_span(seqs, q_tokens, kv_tokens, pairs):
    """Keys the longest query row of a sequence sees: the KV length for causal attention,
    the window when a sliding window cuts the score pairs below the causal count. Short
    spans leave the K/V pipeline of a FlashAttention tile unfilled."""
    sq = q_tokens / seqs
    causal = seqs * (sq * (kv_tokens / seqs - sq) + sq * (sq + 1) / 2)
    return np.where(pairs < 0.99 * causal, pairs / q_tokens, kv_tokens / seqs)


def prefill_time(p, seqs, q_tokens, kv_tokens, pairs, heads, d_qk, d_v, kv_bytes_per_token, q_bytes,
                 peak, bw, sms):
    ec, csm, fill, em, t0_us, c_sh = p
    span = prefill_span(seqs, q_tokens, kv_tokens, pairs)
    tc = heads * pairs * (2.0 * (d_qk + d_v) + csm) / (peak * ec) * (1.0 + fill / span)
    by = q_tokens * heads * (d_qk + d_v) * q_bytes + kv_tokens * kv_bytes_per_token
    return tc + by / (bw * em) + t0_us * 1e-6 + seqs * heads * c_sh * 1e-6 / sms


def decode_time(p, seqs, kv_tokens, heads, kv_heads, d_qk, d_v, kv_bytes_per_token, peak, bw, sms):
    em, occ, t0_us, c_kv, c_q, ec = p
    span = kv_tokens / seqs
    by = kv_tokens * kv_bytes_per_token + seqs * heads * (d_qk + d_v) * 2.0
    units = seqs * kv_heads * _ceil(span, DECODE_KV_CHUNK)
    mem = by / (bw * em) / np.minimum(1.0, units / (sms * occ))
    comp = heads * kv_tokens * 2.0 * (d_qk + d_v) / (peak * ec)
    return np.maximum(mem, comp) + t0_us * 1e-6 + seqs * (kv_heads * c_kv + heads * c_q) * 1e-6 / sms
