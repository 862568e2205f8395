"""The PSC hall against the acts' queue norms: Erlang-C and a SimPy simulation of the same M/M/c queue.

The acts fix, per channel, the longest a visitor may wait to hand in documents and the longest the
service itself may take (e.g. mlsp-2021 annex 3 item 3.2: 15 minutes at a PSC).  A hall head asks two
questions: with K windows open and N visitors an hour, how many wait longer than the norm; and how many
windows meet it.  Erlang-C answers both exactly for Poisson arrivals and exponential service; the
simulation answers them for the same queue by running it, so the two check each other (tests) and the
simulation can later take what Erlang-C cannot (arrival peaks, windows closing at lunch).

Times are in minutes, rates per hour.  Pure: no Django.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


class QueueInputError(ValueError):
    """Arrivals, windows or times that describe no queue (a one-line reason naming the input)."""


@dataclass(frozen=True)
class Hall:
    arrivals_per_hour: float
    service_minutes: float  # the mean time at the window
    windows: int

    def __post_init__(self) -> None:
        if not self.arrivals_per_hour > 0:
            raise QueueInputError("--arrivals must be a positive number of visitors per hour")
        if not self.service_minutes > 0:
            raise QueueInputError("--service must be a positive number of minutes")
        if self.windows < 1:
            raise QueueInputError("--windows must be at least 1")

    @property
    def load(self) -> float:
        """Offered load in erlangs: how many windows the arrivals keep busy on average."""
        return self.arrivals_per_hour * self.service_minutes / 60

    @property
    def utilisation(self) -> float:
        return self.load / self.windows

    @property
    def stable(self) -> bool:
        """Fewer visitors arrive than the windows can serve; otherwise the queue grows without end."""
        return self.utilisation < 1


@dataclass(frozen=True)
class Waits:
    """What visitors experience: the chance to wait at all, the mean wait, the share over the norm."""

    p_wait: float
    mean_wait: float  # minutes
    over_norm: float  # share of visitors waiting longer than the norm
    p90_wait: float  # minutes: nine visitors in ten wait at most this long
    visitors: int = 0  # simulated visitors measured (0 for Erlang-C)


def erlang_c(hall: Hall, norm_minutes: float) -> Waits:
    """The exact M/M/c answer; an unstable hall waits for ever (inf)."""
    if not hall.stable:
        return Waits(1.0, math.inf, 1.0, math.inf)
    a, c = hall.load, hall.windows
    # Sum a^k/k! iteratively: factorials of a busy hall's window count overflow floats otherwise.
    term, below = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        below += term
    top = term * a / c / (1 - a / c)
    p_wait = top / (below + top)
    drain = (c / hall.service_minutes) - (hall.arrivals_per_hour / 60)  # per minute: c·μ − λ
    over = p_wait * math.exp(-drain * norm_minutes)
    # P(W > t) = C·e^(−(cμ−λ)t), so the 90th percentile is 0 when fewer than one in ten wait at all.
    p90 = 0.0 if p_wait <= 0.1 else math.log(p_wait / 0.1) / drain
    return Waits(p_wait, p_wait / drain, over, p90)


def simulate(hall: Hall, norm_minutes: float, *, visitors: int = 50_000, warmup: int = 2_000,
             seed: int = 1) -> Waits:
    """Run the hall in SimPy: Poisson arrivals, exponential service, first come first served.

    The first ``warmup`` visitors are not measured (the hall opens empty); ``visitors`` are.
    """
    import simpy

    if visitors < 1 or warmup < 0:
        raise QueueInputError("--visitors must be at least 1 and --warmup not negative")
    rng = random.Random(seed)
    env = simpy.Environment()
    windows = simpy.Resource(env, capacity=hall.windows)
    waits: list[float] = []
    total = visitors + warmup
    gap = 60 / hall.arrivals_per_hour

    def visitor(index: int):
        arrived = env.now
        with windows.request() as turn:
            yield turn
            if index >= warmup:
                waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1 / hall.service_minutes))

    def arrivals():
        for index in range(total):
            env.process(visitor(index))
            yield env.timeout(rng.expovariate(1 / gap))

    env.process(arrivals())
    env.run()
    waits.sort()
    n = len(waits)
    return Waits(
        p_wait=sum(1 for w in waits if w > 0) / n, mean_wait=sum(waits) / n,
        over_norm=sum(1 for w in waits if w > norm_minutes) / n, p90_wait=waits[min(n - 1, int(0.9 * n))],
        visitors=n,
    )


def windows_needed(arrivals_per_hour: float, service_minutes: float, norm_minutes: float,
                   target: float = 0.95) -> int:
    """The fewest windows with which at least ``target`` of visitors wait no longer than the norm (Erlang-C)."""
    if not 0 < target < 1:
        raise QueueInputError("--target must be a share between 0 and 1, e.g. 0.95")
    windows = max(1, math.floor(arrivals_per_hour * service_minutes / 60) + 1)
    while erlang_c(Hall(arrivals_per_hour, service_minutes, windows), norm_minutes).over_norm > 1 - target:
        windows += 1
    return windows
