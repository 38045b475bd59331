"""PyTorch front end: trace an nn.Module with torch.fx and write Tessera's operator graph.

    import tessera.torch
    tessera.torch.export(model, (input_ids,), "toy.graph.json")
    tessera.torch.estimate(model, (input_ids,), hardware="trn2.48xlarge", tp=8)

Recognised: nn.Linear, nn.Embedding, norms (nn.LayerNorm, nn.RMSNorm, any module whose
class name ends in "Norm"), activations (SiLU/GELU/ReLU/Tanh/Sigmoid modules and
functions; act(a) * b becomes a gated activation), residual adds and element-wise math,
attention as F.scaled_dot_product_attention (torch >= 2.0: Debian's python3-torch 1.13
lacks it) or matmul -> softmax -> matmul (scale and
mask folded in; a mask makes it causal; element-wise math between the q/k projections
and attention is RoPE). Shape-only work (view, transpose, expand, dropout, ...) and
anything computed from no input data (rotary tables, masks) is free. Any other op is
named in UnsupportedOpError: nothing is dropped silently. A model torch.fx cannot trace
(shape unpacking, torch.arange of a traced length) raises UnsupportedModelError naming
the module, the line and the fix.

Layers of a ModuleList (`layers.0`, `layers.1`, ...) with the same ops collapse into one
block with a repeat count; what follows the last layer runs on the sampled position of
each sequence (docs/graph-format.md).
"""
import json
import operator
import os
import re
import tempfile

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

__all__ = ["export", "estimate", "to_graph", "UnsupportedOpError", "UnsupportedModelError"]


class UnsupportedOpError(ValueError):
    """Raised with the list of ops the exporter cannot map."""


class UnsupportedModelError(ValueError):
    """Raised when torch.fx cannot trace the model (or run it on the example inputs):
    names the module and the line that failed, and how to fix the model."""


_TRACE_FIX = ("torch.fx traces with symbolic shapes: a shape cannot be unpacked (`b, s = x.shape`), drive Python "
              "control flow, or size a factory call such as torch.arange. Fix: read sizes one at a time "
              "(`x.size(1)`) where only views use them, and build position ids or masks outside forward (an extra "
              "input or a registered buffer), or wrap such a helper in torch.fx.wrap")


def _user_frame(exc):
    """The innermost traceback frame outside torch and this module: the model's own line."""
    import traceback
    here = os.path.abspath(__file__)
    torch_dir = os.path.dirname(os.path.abspath(torch.__file__))
    frame = None
    for f in traceback.extract_tb(exc.__traceback__):
        path = os.path.abspath(f.filename)
        if path != here and not path.startswith(torch_dir):
            frame = f
    return frame


def _model_error(module, scope, stage, exc):
    f = _user_frame(exc)
    where = f" at {os.path.basename(f.filename)}:{f.lineno} `{(f.line or '').strip()}`" if f else ""
    owner = f"module '{scope}'" if scope else f"the top-level {type(module).__name__}"
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].split(". ")[0].rstrip(".")
    fix = _TRACE_FIX if stage == "trace" else (
        "Fix: pass example inputs of the dtype and shape forward expects (token ids: a torch.long tensor)")
    return UnsupportedModelError(f"tessera.torch: torch.fx cannot {stage} {type(module).__name__}: in {owner}{where}: "
                                 f"{type(exc).__name__}: {first}. {fix}")


_ACT_MODULES = {nn.SiLU: "silu", nn.GELU: "gelu", nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
_ACT_FUNCS = {F.silu: "silu", F.gelu: "gelu", F.relu: "relu", torch.relu: "relu", torch.tanh: "tanh",
              torch.sigmoid: "sigmoid", F.sigmoid if hasattr(F, "sigmoid") else torch.sigmoid: "sigmoid"}
_ACT_METHODS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}
_FREE_FUNCS = {torch.reshape, torch.transpose, torch.permute, torch.flatten, torch.unsqueeze, torch.squeeze,
               F.dropout, torch.repeat_interleave, getattr, operator.getitem}
_FREE_METHODS = {"view", "reshape", "transpose", "permute", "contiguous", "flatten", "unsqueeze", "squeeze",
                 "expand", "expand_as", "to", "float", "half", "bfloat16", "type_as", "type", "clone", "repeat",
                 "repeat_interleave", "size", "dim", "chunk", "split"}
