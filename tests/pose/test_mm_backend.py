"""The `mm` pose backend: mmdet person detector + mmpose top-down estimator.

Two kinds of tests:
- everywhere (posetools' main environment has mmcv-lite): without mmcv's compiled ops the
  constructors stop with an ImportError that says what to install;
- where full mmcv (compiled ops), mmdet and mmpose import, i.e. in the environment of
  ``bash tools/install/install_mm.sh`` (CI: ``.venv-mm/bin/python -m pytest
  tests/pose/test_mm_backend.py`` with ``POSETOOLS_REQUIRE_MM=1``): real tiny random-weight
  models built from ``tests/data/mm_configs/``. Elsewhere they are skipped, and with
  ``POSETOOLS_REQUIRE_MM=1`` they fail instead.
"""
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from posetools.pose import mm_backend
from posetools.pose.base import NUM_KEYPOINTS
from posetools.pose.mm_backend import MMDetPersonDetector, MMPoseTopDownEstimator
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / 'tests' / 'data' / 'mm_configs'
DET_CONFIG = CONFIGS / 'faster-rcnn_r18_fpn_tiny.py'
POSE_CONFIG = CONFIGS / 'td-hm_res18_tiny.py'


def mm_unavailable_reason():
    """None when mmcv's ops, mmdet and mmpose import; else why not."""
    try:
        importlib.import_module('mmcv._ext')
    except ImportError as error:
        return f'mmcv has no loadable compiled ops ({error}): run in .venv-mm ' \
               '(bash tools/install/install_mm.sh)'
    for package in ('mmdet', 'mmpose'):
        if importlib.util.find_spec(package) is None:
            return f'{package} is not installed (bash tools/install/install_mm.sh)'
    return None


@pytest.fixture(scope='module')
def mm_required():
    reason = mm_unavailable_reason()
    if reason is not None:
        if os.environ.get('POSETOOLS_REQUIRE_MM') == '1':
            pytest.fail(f'POSETOOLS_REQUIRE_MM=1 but {reason}')
        pytest.skip(reason)


# ---- everywhere: the error without mmcv's ops ---------------------------------------------

@pytest.mark.parametrize('cls, config', [(MMDetPersonDetector, DET_CONFIG),
                                         (MMPoseTopDownEstimator, POSE_CONFIG)])
def test_without_mmcv_ops_says_what_to_install(cls, config, monkeypatch):
    # in the main environment mmcv._ext really is missing (mmcv-lite); elsewhere hide it
    monkeypatch.setitem(sys.modules, 'mmcv._ext', None)
    with pytest.raises(ImportError) as error:
        cls(str(config))
    message = str(error.value)
    assert 'has no compiled ops (mmcv-lite)' in message
    assert 'bash tools/install/install_mm.sh' in message
    assert 'tools/install/build_mmcv.sh' in message
    assert 'mmpose==1.3.2' in message


def test_mmcv_ops_that_do_not_load_are_named(monkeypatch):
    """Ops built for another torch: the loader's own error is in the message."""
    real_import = importlib.import_module

    def import_module(name, *args):
        if name == 'mmcv._ext':
            raise ImportError('_ext.so: undefined symbol: _ZN2at4_ops')
        return real_import(name, *args)

    monkeypatch.setattr(mm_backend.importlib, 'import_module', import_module)
    monkeypatch.setattr(mm_backend.importlib.util, 'find_spec', lambda name, *args: object())
    with pytest.raises(ImportError, match='(?s)do not load .*undefined symbol.*install_mm.sh'):
        MMDetPersonDetector(str(DET_CONFIG))


def test_importing_posetools_pose_imports_neither_mmdet_nor_mmpose():
    code = ('import sys, posetools.pose; '
            'assert not {"mmdet", "mmpose"} & set(sys.modules), sorted(sys.modules)')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=ROOT)


def test_mmpose_checkpoint_meta_loads_with_weights_only(tmp_path):
    """mmpose 1.x checkpoints hold dataset_meta colours as uint8 arrays: posetools.compat
    allow-lists them on import (the estimator asks for it again before loading), so mmengine's
    loader, which init_model uses, reads them in any environment."""
    import torch
    from mmengine.runner.checkpoint import _load_checkpoint

    from posetools import compat
    assert mm_backend.allow_mmpose_checkpoint_globals is compat.allow_mmpose_checkpoint_globals
    colours = np.array([[255, 128, 0], [0, 255, 0]], np.uint8)
    path = tmp_path / 'pose.pth'
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': {'dataset_meta': {'keypoint_colors': colours}}}, path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    np.testing.assert_array_equal(loaded['meta']['dataset_meta']['keypoint_colors'], colours)


