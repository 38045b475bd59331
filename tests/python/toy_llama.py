"""A small Llama written from scratch (RMSNorm, RoPE, GQA, SwiGLU, causal attention as
matmul -> softmax -> matmul), and the Hugging Face config.json of the same dimensions."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SEQ = 16
DIMS = dict(hidden=256, heads=8, kv_heads=2, intermediate=512, layers=4, vocab=1024)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)
        # Rotary tables and the causal mask for SEQ positions: symbolic tracing cannot build
        # tensors from a traced length, so the toy runs on sequences of exactly SEQ tokens.
        inv = 1.0 / (10000 ** (torch.arange(0, self.head_dim, 2).float() / self.head_dim))
        emb = torch.outer(torch.arange(SEQ).float(), inv).repeat(1, 2)
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())
        self.register_buffer("mask", torch.full((SEQ, SEQ), float("-inf")).triu(1))

    def forward(self, x):
        b, s = x.shape[0], x.shape[1]  # (symbolic tracing cannot unpack a shape)
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = self.cos, self.sin
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        k = k[:, :, None].expand(b, self.kv_heads, rep, s, self.head_dim).reshape(b, self.heads, s, self.head_dim)
        v = v[:, :, None].expand(b, self.kv_heads, rep, s, self.head_dim).reshape(b, self.heads, s, self.head_dim)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        mask = self.mask
        probs = F.softmax(scores + mask, dim=-1)
        out = torch.matmul(probs, v)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, -1))


class Mlp(nn.Module):
    def __init__(self, hidden, inter):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, inter, bias=False)
        self.up_proj = nn.Linear(hidden, inter, bias=False)
        self.down_proj = nn.Linear(inter, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.input_layernorm = RMSNorm(d["hidden"])
        self.self_attn = Attention(d["hidden"], d["heads"], d["kv_heads"])
        self.post_attention_layernorm = RMSNorm(d["hidden"])
        self.mlp = Mlp(d["hidden"], d["intermediate"])

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class ToyLlama(nn.Module):
    def __init__(self, d=DIMS):
        super().__init__()
        self.embed_tokens = nn.Embedding(d["vocab"], d["hidden"])
        self.layers = nn.ModuleList(Layer(d) for _ in range(d["layers"]))
        self.norm = RMSNorm(d["hidden"])
        self.lm_head = nn.Linear(d["hidden"], d["vocab"], bias=False)

    def forward(self, ids):
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


def hf_config(d=DIMS):
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": d["hidden"],
        "intermediate_size": d["intermediate"], "num_hidden_layers": d["layers"],
        "num_attention_heads": d["heads"], "num_key_value_heads": d["kv_heads"], "vocab_size": d["vocab"],
        "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "hidden_act": "silu",
    }
