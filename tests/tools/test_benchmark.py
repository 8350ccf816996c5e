"""benchmark.py topics run on tiny inputs, check their outputs agree and print their tables."""
import math
import re
from typing import Tuple

import pytest
from mmaction.datasets.transforms import GeneratePoseTarget as MMActionGeneratePoseTarget

from posetools.benchmark.heatmap import check_same_heatmaps
from posetools.benchmark.inputs import coco_2d_samples
from posetools.datasets.transforms import GeneratePoseTarget
from tests.helpers import run_tool

# topic: (arguments, what its table shows: 'seconds' (speed-up = reference / posetools) or
# 'rate' (speed-up = posetools / reference))
TOPICS = {
    'skeleton-pipeline': (['--samples', '4', '--frames', '40', '--clip-len', '16'], 'seconds'),
    'heatmap': (['--samples', '2', '--frames', '4', '--size', '24'], 'seconds'),
    'mae': (['--img-size', '32', '--frames', '4', '--batch-size', '2', '--steps', '1'], 'rate'),
    'posec3d-pipeline': (['configs/posec3d/slowonly_r50_synth.py', '--samples', '8', '--frames',
                          '20', '--batch-size', '2', '--batches', '2', '--steps', '1'], 'rate'),
}
MASKING = ['--samples', '10', '--batch-size', '2', '--steps', '1', '--repeats', '2']
# | what | reference [(name)] | posetools | speed-up x |
SPEED_UP_ROW = re.compile(r'^\| ([^|]+?) +\| +([0-9.]+)(?: \([^)]*\))? \| +([0-9.]+) \| '
                          r'+([0-9.]+)x \|$', re.MULTILINE)


def printed_range(text: str) -> Tuple[float, float]:
    """The values that print as ``text``, a number rounded to its decimals."""
    half = 0.5 * 10.**-len(text.partition('.')[2])
    return float(text) - half, float(text) + half


def quotient_range(numerator: str, denominator: str) -> Tuple[float, float]:
    """The quotients of the values that print as ``numerator`` and ``denominator``."""
    (low, high), (below, above) = printed_range(numerator), printed_range(denominator)
    return low / above, high / below if below > 0 else math.inf


@pytest.mark.parametrize('topic', sorted(TOPICS))
def test_topic_prints_speed_ups(topic):
    """Each row's speed-up is the quotient of the two measurements it prints (reference /
    posetools for times, posetools / reference for rates), to the printed precision."""
    args, kind = TOPICS[topic]
    out = run_tool(['tools/analysis/benchmark.py', topic, *args]).stdout
    rows = SPEED_UP_ROW.findall(out)
    assert len(rows) == 2, out
    for name, reference, ours, speed_up in rows:
        low, high = (quotient_range(reference, ours) if kind == 'seconds'
                     else quotient_range(ours, reference))
        printed_low, printed_high = printed_range(speed_up)
        assert printed_low <= high and low <= printed_high, (name, out)
    if topic == 'mae':
        assert re.search(r'fine-tune train step .*\n.*pretrain step, mask 0.9', out), out
    if topic == 'posec3d-pipeline':
        assert re.search(r'data pipeline, 0 workers .*\n.*data pipeline, 2 workers', out), out
        assert re.search(r'train step \(model \+ optimiser\) +\| +- \| +[0-9.]+ \|', out), out


def test_heatmap_check_refuses_to_time_different_outputs():
    """The heatmap topic times only implementations whose volumes agree: a sigma off by 0.1
    is an AssertionError naming the sample."""
    samples = coco_2d_samples(2, frames=3, persons=1, size=16, seed=0)
    kwargs = dict(with_kp=True, with_limb=False, sigma=0.6, use_score=True)
    reference = MMActionGeneratePoseTarget(**kwargs)
    shape = check_same_heatmaps(reference, GeneratePoseTarget(**kwargs), samples, 'joints')
    assert shape == (3, 17, 16, 16)
    with pytest.raises(AssertionError, match='joints heatmaps differ on sample0: '):
        check_same_heatmaps(reference, GeneratePoseTarget(**dict(kwargs, sigma=0.7)), samples,
                            'joints')


