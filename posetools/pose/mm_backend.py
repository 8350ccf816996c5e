"""Backend ``mm``: an mmdet person detector and an mmpose top-down pose estimator.

mmaction2's skeleton extraction (``tools/data/skeleton/ntu_pose_extraction.py`` with
``mmaction.apis.detection_inference`` / ``pose_inference``), per frame: detect with mmdet,
keep the boxes of the person class (label 0 in COCO) whose score is above a threshold
(``det_score_thr``: 0.5 there, 0.9 in ``detection_inference``'s default) and, as pyskl's
``custom_2d_skeleton.py``, whose area is at least ``det_area_thr`` (1600 pixels), then run
the top-down pose model on each kept box. Any number of people per frame.

Both classes take an mmdet / mmpose config (a file, a :class:`mmengine.Config` or a dict)
and a checkpoint path (``None``: random weights, for tests). mmdet and mmpose need full mmcv
with compiled ops (``mmcv._ext``), which posetools' main environment (mmcv-lite) does not
have: ``bash tools/install/install_mm.sh`` makes the environment ``.venv-mm`` that has them.
mmdet and mmpose are imported in the constructors only, so this module imports anywhere.
"""
import copy
import importlib
import importlib.util
import os.path as osp
import warnings
from typing import Optional, Tuple, Union

import numpy as np
from mmengine.config import Config

from posetools.compat import allow_mmpose_checkpoint_globals
from posetools.pose.base import NUM_KEYPOINTS, PersonDetector, PoseEstimator
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS

INSTALL_HINT = (
    'The mm pose backend needs full mmcv 2.1.0 with compiled ops (mmcv._ext), mmdet 3.3.0 '
    'and mmpose 1.3.2. posetools\' main environment has mmcv-lite (no ops), and PyPI has no '
    'full mmcv wheel for this torch. Install them into a separate environment with\n'
    '    bash tools/install/install_mm.sh [--mmcv-wheel PATH/mmcv-2.1.0-*.whl]\n'
    'and run with .venv-mm/bin/python. Without a prebuilt wheel for your torch, that script '
    'builds one with tools/install/build_mmcv.sh (about 30 min on 2 CPU cores); to install '
    'into an environment of your own instead: bash tools/install/build_mmcv.sh, then '
    '`pip uninstall -y mmcv-lite && pip install --no-deps dist/mmcv/mmcv-2.1.0-*.whl`, '
    '`pip install -e .[mm]` and `pip install --no-deps mmpose==1.3.2`.')


def check_mm_available(package: str):
    """Import and return ``package`` (``'mmdet'`` or ``'mmpose'``) once mmcv's ops load.

    Raises:
        ImportError: mmcv has no compiled ops (mmcv-lite), they do not load (built for
            another torch), or the package is missing, with :data:`INSTALL_HINT`.
    """
    try:
        importlib.import_module('mmcv._ext')
    except ImportError as error:
        import mmcv
        if importlib.util.find_spec('mmcv._ext') is None:
            problem = (f'mmcv {mmcv.__version__} at {osp.dirname(mmcv.__file__)} has no '
                       'compiled ops (mmcv-lite)')
        else:
            problem = (f'the compiled ops of mmcv {mmcv.__version__} at '
                       f'{osp.dirname(mmcv.__file__)} do not load (built for another '
                       f'torch?): {error}')
        raise ImportError(f'{problem}.\n{INSTALL_HINT}') from error
    try:
        return importlib.import_module(package)
    except ImportError as error:
        raise ImportError(f'{package} cannot be imported ({error}).\n{INSTALL_HINT}') from error


def _to_config(config) -> Config:
    """An mmengine Config from a path, a Config or a dict (deep-copied: it gets edited)."""
    if isinstance(config, Config):
        return copy.deepcopy(config)
    if isinstance(config, dict):
        return Config(copy.deepcopy(config))
    return Config.fromfile(str(config))


def _scope(scope: str):
    """Run with mmengine's default registry scope set to ``scope`` (restored after).

    mmdet's ``init_detector`` and mmpose's ``inference_topdown`` set the process-wide default
    scope, and ``inference_detector`` builds its pipeline in whatever scope is current: scoped
    calls keep the two backends and posetools' own registries from disturbing each other.
    """
    from mmengine.registry import DefaultScope
    return DefaultScope.overwrite_default_scope(scope)


def _warn_random_weights(what: str) -> None:
    warnings.warn(f'{what}: no checkpoint given, the weights are random: its outputs are '
                  'meaningless (use this for tests only)', UserWarning, stacklevel=3)


def _rgb_to_bgr(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f'expected an (H, W, 3) uint8 RGB frame, got {frame.dtype} '
                         f'{frame.shape}')
    # mmdet's and mmpose's inference pipelines take BGR (as cv2 reads images)
    return np.ascontiguousarray(frame[..., ::-1])


