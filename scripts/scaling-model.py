#!/usr/bin/env python3
"""The scaling model of BENCHMARKS.md ("Scaling model"): predicted step time and scaling
efficiency of N data-parallel replicas, from measured inputs only (no fitted constants).

  S        gradient bytes per step = 4 (P + 1)  (2 (P + 1) with bf16 on the wire)
  B        bytes/s a ring link carries = r x link, r = the ring's measured busbw over what the
           same TCP path carries (bench allreduce: ratio_ring_to_loopback_duplex across JVMs)
  alpha    the ring's measured per-hop latency (bench allreduce: ring 4 B time / 2(N-1))
  T_ring(N, S) = 2 (N - 1) alpha + 2 (N - 1) / N * S / B          (reduce-scatter + all-gather)
  no overlap  T(N) = T_c + T_ring(N, S)
  overlap     T(N) = T_c + max(0, T_ring(N, S) - f_b T_c)         (f_b = backward share of T_c)
  hierarchical, G ranks a host, H = N / G hosts:
              T_ring_h = 2 T_ring_local(G, S) + T_ring(H, S)       (all-reduce in the host, ring
                                                                    across hosts, broadcast back
                                                                    as a host all-reduce of zeros)
  efficiency E(N) = T_c / T(N)   (weak scaling: each replica keeps its batch)

Usage: scripts/scaling-model.py --alpha-us 60 --ring-efficiency 0.75 --local-alpha-us A --local-gbps B
       [--model vit:810370:146 --model s:21419138:1893]   (name:parameters:step ms of one replica)
Prints markdown tables.
"""
import argparse


def t_ring(n, s_bytes, alpha_s, bytes_per_s):
    if n <= 1:
        return 0.0
    return 2 * (n - 1) * alpha_s + 2 * (n - 1) / n * s_bytes / bytes_per_s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha-us", type=float, required=True, help="measured per-hop latency across JVMs, us")
    ap.add_argument("--ring-efficiency", type=float, required=True, help="r: measured ring busbw / loopback (duplex)")
    ap.add_argument("--local-alpha-us", type=float, required=True, help="per-hop latency inside one host, us")
    ap.add_argument("--local-gbps", type=float, required=True, help="ring busbw inside one host, GB/s (10^9)")
    ap.add_argument("--model", action="append", default=[], help="name:parameters:step_ms")
    ap.add_argument("--backward-share", type=float, default=2 / 3)
    ap.add_argument("--per-host", type=int, default=8, help="G, ranks per host for the hierarchical rows")
    ap.add_argument("--links", default="10,25,100", help="Gb/s")
    ap.add_argument("--ns", default="2,4,8,16,32,64,128,256,512,1024")
    a = ap.parse_args()
    models = [m.split(":") for m in (a.model or ["vit:810370:146", "s:21419138:1893"])]
    alpha = a.alpha_us * 1e-6
    local_alpha = a.local_alpha_us * 1e-6
    local_b = a.local_gbps * 1e9
    ns = [int(x) for x in a.ns.split(",")]
    for name, params, step_ms in models:
        p, tc = int(params), float(step_ms) / 1e3
        for link in [float(x) for x in a.links.split(",")]:
            b = a.ring_efficiency * link / 8 * 1e9
            print(f"\n{name} ({p:,} parameters, T_c {tc * 1e3:.0f} ms), {link:g} Gb/s link "
                  f"(B = {b / 1e9:.3f} GB/s): step ms / efficiency")
            print("\n| N | no overlap | overlap | bf16 | overlap + bf16 | hierarchical (G=%d) | latency share (no overlap) |"
                  % a.per_host)
            print("|---|---|---|---|---|---|---|")
            for n in ns:
                row = [str(n)]
                for bf16, overlap in [(False, False), (False, True), (True, False), (True, True)]:
                    s = (2 if bf16 else 4) * (p + 1)
                    tr = t_ring(n, s, alpha, b)
                    t = tc + (max(0.0, tr - a.backward_share * tc) if overlap else tr)
                    row.append(f"{t * 1e3:.0f} / {tc / t:.2f}")
                s = 4 * (p + 1)
                g = min(a.per_host, n)
                h = max(1, n // g)
                # one host: its ring is the whole all-reduce (no ring of hosts, no broadcast back)
                trh = t_ring(g, s, local_alpha, local_b) if h == 1 else \
                    2 * t_ring(g, s, local_alpha, local_b) + t_ring(h, s, alpha, b)
                t = tc + trh
                row.append(f"{t * 1e3:.0f} / {tc / t:.2f}")
                tr = t_ring(n, 4 * (p + 1), alpha, b)
                row.append(f"{2 * (n - 1) * alpha / tr:.2f}")
                print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
