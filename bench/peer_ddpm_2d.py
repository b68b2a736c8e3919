#!/usr/bin/python3
"""The peer Diffuscope's 2D sampler is measured against: a plain-PyTorch DDPM for 2D points.

What a course or a blog post typically writes: an MLP on sinusoidal embeddings of x, y and the
integer timestep t (128 features each, concatenated to 384) -> Linear(384, 128) -> GELU, three
residual blocks h + GELU(Linear(128, 128)(h)), -> Linear(128, 2) predicting eps (~99k parameters);
the linear DDPM schedule (Ho et al. 2020, beta 1e-4 .. 0.02, T = 1000); sampling in a Python loop
over t with the whole cloud as one batch and sigma_t^2 = beta_tilde_t.

Speed needs no training (the cost does not depend on the weights). --train-steps trains it first,
on points read from --data (e.g. `diffuscope dataset --name moons --n 100000 --seed 1`), so its
quality can be quoted too: --reference (another draw of the dataset) prints the sliced Wasserstein
distance of the samples to it, defined as in Diffuscope (128 evenly spaced directions in [0, pi),
root mean of the squared 1D Wasserstein-2 distances).

Run with Debian's Python (python3-torch): /usr/bin/python3 bench/peer_ddpm_2d.py --threads 1
"""
import argparse
import math
import sys
import time

import torch
import torch.nn as nn


def sinusoidal_embedding(value, size, scale):
    """[N] -> [N, size]: sin and cos of scale * value at frequencies 1 .. 1e-4 (geometric)."""
    half = size // 2
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / (half - 1))
    angles = (scale * value.float()).unsqueeze(1) * frequencies.unsqueeze(0)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.activation = nn.GELU()

    def forward(self, h):
        return h + self.activation(self.linear(h))


class PeerMlp(nn.Module):
    EMBEDDING = 128
    HIDDEN = 128

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(3 * self.EMBEDDING, self.HIDDEN),
            nn.GELU(),
            ResidualBlock(self.HIDDEN),
            ResidualBlock(self.HIDDEN),
            ResidualBlock(self.HIDDEN),
            nn.Linear(self.HIDDEN, 2),
        )

    def forward(self, x, t):
        # Coordinates are ~unit scale, so they are stretched (x 25) to reach the high frequencies.
        features = torch.cat([
            sinusoidal_embedding(x[:, 0], self.EMBEDDING, 25.0),
            sinusoidal_embedding(x[:, 1], self.EMBEDDING, 25.0),
            sinusoidal_embedding(t, self.EMBEDDING, 1.0),
        ], dim=1)
        return self.layers(features)


class LinearSchedule:
    """DDPM linear schedule (Ho et al. 2020); t is 0-based here (t = 0 is the paper's t = 1)."""

    def __init__(self, T=1000, beta_start=1e-4, beta_end=0.02):
        self.T = T
        self.beta = torch.linspace(beta_start, beta_end, T, dtype=torch.float64)
        self.alpha = 1.0 - self.beta
        self.alpha_bar = torch.cumprod(self.alpha, dim=0)
        alpha_bar_prev = torch.cat([torch.ones(1, dtype=torch.float64), self.alpha_bar[:-1]])
        self.beta_tilde = self.beta * (1.0 - alpha_bar_prev) / (1.0 - self.alpha_bar)


def sample(model, schedule, n, generator):
    """The reverse process, one Python iteration per t, the whole cloud as one batch."""
    x = torch.randn(n, 2, generator=generator)
    for t in reversed(range(schedule.T)):
        beta = float(schedule.beta[t])
        eps = model(x, torch.full((n,), t, dtype=torch.long))
        mean = (x - beta / math.sqrt(1.0 - float(schedule.alpha_bar[t])) * eps) / math.sqrt(1.0 - beta)
        if t > 0:
            x = mean + math.sqrt(float(schedule.beta_tilde[t])) * torch.randn(n, 2, generator=generator)
        else:
            x = mean
    return x


def train(model, schedule, data, steps, batch, learning_rate, generator):
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    alpha_bar = schedule.alpha_bar.float()
    recent = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        index = torch.randint(0, data.shape[0], (batch,), generator=generator)
        x0 = data[index]
        t = torch.randint(0, schedule.T, (batch,), generator=generator)
        eps = torch.randn(batch, 2, generator=generator)
        ab = alpha_bar[t].unsqueeze(1)
        x_t = ab.sqrt() * x0 + (1.0 - ab).sqrt() * eps
        loss = torch.mean((model(x_t, t) - eps) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        recent = (recent + [loss.item()])[-100:]
        if step % max(1, steps // 10) == 0 or step == steps:
            print(f"peer train: step {step}/{steps}  loss {sum(recent) / len(recent):.4f}  "
                  f"elapsed {time.perf_counter() - start:.1f} s", file=sys.stderr)


def read_xy_csv(path):
    with open(path) as f:
        header = f.readline().strip()
        if header != "x,y":
            raise SystemExit(f"{path}: expected the header 'x,y', got '{header}'")
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    return torch.tensor(rows, dtype=torch.float32)


def sliced_wasserstein(a, b, directions=128):
    """Equal-size clouds: sorted projections are the quantile functions on a common grid."""
    if a.shape[0] != b.shape[0]:
        raise SystemExit("sliced_wasserstein: the samples and the reference must have equal sizes")
    angles = torch.arange(directions, dtype=torch.float64) * math.pi / directions
    axes = torch.stack([torch.cos(angles), torch.sin(angles)], dim=0)  # [2, D]
    pa = torch.sort(a.double() @ axes, dim=0).values
    pb = torch.sort(b.double() @ axes, dim=0).values
    return math.sqrt(float(torch.mean((pa - pb) ** 2)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="points sampled as one batch")
    parser.add_argument("--T", type=int, default=1000, help="diffusion steps (all are visited)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-steps", type=int, default=0, help="train first (needs --data)")
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--data", help="training points, CSV x,y (from `diffuscope dataset`)")
    parser.add_argument("--reference", help="fresh points, CSV x,y, --n of them: print the SWD")
    parser.add_argument("--out", help="write the samples here as CSV x,y")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    model = PeerMlp()
    schedule = LinearSchedule(args.T)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"peer: {parameters} parameters, torch {torch.__version__}", file=sys.stderr)

    if args.train_steps > 0:
        if not args.data:
            raise SystemExit("--train-steps needs --data")
        train(model, schedule, read_xy_csv(args.data), args.train_steps, args.batch, args.lr, generator)

    model.eval()
    with torch.inference_mode():
        model(torch.zeros(args.n, 2), torch.zeros(args.n, dtype=torch.long))  # warm-up (allocations)
        start = time.perf_counter()
        samples = sample(model, schedule, args.n, generator)
        seconds = time.perf_counter() - start
    point_steps = args.n * args.T / seconds
    threads = "thread" if args.threads == 1 else "threads"
    print(f"peer: {args.n} points x {args.T} steps in {seconds:.3f} s = {point_steps:.3e} point-steps/s "
          f"({args.threads} {threads})")
    if args.reference:
        distance = sliced_wasserstein(samples, read_xy_csv(args.reference))
        print(f"peer: sliced Wasserstein distance to fresh data: {distance:.4f} (128 directions)")
    if args.out:
        with open(args.out, "w") as f:
            f.write("x,y\n")
            for x, y in samples.tolist():
                f.write(f"{x!r},{y!r}\n")


if __name__ == "__main__":
    main()