_ELTWISE = {operator.add: "add", operator.sub: "sub", operator.mul: "mul", operator.truediv: "div",
            operator.neg: "neg", operator.pow: "pow", torch.add: "add", torch.sub: "sub", torch.mul: "mul",
            torch.div: "div", torch.neg: "neg", torch.pow: "pow", torch.rsqrt: "rsqrt", torch.sqrt: "sqrt",
            torch.exp: "exp", torch.cat: "cat", torch.clamp: "clamp", torch.where: "where"}
_ELTWISE_METHODS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "neg": "neg", "pow": "pow",
                    "rsqrt": "rsqrt", "sqrt": "sqrt", "exp": "exp", "clamp": "clamp", "masked_fill": "masked_fill"}
_MATMULS = {torch.matmul, operator.matmul, torch.bmm}
_SOFTMAX = {F.softmax, torch.softmax}
_SDPA = getattr(F, "scaled_dot_product_attention", None)
_DTYPES = {torch.float32: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}


def _is_norm_module(m):
    return isinstance(m, nn.LayerNorm) or type(m).__name__.endswith("Norm")


class _Tracer(torch.fx.Tracer):
    """Keeps norms as leaves and records the module path each node was created in."""

    def __init__(self):
        super().__init__()
        self.scope = ""
        self.failed_scope = None  # the innermost module being traced when tracing failed

    def is_leaf_module(self, m, qualname):
        return _is_norm_module(m) or super().is_leaf_module(m, qualname)

    def call_module(self, m, forward, args, kwargs):
        outer, self.scope = self.scope, self.path_of_module(m)
        try:
            return super().call_module(m, forward, args, kwargs)
        except Exception:
            if self.failed_scope is None:
                self.failed_scope = self.scope
            raise
        finally:
            self.scope = outer

    def create_node(self, *args, **kwargs):
        node = super().create_node(*args, **kwargs)
        node.meta["scope"] = self.scope
        return node


def _kind(node, modules):
    """('linear'|'embedding'|'norm'|'act'|'free'|'eltwise'|'matmul'|'softmax'|'sdpa'|'io'|'unknown', detail)."""
    op, t = node.op, node.target
    if op in ("placeholder", "output", "get_attr"):
        return "io", None
    if op == "call_module":
        m = modules[t]
        if isinstance(m, nn.Linear):
            return "linear", m
        if isinstance(m, nn.Embedding):
            return "embedding", m
        if _is_norm_module(m):
            return "norm", m
        for cls, fn in _ACT_MODULES.items():
            if isinstance(m, cls):
                return "act", fn
        if isinstance(m, (nn.Dropout, nn.Identity)):
            return "free", None
        return "unknown", type(m).__name__
    if op == "call_function":
        if t in _FREE_FUNCS:
            return "free", None
        if t in _ACT_FUNCS:
            return "act", _ACT_FUNCS[t]
        if t in _ELTWISE:
            return "eltwise", _ELTWISE[t]
        if t in _MATMULS:
            return "matmul", None
        if t in _SOFTMAX:
            return "softmax", None
        if _SDPA is not None and t is _SDPA:
            return "sdpa", None
        return "unknown", getattr(t, "__name__", str(t))
    if op == "call_method":
        if t in _FREE_METHODS:
            return "free", None
        if t in _ACT_METHODS:
            return "act", _ACT_METHODS[t]
        if t in _ELTWISE_METHODS:
            return "eltwise", _ELTWISE_METHODS[t]
        if t == "softmax":
            return "softmax", None
        if t == "matmul":
            return "matmul", None
        return "unknown", "Tensor." + t
    return "unknown", str(t)


def _tensor_inputs(node):
    return [a for a in node.all_input_nodes]