def test_registered_under_their_class_names():
    assert PERSON_DETECTORS.get('MMDetPersonDetector') is MMDetPersonDetector
    assert POSE_ESTIMATORS.get('MMPoseTopDownEstimator') is MMPoseTopDownEstimator


# ---- with full mmcv, mmdet and mmpose: real tiny models with random weights ---------------

def seeded(seed=0):
    import torch
    torch.manual_seed(seed)


@pytest.fixture(scope='module')
def detector(mm_required):
    """The tiny Faster R-CNN, built through the registry, whose random class-0 ("person")
    logit is raised so that it finds people with scores near 1."""
    import torch
    seeded()
    with pytest.warns(UserWarning, match='weights are random'):
        det = PERSON_DETECTORS.build(dict(type='MMDetPersonDetector', config=str(DET_CONFIG)))
    with torch.no_grad():
        det.model.roi_head.bbox_head.fc_cls.bias[0] = 8.
    return det


@pytest.fixture(scope='module')
def estimator(mm_required):
    seeded()
    with pytest.warns(UserWarning, match='weights are random'):
        return POSE_ESTIMATORS.build(dict(type='MMPoseTopDownEstimator', config=str(POSE_CONFIG)))


@pytest.fixture(scope='module')
def frame():
    """A 240x320 RGB frame: the tiny detector's boxes here are 1000 to 3200 px large."""
    return np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)


def box_areas(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def test_mm_defaults_are_mmaction2s(detector):
    assert (detector.score_thr, detector.area_thr, detector.person_label) == (0.5, 1600., 0)
    assert detector.model.dataset_meta['classes'][0] == 'person'  # COCO classes by default


def test_detect_runs_the_model_and_applies_the_area_threshold(detector, frame, monkeypatch):
    height, width = frame.shape[:2]
    monkeypatch.setattr(detector, 'area_thr', 0.)
    all_boxes, all_scores = detector.detect(frame)
    monkeypatch.setattr(detector, 'area_thr', 1600.)
    boxes, scores = detector.detect(frame)

    for b, s in ((all_boxes, all_scores), (boxes, scores)):
        assert b.dtype == np.float32 and s.dtype == np.float32
        assert b.ndim == 2 and b.shape[1] == 4 and s.shape == (len(b),)
        assert np.all(s > 0.5) and np.all(np.diff(s) <= 0)  # highest score first
        assert np.all(b[:, 2] >= b[:, 0]) and np.all(b[:, 3] >= b[:, 1])
        assert np.all(b >= 0) and np.all(b[:, [0, 2]] <= width) and np.all(b[:, [1, 3]] <= height)
    # several people per frame, and the 1600 px area threshold drops exactly the small ones
    big = box_areas(all_boxes) >= 1600
    assert big.sum() >= 2 and (~big).sum() >= 1
    np.testing.assert_array_equal(boxes, all_boxes[big])
    np.testing.assert_array_equal(scores, all_scores[big])


def test_detect_filters_score_area_and_label_as_documented(detector, frame, monkeypatch):
    raw_boxes = np.array([
        [0, 0, 100, 100],    # person, 0.9: kept
        [0, 0, 100, 100],    # person, exactly 0.5: dropped (score must be above the threshold)
        [10, 10, 49, 50],    # person, 0.95, area 39 x 40 = 1560 < 1600: dropped
        [10, 10, 50, 50],    # person, 0.8, area 40 x 40 = 1600: kept
        [0, 0, 200, 200],    # class 1 (bicycle), 0.99: dropped
        [5, 5, 300, 400],    # person, 0.6: kept
    ], np.float32)
    raw_scores = np.array([0.9, 0.5, 0.95, 0.8, 0.99, 0.6], np.float32)
    raw_labels = np.array([0, 0, 0, 0, 1, 0])
    seen = {}

    def raw_detections(bgr):
        seen['bgr'] = bgr
        return raw_boxes, raw_scores, raw_labels

    monkeypatch.setattr(detector, 'raw_detections', raw_detections)
    boxes, scores = detector.detect(frame)
    np.testing.assert_array_equal(boxes, raw_boxes[[0, 3, 5]])
    np.testing.assert_array_equal(scores, np.float32([0.9, 0.8, 0.6]))
    np.testing.assert_array_equal(seen['bgr'], frame[..., ::-1])  # mmdet takes BGR
    assert boxes.dtype == np.float32 and scores.dtype == np.float32

    monkeypatch.setattr(detector, 'person_label', 1)
    np.testing.assert_array_equal(detector.detect(frame)[0], raw_boxes[[4]])
    monkeypatch.setattr(detector, 'raw_detections',
                        lambda bgr: (np.zeros((0, 4), np.float32), np.zeros(0, np.float32),
                                     np.zeros(0, np.int64)))
    boxes, scores = detector.detect(frame)
    assert boxes.shape == (0, 4) and scores.shape == (0,)


def test_mmdet_and_mmpose_get_bgr_frames(detector, estimator, frame, monkeypatch):
    import mmdet.apis
    import mmpose.apis
    seen = {}
    real_detector, real_topdown = mmdet.apis.inference_detector, mmpose.apis.inference_topdown

    def inference_detector(model, img, **kwargs):
        seen['det'] = img
        return real_detector(model, img, **kwargs)

    def inference_topdown(model, img, *args, **kwargs):
        seen['pose'] = img
        return real_topdown(model, img, *args, **kwargs)

    monkeypatch.setattr(mmdet.apis, 'inference_detector', inference_detector)
    monkeypatch.setattr(mmpose.apis, 'inference_topdown', inference_topdown)
    small = np.ascontiguousarray(frame[:120, :160])
    detector.detect(small)
    estimator.estimate(small, np.float32([[10, 10, 100, 110]]))
    np.testing.assert_array_equal(seen['det'], small[..., ::-1])
    np.testing.assert_array_equal(seen['pose'], small[..., ::-1])


def test_estimate_top_down_on_each_box(detector, estimator, frame):
    boxes, _ = detector.detect(frame)
    boxes = np.concatenate([boxes[:3], np.float32([[100, 50, 200, 230]])])
    keypoints, scores = estimator.estimate(frame, boxes)
    assert keypoints.shape == (len(boxes), NUM_KEYPOINTS, 2) and keypoints.dtype == np.float32
    assert scores.shape == (len(boxes), NUM_KEYPOINTS) and scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1)) and np.all(np.isfinite(keypoints))
    assert (scores > 0).sum() >= len(boxes)  # random weights still find maxima in each box
    # Top-down: a found keypoint lies in its own box's crop: the box padded by 1.25 and widened
    # to the model's 96:128 aspect ratio (mmpose's GetBBoxCenterScale, TopdownAffine), give or
    # take one heatmap pixel (a quarter-pixel refinement of the heatmap maximum).
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2
    size = (boxes[:, 2:] - boxes[:, :2]) * 1.25
    size = np.where((size[:, :1] > size[:, 1:] * 0.75), size[:, :1] * [1, 1 / 0.75],
                    size[:, 1:] * [0.75, 1])
    pixel = size / [24, 32]  # heatmap 24 x 32
    low = (centre - size / 2 - pixel)[:, None]
    high = (centre + size / 2 + pixel)[:, None]
    inside = np.all((keypoints >= low) & (keypoints <= high), axis=-1)
    assert np.all(inside[scores > 0])

    keypoints, scores = estimator.estimate(frame, np.zeros((0, 4), np.float32))
    assert keypoints.shape == (0, NUM_KEYPOINTS, 2) and scores.shape == (0, NUM_KEYPOINTS)
    assert keypoints.dtype == np.float32 and scores.dtype == np.float32


