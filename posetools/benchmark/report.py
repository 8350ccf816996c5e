"""The table of the time-per-call topics: each row's reference, posetools and speed-up."""
from typing import Sequence, Tuple

__all__ = ['print_speed_up_table']


def print_speed_up_table(rows: Sequence[Tuple[str, float, float]]) -> None:
    """Print a markdown table of ``(what, reference seconds, posetools seconds)`` rows, in
    milliseconds, with the speed-up ``reference / posetools`` of each."""
    print(f'| {"what":<40} | {"mmaction2 ms":>12} | {"posetools ms":>12} | {"speed-up":>8} |')
    print(f'| {"-" * 40} | {"-" * 12}:| {"-" * 12}:| {"-" * 8}:|')
    for name, reference, ours in rows:
        print(f'| {name:<40} | {reference * 1e3:12.3f} | {ours * 1e3:12.3f} | '
              f'{reference / ours:7.1f}x |')
