"""The Python module and the PyTorch front end (ctest label `python`).

Run from the build tree: PYTHONPATH=build/python TESSERA_BIN=build/tessera pytest tests/python
"""
import json
import os
import subprocess

import pytest
import torch
import torch.nn as nn

import tessera
import tessera.torch as tt
from toy_llama import DIMS, SEQ, ToyLlama, hf_config

BIN = os.environ.get("TESSERA_BIN", "build/tessera")
WORKLOAD = "batch:size=4,input=128,output=64"


def cli(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    d = tmp_path_factory.mktemp("toy")
    torch.manual_seed(0)
    graph = d / "toy.graph.json"
    tt.export(ToyLlama(), (torch.zeros(1, SEQ, dtype=torch.long),), graph, name="toy", dtype="bf16")
    config = d / "config.json"
    config.write_text(json.dumps(hf_config()))
    return graph, config


def tpot(result):
    return result["summary"]["tpot_s"]["mean"]


def test_export_recognises_the_llama_structure(toy):
    g = json.loads(toy[0].read_text())
    assert [(b["name"], b["repeat"]) for b in g["blocks"]] == [("embed", 1), ("layers", DIMS["layers"]), ("head", 1)]
    layer = {o["name"]: o for o in g["blocks"][1]["ops"]}
    attn = layer["self_attn.attention"]
    assert (attn["heads"], attn["kv_heads"], attn["head_dim"], attn["causal"], attn["rope"]) == (8, 2, 32, True, True)
    assert attn["inputs"] == ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"]
    act = layer["mlp.silu"]
    assert act["gated"] and act["inputs"] == ["mlp.gate_proj", "mlp.up_proj"] and act["dim"] == 512
    kinds = sorted(o["op"] for o in g["blocks"][1]["ops"])
    assert kinds == sorted(["norm", "linear", "linear", "linear", "attention", "linear", "add", "norm", "linear",
                            "linear", "activation", "linear", "add"])
    assert g["blocks"][2]["sampled"] is True


@pytest.mark.parametrize("hardware,tp", [("p5.48xlarge", 2), ("trn1.32xlarge", 8)])
def test_exported_toy_matches_the_hf_config_path(toy, hardware, tp):
    graph, config = toy
    from_graph = tessera.simulate(model=graph, hardware=hardware, tp=tp, workload=WORKLOAD)
    from_hf = tessera.simulate(model=config, hardware=hardware, tp=tp, workload=WORKLOAD)
    assert tpot(from_graph) == pytest.approx(tpot(from_hf), rel=0.01)
    assert from_graph["summary"]["ttft_s"]["mean"] == pytest.approx(from_hf["summary"]["ttft_s"]["mean"], rel=0.01)


@pytest.mark.parametrize("model,hardware,tp", [("llama-2-70b", "trn1.32xlarge", 32), ("mixtral-8x7b", "p5.48xlarge", 8)])
def test_hf_front_end_graph_lowers_as_the_config(tmp_path, model, hardware, tp):
    # The graph the HF front end builds, written out and read back, costs what the config does.
    path = tmp_path / f"{model}.graph.json"
    path.write_text(json.dumps(tessera.graph(model)))
    a = tessera.simulate(model=path, hardware=hardware, tp=tp, workload=WORKLOAD)
    b = tessera.simulate(model=model, hardware=hardware, tp=tp, workload=WORKLOAD)
    assert tpot(a) == pytest.approx(tpot(b), rel=1e-9)
    assert a["summary"]["ttft_s"]["mean"] == pytest.approx(b["summary"]["ttft_s"]["mean"], rel=1e-9)


def test_python_and_cli_give_identical_json(toy):
    from tessera import _tessera
    for model in ("llama-2-7b", str(toy[0])):
        args = dict(model=model, hardware="p5.48xlarge", tp=2, workload=WORKLOAD)
        r = cli("simulate", "--model", model, "--hardware", "p5.48xlarge", "--tp", "2", "--workload", WORKLOAD,
                "--json")
        assert r.returncode == 0, r.stderr
        assert _tessera.simulate(**args) == r.stdout  # byte-identical
        assert tessera.simulate(**args) == json.loads(r.stdout)


def test_simulate_power_and_price_keywords_match_the_cli_flags():
    # trn2.48xlarge has no catalog price: price_per_hour supplies one, as --price-per-hour does.
    from tessera import _tessera
    args = dict(model="llama-3.1-8b", hardware="trn2.48xlarge", tp=8, workload=WORKLOAD)
    r = cli("simulate", "--model", "llama-3.1-8b", "--hardware", "trn2.48xlarge", "--tp", "8", "--workload", WORKLOAD,
            "--price-per-hour", "40", "--pue", "1.2", "--json")
    assert r.returncode == 0, r.stderr
    assert _tessera.simulate(**args, price_per_hour=40, pue=1.2) == r.stdout
    assert tessera.simulate(**args)["summary"]["cost_usd_per_million_output_tokens"] is None
    with pytest.raises(tessera.BadInputError, match="did you mean 'price_per_hour'"):
        tessera.simulate(**args, price_per_hr=40)


def test_validate_equals_the_cli_json():
    r = cli("validate", "--set", "trtllm_llama31_8b", "--fidelity", "measured", "--json")
    assert r.returncode == 0, r.stderr
    got = tessera.validate("trtllm_llama31_8b", fidelity="measured")
    assert got == json.loads(r.stdout)
    assert got[0]["passed"] and len(got[0]["rows"]) == 14
    with pytest.raises(tessera.BadInputError, match="did you mean 'trn1_llama'"):
        tessera.validate("trn1_lama")


PLAN_WORKLOAD = "poisson:rate=50,input=1024,output=256,n=100"
PLAN_SLO = "ttft_p99=2s,tpot_p99=100ms"


def test_plan_equals_the_cli_json():
    from tessera import _tessera
    r = cli("plan", "--model", "llama-3.1-8b", "--workload", PLAN_WORKLOAD, "--slo", PLAN_SLO,
            "--hardware", "p5.48xlarge", "--tp", "1,2", "--pp", "1", "--max-batch", "256",
            "--probe-requests", "40", "--threads", "1", "--price-per-hour", "p5.48xlarge=60", "--json")
    assert r.returncode == 0, r.stderr
    kwargs = dict(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo=PLAN_SLO, tp=[1, 2], pp=1, max_batch=[256],
                  probe_requests=40, threads=1, fleet=None)
    assert _tessera.plan(hardware="p5.48xlarge", price_per_hour="p5.48xlarge=60", **kwargs) == r.stdout  # bytes
    d = tessera.plan(hardware=["p5.48xlarge"], price_per_hour={"p5.48xlarge": 60}, **kwargs)
    assert d == json.loads(r.stdout)
    assert d["searched"] == 4 and d["feasible"] >= 1  # 2 TP x 2 schedulers
    assert d["cheapest"][0]["cost_usd_per_hour"] == 60


def test_plan_nothing_feasible_returns_the_report_and_errors_match_the_cli():
    args = ["--model", "llama-3.1-8b", "--workload", PLAN_WORKLOAD, "--hardware", "p5.48xlarge", "--tp", "8",
            "--pp", "1", "--schedulers", "vllm", "--max-batch", "64", "--probe-requests", "20", "--threads", "1"]
    r = cli("plan", *args, "--slo", "tpot_p99=1us", "--json")
    assert r.returncode == 3
    d = tessera.plan(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo="tpot_p99=1us", hardware="p5.48xlarge",
                     tp=8, pp=[1], schedulers="vllm", max_batch=64, probe_requests=20, threads=1)
    assert d == json.loads(r.stdout) and d["feasible"] == 0 and d["cheapest"] == []
    with pytest.raises(tessera.BadInputError) as e:
        tessera.plan(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo="ttft_p9=2s", hardware="p5.48xlarge")
    r = cli("plan", *args, "--slo", "ttft_p9=2s")
    assert r.returncode == 2 and r.stderr.strip() == f"tessera: {e.value}"
    assert "did you mean 'ttft_p99'" in str(e.value)
    with pytest.raises(tessera.BadInputError, match="unknown argument 'hardwre'.*did you mean 'hardware'"):
        tessera.plan(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo=PLAN_SLO, hardwre="p5.48xlarge")
    with pytest.raises(tessera.BadInputError, match="tp: 'x' is not an integer"):
        tessera.plan(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo=PLAN_SLO, tp="1,x")
    with pytest.raises(tessera.InfeasibleError, match="--fleet: no deployment"):
        tessera.plan(model="llama-3.1-8b", workload=PLAN_WORKLOAD, slo="tpot_p99=1us", hardware="p5.48xlarge",
                     tp=8, pp=1, schedulers="vllm", max_batch=64, probe_requests=20, threads=1, fleet="chips=64")


def test_graph_file_runs_from_the_cli(toy):
    r = cli("simulate", "--model", str(toy[0]), "--hardware", "trn2.48xlarge", "--tp", "8", "--workload", WORKLOAD)
    assert r.returncode == 0, r.stderr
    assert "toy" in r.stdout


class Cumsum(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 32)
        self.proj = nn.Linear(32, 32)

    def forward(self, ids):
        return self.proj(torch.cumsum(self.embed(ids), dim=1))


def test_unsupported_op_is_named(tmp_path):
    with pytest.raises(tt.UnsupportedOpError, match=r"cannot map 1 op\(s\).*'cumsum'"):
        tt.export(Cumsum(), (torch.zeros(1, 8, dtype=torch.long),), tmp_path / "x.graph.json")
    assert not (tmp_path / "x.graph.json").exists()


def test_errors_carry_the_cli_messages():
    with pytest.raises(tessera.BadInputError) as e:
        tessera.simulate(model="llama-2-7", hardware="p5.48xlarge")
    r = cli("simulate", "--model", "llama-2-7", "--hardware", "p5.48xlarge")
    assert r.returncode == 2
    assert r.stderr.strip() == f"tessera: {e.value}"
    assert "did you mean" in str(e.value)
    with pytest.raises(tessera.InfeasibleError, match="GiB"):
        tessera.simulate(model="llama-2-70b", hardware="p4d.24xlarge", tp=1)
    with pytest.raises(tessera.BadInputError, match="unknown argument 'tpp'.*did you mean 'tp'"):
        tessera.simulate(model="llama-2-7b", hardware="p5.48xlarge", tpp=2)


def test_bad_graph_file_names_the_key(tmp_path):
    g = tessera.graph("llama-2-7b")
    g["blocks"][1]["ops"][1]["in_featurs"] = 3
    p = tmp_path / "bad.graph.json"
    p.write_text(json.dumps(g))
    with pytest.raises(tessera.BadInputError, match=r"bad\.graph\.json: block 'layers' op 'q_proj': key 'in_featurs': "
                                                    r"unknown key.*in_features"):
        tessera.simulate(model=p, hardware="p5.48xlarge")


def test_collective_and_catalogs():
    small = tessera.collective(hardware="p5.48xlarge", op="all-reduce", bytes="1MiB", ranks=8)
    big = tessera.collective(hardware="p5.48xlarge", op="all-reduce", bytes="256MiB", ranks=8)
    assert 0 < small["time_s"] < big["time_s"]
    assert big["bytes"] == 256 * 2**20
    assert "trn2.48xlarge" in tessera.hardware() and "p5.48xlarge" in tessera.hardware()
    assert "llama-2-70b" in tessera.models()


def test_estimate_switches_hardware_with_one_argument():
    model = ToyLlama()
    ids = torch.zeros(1, SEQ, dtype=torch.long)
    trn = tt.estimate(model, (ids,), hardware="trn2.48xlarge", tp=8, workload=WORKLOAD)
    gpu = tt.estimate(model, (ids,), hardware="p5.48xlarge", tp=8, workload=WORKLOAD)
    assert trn["inputs"] != gpu["inputs"]
    assert tpot(trn) > 0 and tpot(gpu) > 0


class _UnpacksShape(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 16)
        self.inner = _Flatten()

    def forward(self, x):
        return self.inner(self.emb(x))


class _Flatten(nn.Module):
    def forward(self, x):
        # A Proxy cannot be unpacked under torch.fx:
        b, s, h = x.shape
        return x.view(b * s, h)


class _ArangeOfLength(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 16)
        self.pos = nn.Embedding(64, 16)

    def forward(self, x):
        return self.emb(x) + self.pos(torch.arange(x.shape[1]))


def test_fx_shape_unpacking_names_the_module_line_and_fix():
    ids = torch.randint(0, 100, (1, 8))
    with pytest.raises(tt.UnsupportedModelError, match=r"in module 'inner' at test_tessera\.py:\d+ `b, s, h = x\.shape`"
                                                       r".*Fix:"):
        tt.to_graph(_UnpacksShape(), (ids,))


def test_fx_arange_of_a_traced_length_names_the_op():
    ids = torch.randint(0, 100, (1, 8))
    with pytest.raises(tt.UnsupportedModelError, match=r"torch\.arange\(x\.shape\[1\]\).*Fix:"):
        tt.to_graph(_ArangeOfLength(), (ids,))


def test_fx_bad_example_input_is_wrapped():
    # Token ids must be integers: an embedding fed floats fails in the example run.
    class Emb(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(100, 16)

        def forward(self, x):
            return self.emb(x)

    with pytest.raises(tt.UnsupportedModelError, match=r"example inputs.*torch\.long"):
        tt.to_graph(Emb(), (torch.randn(1, 8),))


def test_readme_python_example_is_self_contained():
    # Intent: the README's example runs with only build/python on PYTHONPATH: it defines its
    # own model (no tests/python import). Its definitions are run here at small dimensions
    # (the full example takes a minute) and must export a Llama-shaped graph.
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "toy_llama" not in code and "tests/python" not in code
    definitions = code.split("\nmodel = ", 1)[0]
    scope = {}
    exec(compile(definitions, "README.md", "exec"), scope)
    model = scope["TinyLlama"](vocab=128, d=64, heads=8, kv_heads=2, ff=96, layers=3)
    g = tt.to_graph(model, (torch.zeros(1, scope["SEQ"], dtype=torch.long),))
    names = [(b["name"], b["repeat"]) for b in g["blocks"]]
    assert names == [("embed", 1), ("layers", 3), ("head", 1)], names
    kinds = [o["op"] for o in g["blocks"][1]["ops"]]
    assert kinds.count("attention") == 1 and kinds.count("linear") == 7, kinds


def test_estimate_error_does_not_name_the_deleted_temp_file():
    # A model fed float activations (no embedding) exports a graph the CLI rejects; the
    # message must not point at the temporary file estimate() has already removed.
    class NoEmbedding(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(16, 16)

        def forward(self, x):
            return self.proj(x)

    with pytest.raises(tessera.BadInputError) as e:
        tt.estimate(NoEmbedding(), (torch.randn(1, 8, 16),), hardware="p5.48xlarge")
    assert "<graph exported from NoEmbedding>" in str(e.value) and "path=" in str(e.value)
    assert "/tmp" not in str(e.value) and ".graph.json'" not in str(e.value).split("path=")[0]