def test_backend_leaves_the_default_scope_alone(detector, estimator, frame):
    from mmengine.registry import DefaultScope

    def current():
        scope = DefaultScope.get_current_instance()
        return None if scope is None else scope.scope_name

    before = current()
    boxes, _ = detector.detect(frame[:120, :160].copy())
    estimator.estimate(frame, np.float32([[10, 10, 100, 110]]))
    assert current() == before


def test_checkpoints_load_with_weights_only(detector, estimator, frame, tmp_path):
    """Checkpoints as mmengine's Runner saves them (mmpose 1.x: dataset_meta with numpy
    arrays) load through posetools' weights_only loader and give the same outputs."""
    import torch
    from mmengine.config import Config
    det_file, pose_file = tmp_path / 'det.pth', tmp_path / 'pose.pth'
    torch.save({'state_dict': detector.model.state_dict(),
                'meta': {'dataset_meta': dict(detector.model.dataset_meta)}}, det_file)
    torch.save({'state_dict': estimator.model.state_dict(),
                'meta': {'dataset_meta': estimator.model.dataset_meta}}, pose_file)
    assert isinstance(estimator.model.dataset_meta['keypoint_colors'], np.ndarray)

    # configs as a dict and as a Config this time
    det = MMDetPersonDetector(Config.fromfile(DET_CONFIG).to_dict(), checkpoint=str(det_file))
    est = MMPoseTopDownEstimator(Config.fromfile(POSE_CONFIG), checkpoint=str(pose_file))
    small = np.ascontiguousarray(frame[:120, :160])
    for ours, theirs in zip(det.detect(small), detector.detect(small)):
        np.testing.assert_array_equal(ours, theirs)
    box = np.float32([[20, 30, 120, 230]])
    for ours, theirs in zip(est.estimate(small, box), estimator.estimate(small, box)):
        np.testing.assert_array_equal(ours, theirs)
