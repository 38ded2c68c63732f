#!/usr/bin/env python3
"""PyTorch side of the training bench (test/bench/train.ts runs it once per workload, fresh process).

Same method as /work/shared/reference/torch_tiny_bert.py: a plain-PyTorch BERT-style encoder
(token + position + token-type embeddings, post-LN layers, GELU FFN, dropout as given), AdamW
lr 1e-4 wd 0.01, one fixed random batch, warm-up steps then the median of timed steps; a step is
zero_grad + forward + loss + backward + AdamW. Workloads mirror the tfjs side:
  mlm      masked-LM head (dense+GELU+LN, tied decoder) on the 15% masked positions only
  cls      linear head on [CLS], everything trainable
  cls-lora encoder and embeddings frozen; LoRA r/alpha on query and value of every layer + head

Usage: /usr/bin/python3 torch_train_bench.py '{"workload":"cls","d":128,"layers":2,"heads":4,
        "ffn":512,"vocab":8000,"B":32,"T":128,"dropout":0.1,"warmup":2,"steps":5,"threads":"default"}'
Prints one JSON line: median_ms, tokens_per_s, times, eval_examples_per_s (forward only, no_grad,
eval mode), params, peak_rss_mib, threads, and which BLAS torch was built with and loaded.
"""
import ctypes
import json
import math
import os
import re
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def openblas_libs():
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})


def set_threads(n):
    """n = 'default' (what `import torch` gives) or an int for torch AND OpenBLAS's own pool."""
    if n == "default":
        return
    torch.set_num_threads(int(n))
    for p in openblas_libs():
        try:
            ctypes.CDLL(p).openblas_set_num_threads(int(n))
        except (OSError, AttributeError):
            pass


def blas_info():
    """Which BLAS torch was built for and which library actually does the GEMMs (config string, threads)."""
    found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    built = found.group(1) if found else "?"
    loaded = []
    for p in openblas_libs():
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            loaded.append(f"{os.path.basename(p)}: {lib.openblas_get_config().decode()}, {lib.openblas_get_num_threads()} threads")
        except (OSError, AttributeError):
            loaded.append(os.path.basename(p))
    return {"built_with": built, "loaded": loaded, "aten_threads": torch.get_num_threads()}


class Attention(nn.Module):
    def __init__(self, d, h, p):
        super().__init__()
        self.h, self.dh = h, d // h
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.drop = nn.Dropout(p)

    def forward(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.h, self.dh).transpose(1, 2)  # b h t dh
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = self.drop(((q @ k.transpose(-1, -2)) / math.sqrt(self.dh)).softmax(-1))
        return self.o((att @ v).transpose(1, 2).reshape(b, t, d))


class Layer(nn.Module):
    def __init__(self, d, h, f, p):
        super().__init__()
        self.attn, self.ln1 = Attention(d, h, p), nn.LayerNorm(d, eps=1e-12)
        self.ff1, self.ff2, self.ln2 = nn.Linear(d, f), nn.Linear(f, d), nn.LayerNorm(d, eps=1e-12)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        x = self.ln1(x + self.drop(self.attn(x)))
        return self.ln2(x + self.drop(self.ff2(F.gelu(self.ff1(x)))))


class Encoder(nn.Module):
    def __init__(self, v, d, layers, h, f, p, max_len=512):
        super().__init__()
        self.tok, self.pos, self.typ = nn.Embedding(v, d), nn.Embedding(max_len, d), nn.Embedding(2, d)
        self.ln, self.drop = nn.LayerNorm(d, eps=1e-12), nn.Dropout(p)
        self.layers = nn.ModuleList(Layer(d, h, f, p) for _ in range(layers))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])
        x = self.drop(self.ln(self.tok(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids))))
        for layer in self.layers:
            x = layer(x)
        return x


class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.A = nn.Parameter(torch.empty(r, base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scale


def build(s):
    torch.manual_seed(0)
    d, v, B, T = s["d"], s["vocab"], s["B"], s["T"]
    enc = Encoder(v, d, s["layers"], s["heads"], s["ffn"], s["dropout"])
    ids = torch.randint(5, v, (B, T))
    mods = [enc]
    if s["workload"] == "mlm":
        dense, ln, bias = nn.Linear(d, d), nn.LayerNorm(d, eps=1e-12), nn.Parameter(torch.zeros(v))
        mods += [dense, ln]
        n = B * T
        pos = torch.randperm(n)[: max(1, round(0.15 * n))].sort().values
        targets = torch.randint(5, v, (len(pos),))
        ids.view(-1)[pos] = 4

        def logits_fn():
            h = enc(ids).reshape(-1, d).index_select(0, pos)
            return F.linear(ln(F.gelu(dense(h))), enc.tok.weight, bias)

        def loss_fn():
            return F.cross_entropy(logits_fn(), targets)

        extra = [bias]
    else:
        head = nn.Linear(d, 2)
        mods.append(head)
        y = torch.randint(0, 2, (B,))
        if s["workload"] == "cls-lora":
            for p in enc.parameters():
                p.requires_grad_(False)
            for layer in enc.layers:
                layer.attn.q = LoRALinear(layer.attn.q, s.get("r", 8), s.get("alpha", 16))
                layer.attn.v = LoRALinear(layer.attn.v, s.get("r", 8), s.get("alpha", 16))

        def logits_fn():
            return head(enc(ids)[:, 0])

        def loss_fn():
            return F.cross_entropy(logits_fn(), y)

        extra = []
    model = nn.ModuleList(mods)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad] + extra
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()

    def evaluate():
        model.eval()
        with torch.no_grad():
            logits_fn().sum().item()
        model.train()

    total = sum(p.numel() for p in model.parameters()) + sum(p.numel() for p in extra)
    return step, evaluate, total, sum(p.numel() for p in params)


def main():
    s = json.loads(sys.argv[1])
    set_threads(s.get("threads", "default"))
    step, evaluate, total, trainable = build(s)
    for _ in range(s.get("warmup", 2)):
        step()
    times = []
    for _ in range(s.get("steps", 5)):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    evaluate()
    eval_times = []
    for _ in range(s.get("eval_steps", 3)):
        t0 = time.perf_counter()
        evaluate()
        eval_times.append((time.perf_counter() - t0) * 1000)
    eval_med = statistics.median(eval_times)
    with open("/proc/self/maps") as f:  # which BLAS does the fp32 GEMM: reference BLAS is ~10x slower than OpenBLAS
        blas = sorted({os.path.basename(l.split()[-1]) for l in f if "blas" in l and ".so" in l})
    print(json.dumps(dict(
        median_ms=med, tokens_per_s=s["B"] * s["T"] / (med / 1000), times=times,
        eval_median_ms=eval_med, eval_examples_per_s=s["B"] / (eval_med / 1000), blas_info=blas_info(),
        params_total=total, params_trainable=trainable, threads=s.get("threads", "default"),
        torch_threads=torch.get_num_threads(),
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        blas=blas, openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"))))


if __name__ == "__main__":
    main()
