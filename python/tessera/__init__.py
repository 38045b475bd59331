"""Tessera from Python: the CLI's simulator and catalogs, in process.

    import tessera
    r = tessera.simulate(model="llama-2-70b", hardware="trn1.32xlarge", tp=32,
                         workload="batch:size=4,input=128,output=1024")
    r["summary"]["output_tokens_per_s"]
    p = tessera.plan(model="llama-3.1-8b", workload="poisson:rate=50,input=1024,output=256,n=100",
                     slo="ttft_p99=2s,tpot_p99=100ms", hardware=["p5.48xlarge"], tp=[1, 2, 8])
    p["cheapest"][0]

Every function calls the same planner and report code as the `tessera` binary, so
`simulate` returns the dict of `tessera simulate --json` and `plan` that of
`tessera plan --json`. Errors raise BadInputError
(a ValueError; the CLI's exit 2) or InfeasibleError (a RuntimeError; exit 3) with the
CLI's one-line message. `tessera.torch` exports PyTorch modules to the graph format.
"""
import json as _json
import os as _os

from . import _tessera
from ._tessera import BadInputError, InfeasibleError

__version__ = _tessera.__version__
__all__ = ["simulate", "plan", "validate", "collective", "graph", "hardware", "models", "BadInputError",
           "InfeasibleError"]


def simulate(model, hardware, **options):
    """Simulates serving `model` on `hardware`; returns the result JSON as a dict.

    model: a catalog name ("llama-2-70b"), a Hugging Face config.json, or a
    *.graph.json operator graph (tessera.torch.export writes one).
    options: the `tessera simulate` flags with '_' for '-': tp, pp, ep, dp, lnc,
    weights_dtype, kv_dtype, workload, scheduler, max_batch, max_tokens,
    block_tokens, memory_utilization, expert_imbalance, fidelity, router, seed,
    and the power and cost options chip_tdp, chip_idle, host_power, pue,
    price_per_hour (USD, or {system: USD}), price_basis, capex_per_system,
    years, usd_per_kwh.
    """
    return _json.loads(_tessera.simulate(_os.fspath(model), _os.fspath(hardware), **options))


def plan(model, workload, slo, **options):
    """SLO-bound capacity search (`tessera plan`); returns the plan JSON as a dict.

    workload: a SPEC with an arrival rate (poisson:..., trace:...); slo: targets such
    as "ttft_p99=2s,tpot_p99=100ms". options: the `tessera plan` flags with '_' for
    '-' (None = not given): hardware, compare, schedulers (a list or "a,b"); tp, pp,
    max_batch (an int, a list or "1,2"); fleet, headroom, weights_dtype, kv_dtype,
    probe_requests, tolerance, threads, top, seed; chip_tdp, chip_idle, host_power
    ("500W"), pue, price_per_hour (USD, "SYSTEM=USD,..." or {"SYSTEM": USD}),
    price_basis, capex_per_system, years, usd_per_kwh.

    The dict equals `json.loads` of `tessera plan --json` with the same options. When
    no deployment meets the SLO it is still returned, with "feasible": 0 and empty
    "cheapest" (where the CLI prints it and exits 3); bad options raise BadInputError,
    and fleet sizing with nothing feasible raises InfeasibleError, as the CLI exits.
    """
    return _json.loads(_tessera.plan(_os.fspath(model), workload, slo, **options))


def validate(set=None, fidelity="auto"):
    """Predictions against the bundled published measurements (`tessera validate --json`).

    Returns a list with one dict per validation set (every set, or the one named):
    each row's measured, predicted and relative error for throughput, TTFT p50 and
    TPOT p50, the per-metric median and max |error|, and the committed gate.
    fidelity: auto, roofline, engine, fitted or measured, for every row.
    """
    return _json.loads(_tessera.validate(set or "", fidelity))


def collective(hardware, op, bytes, ranks):
    """Time of one collective (`tessera collective`): op is all-reduce, all-gather,
    reduce-scatter, all-to-all or send-recv; bytes an int or a size such as "64MiB"."""
    return _json.loads(_tessera.collective(_os.fspath(hardware), op, str(bytes), int(ranks)))


def graph(model):
    """The operator graph (dict, docs/graph-format.md) the plan lowers for `model`."""
    return _json.loads(_tessera.graph(_os.fspath(model)))


def hardware():
    """Catalog system names (`tessera hardware list`)."""
    return list(_tessera.hardware())


def models():
    """Catalog model names (`tessera models list`)."""
    return list(_tessera.models())