class _Exporter:
    def __init__(self, module, example_inputs, name, dtype):
        self.module = module
        tracer = _Tracer()
        try:
            graph = tracer.trace(module)
        except Exception as e:  # fx raises TraceError, TypeError, RuntimeError, ...
            raise _model_error(module, tracer.failed_scope or "", "trace", e) from e
        self.gm = torch.fx.GraphModule(module, graph)
        try:
            ShapeProp(self.gm).propagate(*example_inputs)
        except Exception as e:
            raise _model_error(module, "", "run on the example inputs", e) from e
        self.modules = dict(self.gm.named_modules())
        self.nodes = list(self.gm.graph.nodes)
        self.tokens = 1
        for x in example_inputs:
            if isinstance(x, torch.Tensor):
                self.tokens = max(1, x.numel())
                break
        self.name = name
        self.dtype = dtype
        self.kinds = {n: _kind(n, self.modules) for n in self.nodes}
        self.data = self._data_dependence()

    def _data_dependence(self):
        """Nodes whose value depends on the input data (not just its shape or on parameters)."""
        data = {}
        for n in self.nodes:
            if n.op == "placeholder":
                data[n] = True
            elif n.op == "call_method" and n.target in ("size", "dim"):
                data[n] = False
            elif n.op == "call_function" and n.target is getattr:
                data[n] = False
            else:
                data[n] = any(data.get(a, False) for a in _tensor_inputs(n))
        return data

    def width(self, node):
        meta = node.meta.get("tensor_meta")
        if meta is None or not hasattr(meta, "shape"):
            return 0
        numel = 1
        for d in meta.shape:
            numel *= int(d)
        return max(1, numel // self.tokens)

    def src(self, node):
        """The op-producing node behind shape-only ops."""
        seen = set()
        while node not in seen:
            seen.add(node)
            kind, _ = self.kinds[node]
            if kind != "free":
                return node
            data_args = [a for a in _tensor_inputs(node) if self.data.get(a)]
            if not data_args:
                return node
            node = data_args[0]
        return node

    # -- attention ---------------------------------------------------------------------
    def _back_to_linear(self, node, absorbed):
        """Walks from an attention input back to its projection; element-wise math on the
        way (RoPE) is absorbed. Returns (linear node, went through element-wise math)."""
        rope = False
        frontier, found = [node], []
        while frontier:
            n = frontier.pop()
            kind, _ = self.kinds[n]
            if kind == "linear":
                found.append(n)
                continue
            if kind in ("free", "eltwise") and self.data.get(n):
                if kind == "eltwise":
                    rope = True
                absorbed.add(n)
                frontier.extend(a for a in _tensor_inputs(n) if self.data.get(a))
                continue
            raise UnsupportedOpError(
                f"attention input '{node.name}' comes from '{n.name}' ({self._describe(n)}), not a linear projection")
        found = list(dict.fromkeys(found))
        if len(found) != 1:
            raise UnsupportedOpError(f"attention input '{node.name}' does not come from exactly one linear projection")
        return found[0], rope

    def _attention(self, out, q, k, v, causal, absorbed):
        head_dim = int(q.meta["tensor_meta"].shape[-1])
        ql, rq = self._back_to_linear(q, absorbed)
        kl, rk = self._back_to_linear(k, absorbed)
        vl, _ = self._back_to_linear(v, absorbed)
        heads = self.modules[ql.target].out_features // head_dim
        kv_heads = self.modules[kl.target].out_features // head_dim
        return {"op": "attention", "inputs_nodes": [ql, kl, vl], "heads": heads, "kv_heads": kv_heads,
                "head_dim": head_dim, "causal": bool(causal), "rope": bool(rq or rk)}

    def find_attention(self):
        """Maps attention output nodes to attention ops; marks the pattern's nodes absorbed."""
        found, absorbed = {}, set()
        for n in self.nodes:
            kind, _ = self.kinds[n]
            if kind == "sdpa":
                q, k, v = n.args[:3]
                mask = n.kwargs.get("attn_mask", n.args[3] if len(n.args) > 3 else None)
                causal = bool(n.kwargs.get("is_causal", False)) or mask is not None
                found[n] = self._attention(n, q, k, v, causal, absorbed)
            elif kind == "softmax":
                causal, m = False, n.args[0]
                while True:  # back through scale, mask and casts to q @ k^T
                    kk, _ = self.kinds[m]
                    if kk == "matmul":
                        break
                    if kk not in ("free", "eltwise"):
                        raise UnsupportedOpError(f"softmax '{n.name}' is not over q @ k^T")
                    data_args = [a for a in _tensor_inputs(m) if self.data.get(a)]
                    if len(_tensor_inputs(m)) > len(data_args) or m.target == "masked_fill":
                        causal = causal or self.kinds[m][1] in ("add", "masked_fill", "where")
                    absorbed.add(m)
                    m = data_args[0]
                qk = m
                users = list(n.users)
                pv = users[0] if users else None
                while pv is not None and self.kinds[pv][0] == "free":
                    absorbed.add(pv)
                    pv = next(iter(pv.users), None)
                if pv is None or self.kinds[pv][0] != "matmul":
                    raise UnsupportedOpError(f"softmax '{n.name}' is not followed by a matmul with v")
                q, kt = qk.args[:2]
                v = pv.args[1]
                absorbed.update({qk, n})
                found[pv] = self._attention(pv, q, kt, v, causal, absorbed)
        return found, absorbed

    # -- the rest ------------------------------------------------------------------------
    def _describe(self, n):
        kind, detail = self.kinds[n]
        if n.op == "call_module":
            return f"{type(self.modules[n.target]).__name__} module '{n.target}'"
        return f"{n.op} {detail if isinstance(detail, str) else getattr(n.target, '__name__', n.target)}"

    def convert(self):
        attention, absorbed = self.find_attention()
        # act(a) * b -> gated activation at the mul.
        gated = {}
        for n in self.nodes:
            if self.kinds[n] == ("eltwise", "mul") and n not in absorbed:
                args = [self.src(a) for a in _tensor_inputs(n)]
                acts = [a for a in args if self.kinds[a][0] == "act" and len(a.users) == 1]
                if len(args) == 2 and len(acts) >= 1:
                    act = acts[0]
                    other = args[1] if args[0] is act else args[0]
                    gated[n] = (act, other)
                    absorbed.add(act)
        ops, unknown = [], []
        for n in self.nodes:
            kind, detail = self.kinds[n]
            if n in absorbed or kind in ("io", "free") or not self.data.get(n):
                continue
            rec = None
            if n in attention:
                rec = dict(attention[n])
            elif n in gated:
                act, other = gated[n]
                rec = {"op": "activation", "fn": self.kinds[act][1], "gated": True, "dim": self.width(n),
                       "inputs_nodes": [self.src(_tensor_inputs(act)[0]), other]}
            elif kind == "linear":
                m = detail
                rec = {"op": "linear", "in_features": m.in_features, "out_features": m.out_features,
                       "bias": m.bias is not None, "tied": self._tied(m)}
            elif kind == "embedding":
                rec = {"op": "embedding", "vocab": detail.num_embeddings, "dim": detail.embedding_dim,
                       "inputs_nodes": []}
            elif kind == "norm":
                rec = {"op": "norm", "norm": "layer" if isinstance(detail, nn.LayerNorm) else "rms",
                       "dim": self.width(n)}
            elif kind == "act":
                rec = {"op": "activation", "fn": detail, "gated": False, "dim": self.width(n)}
            elif kind == "eltwise":
                data_args = [a for a in _tensor_inputs(n) if self.data.get(a)]
                if detail == "add" and len(data_args) == 2:
                    rec = {"op": "add", "dim": self.width(n)}
                else:
                    rec = {"op": "elementwise", "fn": detail, "flops_per_element": 1, "dim": self.width(n)}
            else:
                unknown.append(n)
                continue
            if "inputs_nodes" not in rec:
                rec["inputs_nodes"] = [self.src(a) for a in _tensor_inputs(n) if self.data.get(a)]
            rec["node"] = n
            ops.append(rec)
        if unknown:
            names = ", ".join(f"'{n.name}' ({self._describe(n)}{' in ' + n.meta['scope'] if n.meta.get('scope') else ''})"
                              for n in unknown)
            raise UnsupportedOpError(f"tessera.torch: cannot map {len(unknown)} op(s) to the Tessera graph: {names}")
        return self._blocks(ops)

    def _tied(self, linear):
        return any(isinstance(m, nn.Embedding) and m.weight is linear.weight for m in self.module.modules())

    # -- blocks --------------------------------------------------------------------------
    def _blocks(self, ops):
        layer_re = re.compile(r"^(.*?)(\d+)(\.|$)")
        segments = []  # [key, ops]
        for rec in ops:
            scope = rec["node"].meta.get("scope", "")
            m = layer_re.match(scope)
            key = (m.group(1), int(m.group(2))) if m else None
            if key is None:
                key = "pre" if not any(isinstance(s[0], tuple) for s in segments) else "post"
            if not segments or segments[-1][0] != key:
                segments.append([key, []])
            segments[-1][1].append(rec)
        blocks, names = [], {}
        for key, recs in segments:
            prefix = f"{key[0]}{key[1]}." if isinstance(key, tuple) else ""
            local, counts = {}, {}
            body = []
            for rec in recs:
                n = rec["node"]
                base = n.target if n.op == "call_module" else f"{n.meta.get('scope', '')}.{rec.get('fn', rec['op'])}"
                base = base[len(prefix):] if base.startswith(prefix) else base.lstrip(".")
                c = counts.get(base, 0)
                counts[base] = c + 1
                name = base if c == 0 else f"{base}_{c}"
                local[n] = name
                body.append((name, rec))
            block_ops = []
            for name, rec in body:
                op = {"name": name, "op": rec["op"]}
                inputs = []
                for i in rec["inputs_nodes"]:
                    if i in local:
                        inputs.append(local[i])
                    elif self.kinds[i][0] == "io":
                        continue  # token ids
                    else:
                        inputs.append("@in")
                op["inputs"] = inputs
                for k, v in rec.items():
                    if k not in ("op", "inputs_nodes", "node"):
                        op[k] = v
                if rec["op"] == "linear" and not op.get("tied"):
                    op.pop("tied", None)
                op["source"] = rec["node"].target if rec["node"].op == "call_module" else rec["node"].name
                block_ops.append(op)
            label = (key[0].rstrip(".") or "layers") if isinstance(key, tuple) else ("embed" if key == "pre" else "head")
            sig = json.dumps([{k: v for k, v in o.items() if k != "source"} for o in block_ops], sort_keys=True)
            if (blocks and isinstance(key, tuple) and blocks[-1]["_sig"] == sig):
                blocks[-1]["repeat"] += 1
                continue
            blocks.append({"name": label, "repeat": 1, "ops": block_ops, "_sig": sig,
                           "sampled": key == "post"})
        for b in blocks:
            del b["_sig"]
            if not b["sampled"]:
                del b["sampled"]
        return blocks


def to_graph(module, example_inputs, name=None, dtype=None):
    """The graph dict of `module` traced on `example_inputs` (a tuple)."""
    if not isinstance(example_inputs, (tuple, list)):
        example_inputs = (example_inputs,)
    if dtype is None:
        p = next(module.parameters(), None)
        dtype = _DTYPES.get(p.dtype, "fp32") if p is not None else "bf16"
    ex = _Exporter(module, tuple(example_inputs), name or type(module).__name__, dtype)
    blocks = ex.convert()
    g = {"format": "tessera-graph", "version": 1, "name": ex.name, "dtype": dtype, "blocks": blocks}
    return g


def export(module, example_inputs, path, name=None, dtype=None):
    """Traces `module` and writes its graph JSON to `path` (use a *.graph.json name for
    `tessera simulate --model PATH`). Returns the graph dict."""
    g = to_graph(module, example_inputs, name=name, dtype=dtype)
    path = os.fspath(path)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(g, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)  # nothing half-written on failure
    return g


def estimate(module, example_inputs, hardware, path=None, name=None, dtype=None, **options):
    """Exports `module` and simulates it on `hardware` in one call; returns the result
    dict of tessera.simulate. options: tp, workload, ... as tessera.simulate."""
    import tessera
    if path is not None:
        export(module, example_inputs, path, name=name, dtype=dtype)
        return tessera.simulate(model=path, hardware=hardware, **options)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, (name or type(module).__name__) + ".graph.json")
        export(module, example_inputs, p, name=name, dtype=dtype)
        try:
            return tessera.simulate(model=p, hardware=hardware, **options)
        except Exception as e:
            # The message names the temporary graph file, which is gone once this returns.
            if p not in str(e):
                raise
            msg = (str(e).replace(p, f"<graph exported from {type(module).__name__}>") +
                   " (pass path='x.graph.json' to estimate() to keep the exported graph)")
            try:
                err = type(e)(msg)
            except TypeError:
                err = RuntimeError(msg)
            raise err from None
