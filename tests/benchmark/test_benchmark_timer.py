"""posetools.benchmark.timer: warm-up untimed, CUDA synchronised around the timed calls,
inputs prepared untimed, the best repeat kept. A fake clock makes every check exact; nothing
here asserts a speed."""
from typing import List

import pytest
import torch

from posetools.benchmark import timer
from posetools.benchmark.timer import seconds_per_sample, time_calls


class FakeClock:
    """A perf_counter that advances only when a timed function says so, logging reads."""

    def __init__(self, log: List[str]) -> None:
        self.now, self.log = 0., log

    def __call__(self) -> float:
        self.log.append('clock')
        return self.now


@pytest.fixture
def log(monkeypatch) -> List[str]:
    """The order of events: 'clock' reads, 'sync' calls and whatever the test appends."""
    events: List[str] = []
    monkeypatch.setattr(timer, 'perf_counter', FakeClock(events))
    monkeypatch.setattr(torch.cuda, 'synchronize', lambda device=None: events.append('sync'))
    return events


def test_warmup_is_not_timed(log):
    """A function whose first call costs 10 s and later ones 1 s is timed at 1 s a call."""
    clock = timer.perf_counter

    def step(index: int) -> None:
        clock.now += 10. if 'first call done' not in log else 1.
        log.append('first call done')

    assert time_calls(step, calls=3).seconds == 1.


def test_without_warmup_the_first_call_counts(log):
    clock = timer.perf_counter
    costs = iter([10., 1., 1.])

    def step(index: int) -> None:
        clock.now += next(costs)

    assert time_calls(step, calls=3, warmup=0).seconds == 4.


def test_cuda_is_synchronised_after_the_warmup_and_before_each_clock_read(log):
    time_calls(lambda index: log.append(f'call {index}'), calls=2, warmup=1,
               device=torch.device('cuda'))
    assert log == ['call 0', 'sync', 'clock', 'call 0', 'call 1', 'sync', 'clock']


def test_cpu_is_not_synchronised(log):
    time_calls(lambda index: log.append(f'call {index}'), calls=1, warmup=1,
               device=torch.device('cpu'))
    assert log == ['call 0', 'clock', 'call 0', 'clock']


def test_prepare_runs_untimed_before_the_warmup_and_each_repeat_and_the_best_repeat_wins(log):
    clock = timer.perf_counter
    costs = iter([100., 3., 5., 2., 2.])  # the warm-up, then two calls in each of 2 repeats

    def step(index: int) -> None:
        clock.now += next(costs)
        log.append(f'call {index}')

    timing = time_calls(step, calls=2, warmup=1, repeats=2, prepare=lambda: log.append('prep'))
    assert log == ['prep', 'call 0', 'prep', 'clock', 'call 0', 'call 1', 'clock',
                   'prep', 'clock', 'call 0', 'call 1', 'clock']
    assert timing.seconds == 2.  # (2 + 2) / 2: the second repeat, not the mean of both


@pytest.mark.parametrize('calls, warmup, repeats', [(0, 1, 1), (1, -1, 1), (1, 1, 0)])
def test_invalid_counts(calls, warmup, repeats):
    with pytest.raises(ValueError, match='time_calls needs'):
        time_calls(lambda index: None, calls, warmup, repeats)


def test_seconds_per_sample_gives_each_repeat_fresh_copies():
    """A transform that consumes its input in place runs on every sample in every repeat
    (and the warm-up); the caller's samples stay as they were."""
    samples = [dict(keypoint=[index]) for index in range(3)]
    seen = []
    seconds_per_sample(lambda sample: seen.append(sample.pop('keypoint')), samples, repeats=2)
    assert seen == [[0]] + [[0], [1], [2]] * 2
    assert samples == [dict(keypoint=[index]) for index in range(3)]