def test_masking_prints_each_maskers_share_of_a_train_step():
    """Each masker's share is its time over the train step's, PoseSaliency's its time over
    the pipeline's, all as printed (how large a share is depends on the machine's load)."""
    out = run_tool(['tools/analysis/benchmark.py', 'masking', *MASKING]).stdout
    rows = dict((name, (time, share)) for name, time, share in re.findall(
        r'\| ([A-Za-z0-9 ,+.()]+?) +\| +([0-9.]+) \| +([0-9.]+)% \|', out))
    assert set(rows) == {'tube', 'random', 'directed', 'directed, tubes + background',
                         'motion', 'running cell 0.75', 'PoseSaliency',
                         'train step (reference)', 'whole pipeline (reference)'}, out
    for name, (time, share) in rows.items():
        per_sample = name in ('PoseSaliency', 'whole pipeline (reference)')
        reference = rows['whole pipeline (reference)' if per_sample
                         else 'train step (reference)'][0]
        low, high = quotient_range(time, reference)
        share_low, share_high = printed_range(share)
        assert share_low <= 100 * high and 100 * low <= share_high, (name, out)


POSE_TINY = ['--sizes', '64', '96', '--frames', '1', '--reference-frames', '1', '--warmup', '1']
POSE_ROW = re.compile(r'^\| (\S+) +\| +(\d+)x(\d+) \| (.*) \|$', re.MULTILINE)


def run_pose_topic(args, hide_mmcv_ops=False) -> str:
    """``benchmark.py pose ARGS``' stdout; with ``hide_mmcv_ops`` mmcv's compiled ops do not
    import (as in posetools' main environment, which has mmcv-lite), wherever this runs."""
    code = ("import runpy, sys; sys.path.insert(0, 'tools/analysis'); "
            + ("sys.modules['mmcv._ext'] = None; " if hide_mmcv_ops else '')
            + f"sys.argv = ['benchmark.py', 'pose', *{[str(arg) for arg in args]!r}]; "
            "runpy.run_path('tools/analysis/benchmark.py', run_name='__main__')")
    return run_tool(['-c', code]).stdout


def pose_rows(out: str) -> dict:
    """(backend, (h, w)) -> the rest of its row's cells."""
    return {(name, (int(height), int(width))): [cell.strip() for cell in rest.split(' | ')]
            for name, height, width, rest in POSE_ROW.findall(out)}


def test_pose_reports_an_unavailable_reference_and_the_workers_scaling():
    """Both tables' structure (no timing assertions); the mm reference unavailable is a row
    that says why, and no backend gets a ratio."""
    out = run_pose_topic([*POSE_TINY, '--videos', '1', '--video-frames', '2', '--video-size',
                          '64', '--workers', '1'], hide_mmcv_ops=True)
    rows = pose_rows(out)
    sizes = [(64, 114), (96, 170)]  # 16:9, even widths
    assert set(rows) == {(name, size) for name in ('mediapipe', 'mediapipe-topdown', 'mm')
                         for size in sizes}, out
    for size in sizes:
        problem, = rows['mm', size]
        assert problem.startswith('not available: ImportError: ') and 'mmcv' in problem, out
        for name in ('mediapipe', 'mediapipe-topdown'):
            fps, people, cores, ratio = rows[name, size]
            assert float(fps) > 0 and float(people) >= 0 and float(cores) > 0, out
            assert ratio == '-', out  # no reference, no ratio
    # extract_pose.py with 1 worker: wall and start-up seconds; the rates and speed-up after
    # start-up, or '-' where the start-up took as long as the whole run (tiny here)
    scaling = re.findall(r'^\| +1 \| +([0-9.]+) \| +([0-9.]+) \| +([0-9.]+|-) \| '
                         r'+([0-9.]+|-) \| +([0-9.]+) \| +(1.00x|-) \|$', out, re.MULTILINE)
    assert len(scaling) == 1 and float(scaling[0][0]) > 0 and float(scaling[0][1]) > 0, out


def test_pose_reference_with_tiny_mm_models():
    """Where mmcv's ops, mmdet and mmpose import (.venv-mm): the ratio column against the
    reference, here with the tiny random-weight models of tests/data/mm_configs/."""
    from tests.pose.test_mm_backend import CONFIGS, mm_unavailable_reason
    reason = mm_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    out = run_pose_topic(['--sizes', '64', '--frames', '1', '--reference-frames', '1',
                          '--backends', 'mediapipe', 'mm', '--videos', '0', '--det-config',
                          CONFIGS / 'faster-rcnn_r18_fpn_tiny.py', '--pose-config',
                          CONFIGS / 'td-hm_res18_tiny.py'])
    rows = pose_rows(out)
    assert rows['mm', (64, 114)][1:] and rows['mm', (64, 114)][-1] == 'reference', out
    assert rows['mm', (64, 114)][1] == '1.00 (given)', out
    assert float(rows['mediapipe', (64, 114)][-1].rstrip('x')) > 0, out
