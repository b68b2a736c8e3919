#!/usr/bin/python3
"""The peer Diffuscope's image sampler is measured against: the same U-Net, written the plain
PyTorch way, sampled with a DDPM loop over t in Python.

The network is the one of diffusion/src/image_model.cpp, layer for layer and with the same
parameter names (so a Diffuscope checkpoint loads into it): levels at full, 1/2 and 1/4
resolution with base, base*m1 and base*m2 channels; residual blocks (GroupNorm, SiLU, 3x3 conv,
GroupNorm, FiLM scale and shift from the noise embedding, SiLU, 3x3 conv, 1x1 skip when the width
changes); strided 3x3 convolutions down; nearest-neighbour upsampling plus a 3x3 convolution up;
single-head self-attention at 1/4 resolution between two residual blocks; the noise level enters
as log-SNR (scaled to [-1, 1], sin/cos features, two linear layers). Written here with nn.Module,
nn.Conv2d, nn.GroupNorm and F.interpolate, as a course or blog post would.

Sampling: the linear DDPM schedule (Ho et al. 2020, beta 1e-4 .. 0.02, T = 1000), K steps with
trailing spacing (all of them by default), sigma_t^2 = beta_tilde, x0_hat clipped to [-1, 1],
all n images as one batch. Speed needs no training (the cost does not depend on the weights):
by default the weights are random. --checkpoint reads the architecture (and the weights) from a
Diffuscope checkpoint, and x_T and every z come from a torch.Generator seeded like Diffuscope's
NoiseSource (SplitMix64 of --seed), so `--out` writes the grid `diffuscope sample --data
fashion-mnist --model CKPT --seed S --out` writes, up to rounding: a check that this is the same
network and the same sampler.

Run with Debian's Python (python3-torch): /usr/bin/python3 bench/peer_unet.py --threads 2
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_SNR_MIN, LOG_SNR_MAX = -20.0, 14.0  # the model's clamp (diffusion/log_snr.hpp)
NOISE_WIDTH = 128


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm_1 = nn.GroupNorm(groups, cin)
        self.conv_1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm_2 = nn.GroupNorm(groups, cout)
        self.film = nn.Linear(NOISE_WIDTH, 2 * cout)
        self.conv_2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, embedding):
        h = self.conv_1(F.silu(self.norm_1(x)))
        scale, shift = self.film(embedding)[:, :, None, None].chunk(2, dim=1)
        h = self.norm_2(h) * (1 + scale) + shift
        h = self.conv_2(F.silu(h))
        return h + (self.skip(x) if self.skip is not None else x)


class UNet(nn.Module):
    def __init__(self, image_channels=1, base_channels=32, multiplier_1=2, multiplier_2=2, groups=8,
                 noise_features=16, attention=True):
        super().__init__()
        c0, c1, c2 = base_channels, base_channels * multiplier_1, base_channels * multiplier_2
        self.attention = attention
        self.noise_hidden = nn.Linear(2 * noise_features + 1, NOISE_WIDTH)
        self.noise_out = nn.Linear(NOISE_WIDTH, NOISE_WIDTH)
        self.input = nn.Conv2d(image_channels, c0, 3, padding=1)
        self.blocks = nn.ModuleList([
            ResidualBlock(c0, c0, groups),          # down, full resolution
            ResidualBlock(c0, c1, groups),          # down, 1/2
            ResidualBlock(c1, c2, groups),          # down, 1/4
            ResidualBlock(c2, c2, groups),          # middle
            ResidualBlock(c2, c2, groups),          # middle, after attention
            ResidualBlock(2 * c2, c2, groups),      # up, 1/4
            ResidualBlock(2 * c1, c1, groups),      # up, 1/2
            ResidualBlock(2 * c0, c0, groups),      # up, full resolution
        ])
        self.down_1 = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down_2 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.up_1 = nn.Conv2d(c2, c1, 3, padding=1)
        self.up_0 = nn.Conv2d(c1, c0, 3, padding=1)
        if attention:
            self.attention_norm = nn.GroupNorm(groups, c2)
            self.attention_qkv = nn.Conv2d(c2, 3 * c2, 1)
            self.attention_out = nn.Conv2d(c2, c2, 1)
        self.output_norm = nn.GroupNorm(groups, c0)
        self.output = nn.Conv2d(c0, image_channels, 3, padding=1)
        self.register_buffer("noise_frequencies",
                             torch.arange(1, noise_features + 1, dtype=torch.float32) * (math.pi / 2),
                             persistent=False)

    def embed(self, log_snr):
        middle = 0.5 * (LOG_SNR_MAX + LOG_SNR_MIN)
        half = 0.5 * (LOG_SNR_MAX - LOG_SNR_MIN)
        u = ((log_snr.clamp(LOG_SNR_MIN, LOG_SNR_MAX) - middle) / half)[:, None]
        angles = u * self.noise_frequencies
        features = torch.cat([u, angles.sin(), angles.cos()], dim=1)
        return F.silu(self.noise_out(F.silu(self.noise_hidden(features))))

    def forward(self, x, log_snr):
        e = self.embed(log_snr)
        b = self.blocks
        h0 = b[0](self.input(x), e)
        h1 = b[1](self.down_1(h0), e)
        h2 = b[2](self.down_2(h1), e)
        m = b[3](h2, e)
        if self.attention:
            n, c, height, width = m.shape
            q, k, v = self.attention_qkv(self.attention_norm(m)).reshape(n, 3, c, height * width).unbind(1)
            weights = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(c), dim=-1)
            m = m + self.attention_out((v @ weights.transpose(1, 2)).reshape(n, c, height, width))
        m = b[4](m, e)
        u = b[5](torch.cat([m, h2], dim=1), e)
        u = b[6](torch.cat([self.up_1(F.interpolate(u, scale_factor=2, mode="nearest")), h1], dim=1), e)
        u = b[7](torch.cat([self.up_0(F.interpolate(u, scale_factor=2, mode="nearest")), h0], dim=1), e)
        return self.output(F.silu(self.output_norm(u)))


def read_checkpoint(path):
    """Diffuscope's container (diffusion/checkpoint.hpp): metadata JSON and float32 tensors."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:16] != b"DIFFUSCOPE-CKPT\n":
        raise SystemExit(f"{path}: not a Diffuscope checkpoint")
    offset = 16 + 4
    (length,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    metadata = json.loads(data[offset:offset + length].decode("utf-8"))
    offset += length
    (count,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    tensors = {}
    for _ in range(count):
        (name_length,) = struct.unpack_from("<I", data, offset)
        offset += 4
        name = data[offset:offset + name_length].decode("utf-8")
        offset += name_length
        (rank,) = struct.unpack_from("<I", data, offset)
        offset += 4
        dims = struct.unpack_from(f"<{rank}q", data, offset)
        offset += 8 * rank
        numel = math.prod(dims)
        tensor = torch.frombuffer(bytearray(data[offset:offset + 4 * numel]), dtype=torch.float32)
        tensors[name] = tensor.reshape(dims)
        offset += 4 * numel
    return metadata, tensors


def splitmix64(seed):
    """diffusion::derive_seed(seed): the noise seed of `diffuscope sample --seed`."""
    mask = (1 << 64) - 1
    z = (seed + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def trailing_steps(alpha_bar, K):
    """(t, alpha_bar_t, alpha_bar_prev) for K trailing steps, t = round(T - k T / K), high to low."""
    T = len(alpha_bar) - 1
    ts = sorted({int(round(T - k * T / K)) for k in range(K)}, reverse=True)
    return [(t, float(alpha_bar[t]), float(alpha_bar[t_prev]), t_prev)
            for t, t_prev in zip(ts, ts[1:] + [0])]


def sample(model, steps, shape, generator, clip):
    """The reverse process, one Python iteration per step, all images as one batch."""
    x = torch.randn(shape, generator=generator)
    for t, ab, ab_prev, t_prev in steps:
        beta = 1.0 - ab / ab_prev
        log_snr = torch.tensor([math.log(ab / (1.0 - ab))])
        eps = model(x, log_snr)
        x0 = (x - math.sqrt(1.0 - ab) * eps) / math.sqrt(ab)
        if clip:
            x0 = x0.clamp(-1.0, 1.0)
        mean = (math.sqrt(ab_prev) * beta / (1.0 - ab)) * x0 + \
               (math.sqrt(1.0 - beta) * (1.0 - ab_prev) / (1.0 - ab)) * x
        if t_prev > 0:
            z = torch.randn(shape, generator=generator)
            x = mean + math.sqrt((1.0 - ab_prev) / (1.0 - ab) * beta) * z
        else:
            x = mean
    return x


def write_grid(path, images):
    """The layout of Diffuscope's write_image_grid_png: ceil(sqrt(n)) columns, tiles scaled to at
    least 56 px, 1-px mid-grey gutters."""
    import numpy as np
    from PIL import Image
    n, c, h, w = images.shape
    columns = math.ceil(math.sqrt(n) - 1e-9)
    rows = (n + columns - 1) // columns
    scale = max(1, -(-56 // min(h, w)))
    th, tw = h * scale, w * scale
    grid = np.full((rows * (th + 1) + 1, columns * (tw + 1) + 1, c), 128, dtype=np.uint8)
    pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
    for i in range(n):
        top, left = (i // columns) * (th + 1) + 1, (i % columns) * (tw + 1) + 1
        tile = pixels[i].transpose(1, 2, 0).repeat(scale, axis=0).repeat(scale, axis=1)
        grid[top:top + th, left:left + tw] = tile
    Image.fromarray(grid[:, :, 0] if c == 1 else grid).save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=64, help="images sampled as one batch")
    parser.add_argument("--steps", type=int, default=1000, help="sampling steps K of T = 1000 (trailing)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=28, help="image side when no --checkpoint")
    parser.add_argument("--checkpoint", help="a Diffuscope image checkpoint: its architecture and weights")
    parser.add_argument("--no-clip", action="store_true", help="do not clip x0_hat to [-1, 1]")
    parser.add_argument("--out", help="write the samples as a PNG grid (needs numpy and PIL)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    height = width = args.size
    if args.checkpoint:
        metadata, tensors = read_checkpoint(args.checkpoint)
        if metadata.get("kind") != "image-eps-model":
            raise SystemExit(f"{args.checkpoint}: not an image model ({metadata.get('kind')})")
        model = UNet(**metadata["model"])
        model.load_state_dict(tensors, strict=True)
        height, width = metadata["image_height"], metadata["image_width"]
    else:
        model = UNet()
    model.eval()
    channels = model.input.in_channels
    parameters = sum(p.numel() for p in model.parameters())
    print(f"peer: U-Net with {parameters} parameters, torch {torch.__version__}", file=sys.stderr)

    T = 1000
    beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    alpha_bar = torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1.0 - beta, dim=0)])
    steps = trailing_steps(alpha_bar, args.steps)
    shape = (args.n, channels, height, width)
    generator = torch.Generator().manual_seed(splitmix64(args.seed))
    with torch.inference_mode():
        model(torch.zeros(shape), torch.zeros(1))  # warm-up (allocations)
        start = time.perf_counter()
        images = sample(model, steps, shape, generator, not args.no_clip)
        seconds = time.perf_counter() - start
    rate = args.n * len(steps) / seconds
    threads = "thread" if args.threads == 1 else "threads"
    print(f"peer: {args.n} images x {len(steps)} steps in {seconds:.3f} s = {rate:.3e} image-steps/s "
          f"({args.threads} {threads})")
    if not torch.isfinite(images).all():
        raise SystemExit("peer: the samples are not finite")
    if args.out:
        write_grid(args.out, images)


if __name__ == "__main__":
    main()
