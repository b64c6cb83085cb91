"""Times PyTorch's scaled_dot_product_attention (float32, forward + backward) on the GPU at the
shapes gpu-check timed, and prints each OpenCL GPU row's ratio to it. Usage: sdpa.py GPU_CHECK_JSON.
FLOP convention as gpu-check: forward 4*B*H*L*L*Dh, backward 2.5x. TF32 is off, so the matmuls
are true float32, as the OpenCL kernels are; a large float32 matmul is timed for a practical peak."""
import json
import sys
import time

import torch
import torch.nn.functional as F


def median_seconds(fn, reps=5):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    if not torch.cuda.is_available():
        print("sdpa: torch has no CUDA device; SDPA not timed")
        return 0
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    report = json.load(open(sys.argv[1]))
    rows = [r for r in report["rows"] if r["kind"] == "time"]
    dev = torch.device("cuda")
    print(f"sdpa: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    n = 8192
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    mm = median_seconds(lambda: a @ b)
    print(f"sdpa: float32 matmul {n}^3: {2 * n ** 3 / mm / 1e9:.0f} GFLOP/s (practical float32 peak)")
    del a, b
    out = {"matmul_fp32_gflops": 2 * n ** 3 / mm / 1e9, "shapes": []}
    for shape in sorted({(r["B"], r["H"], r["L"], r["Dh"]) for r in rows}):
        bs, h, l, dh = shape
        q, k, v = (torch.randn(bs, h, l, dh, device=dev, requires_grad=True) for _ in range(3))
        g = torch.randn(bs, h, l, dh, device=dev)

        def fwd_bwd():
            o = F.scaled_dot_product_attention(q, k, v)
            o.backward(g)

        flops = 4.0 * bs * h * l * l * dh * 3.5
        sdpa = flops / median_seconds(fwd_bwd) / 1e9
        entry = {"B": bs, "H": h, "L": l, "Dh": dh, "sdpa_fp32_gflops": sdpa, "ratios": {}}
        for r in rows:
            if (r["B"], r["H"], r["L"], r["Dh"]) == shape:
                entry["ratios"][r["backend"]] = r["gflops"] / sdpa
                print(f"sdpa: B={bs} H={h} L={l} Dh={dh}: SDPA {sdpa:.0f} GFLOP/s; {r['backend']} "
                      f"{r['gflops']:.1f} GFLOP/s = {r['gflops'] / sdpa:.3f} of SDPA")
        out["shapes"].append(entry)
        del q, k, v, g
        torch.cuda.empty_cache()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
