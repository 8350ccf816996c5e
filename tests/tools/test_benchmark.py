"""benchmark.py topics run on tiny inputs, check their outputs agree and print their tables."""
import re

import pytest

from tests.helpers import run_tool

TOPICS = {
    'skeleton-pipeline': ['--samples', '4', '--frames', '40', '--clip-len', '16'],
    'heatmap': ['--samples', '2', '--frames', '4', '--size', '24'],
    'mae': ['--img-size', '32', '--frames', '4', '--batch-size', '2', '--steps', '1'],
    'posec3d-pipeline': ['configs/posec3d/slowonly_r50_synth.py', '--samples', '8',
                         '--frames', '20', '--batch-size', '2', '--batches', '2', '--steps',
                         '1'],
    'masking': ['--samples', '10', '--batch-size', '2', '--steps', '1', '--repeats', '2'],
}


@pytest.mark.parametrize('topic', sorted(set(TOPICS) - {'masking'}))
def test_topic_prints_speed_ups(topic):
    out = run_tool(['tools/analysis/benchmark.py', topic, *TOPICS[topic]]).stdout
    ratios = [float(ratio) for ratio in re.findall(r'\|\s+([0-9.]+)x \|', out)]
    assert ratios and all(ratio > 0 for ratio in ratios), out
    if topic == 'mae':
        assert re.search(r'fine-tune train step .*\n.*pretrain step, mask 0.9', out), out
    if topic == 'posec3d-pipeline':
        assert re.search(r'data pipeline, 0 workers .*\n.*data pipeline, 2 workers', out), out
        assert re.search(r'train step \(model \+ optimiser\) +\| +- \| +[0-9.]+ \|', out), out


def test_masking_prints_each_maskers_share_of_a_train_step():
    out = run_tool(['tools/analysis/benchmark.py', 'masking', *TOPICS['masking']]).stdout
    shares = dict(re.findall(r'\| ([A-Za-z0-9 ,+.]+?) +\| +[0-9.]+ \| +([0-9.]+)% \|', out))
    assert set(shares) == {'tube', 'random', 'directed', 'directed, tubes + background',
                           'motion', 'running cell 0.75', 'PoseSaliency'}, out
    assert all(0 < float(share) < 100 for share in shares.values()), out
    assert re.search(r'train step \(reference\) +\| +[0-9.]+ \| +100.00% \|', out), out
