"""HeatmapDataPreprocessor draws mmaction2's heatmap volumes from keypoint clips in batch."""
import copy

import numpy as np
import pytest
import torch
from mmaction.datasets.transforms import FormatShape
from mmaction.datasets.transforms import GeneratePoseTarget as MMActionGeneratePoseTarget
from mmaction.structures import ActionDataSample

from posetools.datasets.transforms import FormatKeypointClips
from posetools.models import HeatmapDataPreprocessor
from posetools.registry import MODELS
from tests.helpers import COCO_FLIP, EPS, heatmap_case, random_coco_sample


def reference_volume(results: dict, **kwargs) -> np.ndarray:
    """mmaction2's GeneratePoseTarget + FormatShape('NCTHW_Heatmap'): (clips, C, T, H, W)."""
    results = MMActionGeneratePoseTarget(**kwargs)(copy.deepcopy(results))
    return FormatShape('NCTHW_Heatmap')(results)['imgs']


def data_sample(img_shape: tuple) -> ActionDataSample:
    return ActionDataSample(metainfo=dict(img_shape=img_shape))


def keypoint_clips(results: dict) -> torch.Tensor:
    return torch.from_numpy(FormatKeypointClips()(copy.deepcopy(results))['keypoint'])


@pytest.mark.parametrize('seed', range(24))
def test_batch_equals_mmaction_per_sample(seed):
    """A batch of samples with 1-3 persons and 1-2 clips gives mmaction2's volume for each."""
    rng = np.random.default_rng(seed)
    kwargs = heatmap_case(seed)
    img_shape = [(56, 56), (64, 48)][seed // 2 % 2]
    num_clips, clip_len = 1 + seed % 2, int(rng.integers(3, 6))
    samples = []
    for persons in (1, 3, 2):
        results = random_coco_sample(rng, persons, num_clips * clip_len, img_shape)
        results.update(num_clips=num_clips, clip_len=clip_len)
        samples.append(results)
    for results in samples:  # float32, as mmaction.PoseDecode gives them
        results['keypoint_score'] = results['keypoint_score'].astype(np.float32)
    del samples[1]['keypoint_score']  # no scores: every keypoint with peak 1
    samples[2]['keypoint_score'][1] = EPS / 2  # a person below the threshold

    preprocessor = HeatmapDataPreprocessor(**kwargs)
    data = dict(inputs=[keypoint_clips(results) for results in samples],
                data_samples=[data_sample(img_shape) for _ in samples])
    volumes = preprocessor(data)['inputs']
    for volume, results in zip(volumes, samples):
        expected = reference_volume(results, **kwargs)
        assert tuple(volume.shape) == expected.shape
        assert volume.dtype == torch.float32
        assert np.abs(volume.numpy() - expected).max() <= 1e-5


def test_same_batch_as_heatmap_pipeline():
    """The keypoint pipeline + preprocessor feed the model what the CPU heatmap pipeline does."""
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope
    init_default_scope('posetools')
    rng = np.random.default_rng(0)
    head = [dict(type='mmaction.UniformSampleFrames', clip_len=6, num_clips=2, test_mode=True),
            dict(type='mmaction.PoseDecode'),
            dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
            dict(type='mmaction.Resize', scale=(-1, 40)),
            dict(type='mmaction.CenterCrop', crop_size=40)]
    heatmap = dict(sigma=0.6, use_score=True, with_kp=False, with_limb=True)
    on_cpu = Compose(head + [dict(type='GeneratePoseTarget', **heatmap),
                             dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
                             dict(type='mmaction.PackActionInputs')])
    on_device = Compose(head + [dict(type='FormatKeypointClips'),
                                dict(type='mmaction.PackActionInputs')])
    samples = []
    for persons in (1, 2):
        results = random_coco_sample(rng, persons, 30, (120, 160))
        results.update(total_frames=30, label=0, start_index=0, modality='Pose')
        samples.append(results)
    expected = MODELS.build(dict(type='mmaction.ActionDataPreprocessor', format_shape='NCTHW'))(
        pseudo_collate([on_cpu(copy.deepcopy(s)) for s in samples]))['inputs']
    got = HeatmapDataPreprocessor(**heatmap)(
        pseudo_collate([on_device(copy.deepcopy(s)) for s in samples]))['inputs']
    assert tuple(got.shape) == (2, 2, 17, 6, 40, 40)
    assert torch.abs(got - expected).max() <= 1e-5


def test_bad_input():
    clips = torch.zeros(1, 1, 4, 17, 3)
    sample, other = data_sample((8, 8)), data_sample((8, 9))
    with pytest.raises(ValueError, match='At least one of'):
        HeatmapDataPreprocessor(with_kp=False)
    with pytest.raises(ValueError, match=r'one img_shape for the whole batch.*\(8, 8\), \(8, 9\)'):
        HeatmapDataPreprocessor()(dict(inputs=[clips, clips], data_samples=[sample, other]))
    with pytest.raises(ValueError, match=r'inputs of shape \(clips, M, T, V, 3\).*\(1, 4, 17, 3\)'):
        HeatmapDataPreprocessor()(dict(inputs=[clips[0]], data_samples=[sample]))
    with pytest.raises(ValueError, match=r'same clips, T and V .*\(1, 1, 4, 17, 3\), \(1, 1, 5'):
        HeatmapDataPreprocessor()(dict(inputs=[clips, torch.zeros(1, 1, 5, 17, 3)],
                                       data_samples=[sample, sample]))
    with pytest.raises(ValueError, match='do not hold num_clips=2 x clip_len=3'):
        FormatKeypointClips()(dict(keypoint=np.zeros((1, 5, 17, 2)), num_clips=2, clip_len=3))


def test_double_only_outside_training():
    rng = np.random.default_rng(1)
    results = random_coco_sample(rng, 1, 4, (16, 16))
    results.update(num_clips=2, clip_len=2)
    data = dict(inputs=[keypoint_clips(results)], data_samples=[data_sample((16, 16))])
    preprocessor = HeatmapDataPreprocessor(double=True, **COCO_FLIP)
    assert preprocessor(copy.deepcopy(data), training=True)['inputs'].shape == (1, 2, 17, 2, 16, 16)
    evaluated = preprocessor(copy.deepcopy(data), training=False)['inputs']
    assert evaluated.shape == (1, 4, 17, 2, 16, 16)
    swap = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    torch.testing.assert_close(evaluated[0, 2:], evaluated[0, :2, swap].flip(-1), rtol=0, atol=0)
