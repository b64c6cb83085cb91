#!/usr/bin/env python3
"""The PyTorch twin of bragg's `vit`, driven by `bragg bench train` over stdin/stdout.

Same architecture as bragg.worker.model.VitModel (VitConfig): patches of P x P pixels ->
Linear(C*P*P, D); class token; learned positions [T, D]; N pre-LN blocks
(x + MHA(LN(x)), x + MLP(LN(x)), MLP D -> F GELU(tanh) -> D, LN eps 1e-5); final LN; the class
token's features -> Linear(D, classes); softmax cross-entropy. Same initialisation scheme: weights
Gaussian with std sqrt(2 / (fan_in + fan_out)) (DL4J's XAVIER), biases 0, LN gamma 1 / beta 0,
class token and positions Gaussian std 0.02. Adam (lr, betas 0.9/0.999, eps 1e-8) as DL4J's.
The attention is torch.nn.functional.scaled_dot_product_attention, the q/k/v projections one
fused Linear(D, 3D): what a PyTorch user would write (same parameters as bragg's Wq, Wk, Wv).

Protocol (one command per line on stdin, one reply line on stdout):
  start: prints  ready params=<P> torch=<version> threads=<n>
  train <steps>  -> ok <seconds>      (steps of forward + backward + Adam on the batch)
  infer <steps>  -> ok <seconds>      (forward only, no autograd, on the inference batch)
  rss            -> ok <peak resident MiB>
  quit
"""
import argparse
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def xavier_(w, fan_in, fan_out):
    with torch.no_grad():
        w.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)))


class Linear(nn.Linear):
    def __init__(self, i, o):
        super().__init__(i, o)
        xavier_(self.weight, i, o)
        nn.init.zeros_(self.bias)


class Block(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        for part in range(3):  # three D x D matrices, each initialised as bragg's Wq, Wk, Wv
            xavier_(self.qkv.weight[part * d:(part + 1) * d], d, d)
        nn.init.zeros_(self.qkv.bias)
        self.proj = Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = Linear(d, hidden)
        self.fc2 = Linear(hidden, d)

    def forward(self, x):                                     # x [B, T, D]
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)       # [B, T, D] each
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        o = F.scaled_dot_product_attention(q, k, v)           # [B, H, T, Dh]
        x = x + self.proj(o.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Vit(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.patch = a.patch
        g = (a.height // a.patch) * (a.width // a.patch)
        self.embed = Linear(a.channels * a.patch * a.patch, a.dim)
        self.cls = nn.Parameter(torch.randn(1, 1, a.dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, g + 1, a.dim) * 0.02)
        self.blocks = nn.ModuleList(Block(a.dim, a.heads, a.hidden or 4 * a.dim) for _ in range(a.blocks))
        self.lnf = nn.LayerNorm(a.dim, eps=1e-5)
        self.head = Linear(a.dim, a.classes)

    def forward(self, x):                                     # x [B, C, H, W]
        b, c, h, w = x.shape
        p = self.patch
        x = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), c * p * p)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.lnf(x)[:, 0])


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("channels", 1), ("height", 64), ("width", 64), ("patch", 8), ("dim", 128), ("heads", 4),
                          ("blocks", 4), ("hidden", 0), ("classes", 2), ("batch", 32), ("infer-batch", 256),
                          ("threads", 2), ("seed", 42)]:
        ap.add_argument("--" + name, type=int, default=default)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--input", help="float32 little-endian patterns [batch, C, H, W], as bragg's bench uses")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Vit(a)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    shape = (a.batch, a.channels, a.height, a.width)
    if a.input:
        with open(a.input, "rb") as f:
            x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape).clone()
    else:
        x = torch.rand(shape)
    y = torch.arange(a.batch) % a.classes
    xi = x.repeat((a.infer_batch + a.batch - 1) // a.batch, 1, 1, 1)[:a.infer_batch].contiguous()

    def train(steps):
        model.train()
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()

    def infer(steps):
        model.eval()
        with torch.inference_mode():
            for _ in range(steps):
                model(xi)

    print(f"ready params={params} torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "quit":
            break
        if cmd[0] in ("train", "infer"):
            t0 = time.perf_counter()
            (train if cmd[0] == "train" else infer)(int(cmd[1]))
            print(f"ok {time.perf_counter() - t0:.6f}", flush=True)
        elif cmd[0] == "rss":
            print(f"ok {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0:.1f}", flush=True)
        else:
            print(f"error unknown command {cmd[0]!r}", flush=True)


if __name__ == "__main__":
    main()
