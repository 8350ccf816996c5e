"""The one timer of the benchmarks: warm up, synchronise, then time, synchronising again
before the clock is read."""
import copy
from dataclasses import dataclass
from time import perf_counter, process_time
from typing import Callable, Dict, List, Optional

import torch

__all__ = ['Timing', 'seconds_per_sample', 'time_calls']


@dataclass(frozen=True)
class Timing:
    """The best repeat of :func:`time_calls`.

    Attributes:
        seconds: mean wall seconds per timed call.
        cores: process CPU seconds over wall seconds in that repeat (threads of this process
            only; child processes are not counted).
    """

    seconds: float
    cores: float


def synchronize(device: Optional[torch.device]) -> None:
    """Wait for the kernels queued on ``device`` (a CUDA device; nothing to wait for
    otherwise)."""
    if device is not None and torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)


def time_calls(step: Callable[[int], object], calls: int, warmup: int = 1, repeats: int = 1,
               prepare: Optional[Callable[[], None]] = None,
               device: Optional[torch.device] = None) -> Timing:
    """Time ``step(0)``, ..., ``step(calls - 1)``, best of ``repeats``.

    First ``step(0)``, ..., ``step(warmup - 1)`` run untimed (graph creation, first
    allocations, lazy imports). ``prepare`` runs untimed before the warm-up and before each
    repeat (e.g. fresh copies of inputs that ``step`` consumes). On a CUDA ``device`` the
    queued kernels are synchronised before the clock starts and before it is read, so
    neither the warm-up's kernels are counted nor the timed ones missed.

    Returns:
        Timing: the repeat with the least wall time.
    """
    if calls < 1 or warmup < 0 or repeats < 1:
        raise ValueError(f'time_calls needs calls >= 1, warmup >= 0 and repeats >= 1, got '
                         f'{calls}, {warmup} and {repeats}')
    if warmup:
        if prepare is not None:
            prepare()
        for index in range(warmup):
            step(index)
    best = None
    for _ in range(repeats):
        if prepare is not None:
            prepare()
        synchronize(device)
        cpu, start = process_time(), perf_counter()
        for index in range(calls):
            step(index)
        synchronize(device)
        wall, cpu = perf_counter() - start, process_time() - cpu
        if best is None or wall < best[0]:
            best = wall, cpu
    wall, cpu = best
    return Timing(seconds=wall / calls, cores=cpu / wall if wall > 0 else 0.)


def seconds_per_sample(function: Callable[[Dict], object], samples: List[Dict],
                       repeats: int) -> float:
    """Best-of-``repeats`` mean seconds of ``function`` on each of ``samples``.

    Each repeat (and the one-sample warm-up) gets fresh deep copies, made untimed, as
    transforms may change their input in place.
    """
    inputs: List[Dict] = []

    def fresh_copies() -> None:
        inputs[:] = copy.deepcopy(samples)

    return time_calls(lambda index: function(inputs[index]), len(samples), repeats=repeats,
                      prepare=fresh_copies).seconds
