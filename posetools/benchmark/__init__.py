"""Speed of posetools against the reference it replaces, measured in the same run.

The library behind ``tools/analysis/benchmark.py TOPIC``: :mod:`.timer` (the one timer),
:mod:`.inputs` (generated inputs), :mod:`.report` (the speed-up table) and one module per
topic, each with ``add_parser(topics)`` and ``run(args)``: :mod:`.skeleton_pipeline`,
:mod:`.heatmap`, :mod:`.posec3d_pipeline`, :mod:`.mae`, :mod:`.masking` and :mod:`.pose`.
"""
from posetools.benchmark.timer import Timing, seconds_per_sample, time_calls

__all__ = ['Timing', 'seconds_per_sample', 'time_calls']
