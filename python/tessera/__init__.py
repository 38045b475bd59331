"""Tessera from Python: the CLI's simulator and catalogs, in process.

    import tessera
    r = tessera.simulate(model="llama-2-70b", hardware="trn1.32xlarge", tp=32,
                         workload="batch:size=4,input=128,output=1024")
    r["summary"]["output_tokens_per_s"]

Every function calls the same planner and report code as the `tessera` binary, so
`simulate` returns the dict of `tessera simulate --json`. Errors raise BadInputError
(a ValueError; the CLI's exit 2) or InfeasibleError (a RuntimeError; exit 3) with the
CLI's one-line message. `tessera.torch` exports PyTorch modules to the graph format.
"""
import json as _json
import os as _os

from . import _tessera
from ._tessera import BadInputError, InfeasibleError

__version__ = _tessera.__version__
__all__ = ["simulate", "collective", "graph", "hardware", "models", "BadInputError", "InfeasibleError"]


def simulate(model, hardware, **options):
    """Simulates serving `model` on `hardware`; returns the result JSON as a dict.

    model: a catalog name ("llama-2-70b"), a Hugging Face config.json, or a
    *.graph.json operator graph (tessera.torch.export writes one).
    options: the `tessera simulate` flags with '_' for '-': tp, pp, ep, dp, lnc,
    weights_dtype, kv_dtype, workload, scheduler, max_batch, max_tokens,
    block_tokens, memory_utilization, expert_imbalance, fidelity, router, seed.
    """
    return _json.loads(_tessera.simulate(_os.fspath(model), _os.fspath(hardware), **options))


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