@PERSON_DETECTORS.register_module()
class MMDetPersonDetector(PersonDetector):
    """People from an mmdet detector, filtered as in mmaction2's skeleton extraction.

    Keeps a detection when its label is ``person_label``, its score is above ``score_thr``
    (strictly, as mmaction2's ``detection_inference``) and its box area is at least
    ``area_thr`` square pixels (pyskl's ``det_area_thr``); highest score first.

    Args:
        config (str | Config | dict): mmdet config (file path, Config or dict).
        checkpoint (str, optional): Checkpoint path; ``None``: random weights (a warning).
        device (str): ``'cpu'``, or ``'cuda:N'`` with an mmcv built with CUDA ops.
            Defaults to ``'cpu'``.
        score_thr (float): Detection score threshold. Defaults to 0.5.
        area_thr (float): Minimal box area in pixels. Defaults to 1600.
        person_label (int): The person class index (0 in COCO). Defaults to 0.

    Raises:
        ImportError: Without full mmcv (compiled ops) or mmdet, saying what to install.
    """

    def __init__(self,
                 config: Union[str, dict, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 score_thr: float = 0.5,
                 area_thr: float = 1600.,
                 person_label: int = 0) -> None:
        check_mm_available('mmdet')
        from mmdet.apis import init_detector
        if checkpoint is None:
            _warn_random_weights('MMDetPersonDetector')
        config = _to_config(config)
        # catch_warnings: init_detector calls warnings.simplefilter('once'); keep it local
        self.scope = config.get('default_scope', 'mmdet')
        with warnings.catch_warnings(), _scope(self.scope):
            self.model = init_detector(config, checkpoint, palette='random', device=device)
            from mmcv.transforms import Compose
            from mmdet.utils import get_test_pipeline_cfg
            pipeline = get_test_pipeline_cfg(self.model.cfg.copy())
            pipeline[0].type = 'mmdet.LoadImageFromNDArray'  # as inference_detector does
            self.pipeline = Compose(pipeline)
        self.score_thr = float(score_thr)
        self.area_thr = float(area_thr)
        self.person_label = int(person_label)
        classes = (getattr(self.model, 'dataset_meta', None) or {}).get('classes')
        if classes is not None and (self.person_label >= len(classes)
                                    or classes[self.person_label] != 'person'):
            warnings.warn(f'MMDetPersonDetector: class {self.person_label} of this detector '
                          f'is not "person" (classes: {tuple(classes)[:5]}...)')

    def raw_detections(self, bgr: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The detector's own results for one BGR frame: boxes, scores, labels (all classes)."""
        from mmdet.apis import inference_detector
        with _scope(self.scope):
            pred = inference_detector(self.model, bgr, test_pipeline=self.pipeline)
        pred = pred.pred_instances.cpu().numpy()
        return (np.asarray(pred.bboxes, np.float32).reshape(-1, 4),
                np.asarray(pred.scores, np.float32).reshape(-1),
                np.asarray(pred.labels).reshape(-1))

    def filter(self, boxes: np.ndarray, scores: np.ndarray,
               labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Keep person boxes above the score threshold with at least the minimal area."""
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        keep = ((labels == self.person_label) & (scores > self.score_thr)
                & (areas >= self.area_thr))
        boxes, scores = boxes[keep], scores[keep]
        order = np.argsort(-scores, kind='stable')
        return (np.ascontiguousarray(boxes[order], dtype=np.float32).reshape(-1, 4),
                np.ascontiguousarray(scores[order], dtype=np.float32).reshape(-1))

    def detect(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        return self.filter(*self.raw_detections(_rgb_to_bgr(frame)))


@POSE_ESTIMATORS.register_module()
class MMPoseTopDownEstimator(PoseEstimator):
    """COCO-17 keypoints from an mmpose top-down model, run on each given box.

    Args:
        config (str | Config | dict): mmpose top-down config (file path, Config or dict)
            whose model predicts the 17 COCO keypoints.
        checkpoint (str, optional): Checkpoint path; ``None``: random weights (a warning).
        device (str): ``'cpu'``, or ``'cuda:N'`` with an mmcv built with CUDA ops.
            Defaults to ``'cpu'``.

    Raises:
        ImportError: Without full mmcv (compiled ops) or mmpose, saying what to install.
        ValueError: The model does not predict 17 keypoints.
    """

    def __init__(self,
                 config: Union[str, dict, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu') -> None:
        check_mm_available('mmpose')
        from mmpose.apis import init_model
        if checkpoint is None:
            _warn_random_weights('MMPoseTopDownEstimator')
        else:  # uint8 colours in dataset_meta; applied on import posetools, idempotent
            allow_mmpose_checkpoint_globals()
        config = _to_config(config)
        self.scope = config.get('default_scope', 'mmpose')
        with _scope(self.scope):
            self.model = init_model(config, checkpoint, device=device)
        num_keypoints = self.model.dataset_meta.get('num_keypoints')
        if num_keypoints != NUM_KEYPOINTS:
            raise ValueError(f'MMPoseTopDownEstimator: the model predicts {num_keypoints} '
                             f'keypoints, COCO-17 ({NUM_KEYPOINTS}) are needed')

    def estimate(self, frame: np.ndarray,
                 boxes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        from mmpose.apis import inference_topdown
        bgr = _rgb_to_bgr(frame)
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if len(boxes) == 0:  # inference_topdown would take the whole frame as one box
            return (np.zeros((0, NUM_KEYPOINTS, 2), np.float32),
                    np.zeros((0, NUM_KEYPOINTS), np.float32))
        with _scope(self.scope):
            samples = inference_topdown(self.model, bgr, boxes, bbox_format='xyxy')
        keypoints = np.stack([np.asarray(s.pred_instances.keypoints)[0] for s in samples])
        scores = np.stack([np.asarray(s.pred_instances.keypoint_scores)[0] for s in samples])
        # heatmap maxima / SimCC confidences are not probabilities: clip into [0, 1]
        return (keypoints.astype(np.float32).reshape(-1, NUM_KEYPOINTS, 2),
                np.clip(scores, 0., 1.).astype(np.float32).reshape(-1, NUM_KEYPOINTS))
