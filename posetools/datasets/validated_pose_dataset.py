"""mmaction2's PoseDataset with the annotation file checked before training starts."""
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union

import mmengine
import numpy as np
from mmaction.datasets import PoseDataset

from posetools.registry import DATASETS

REQUIRED_KEYS = ('frame_dir', 'label', 'total_frames', 'keypoint')


class AnnotationError(ValueError):
    """An annotation file or one of its samples is malformed."""


@DATASETS.register_module()
class ValidatedPoseDataset(PoseDataset):
    """``mmaction.PoseDataset`` that rejects malformed annotations with a clear error.

    Loads the same pkl format (``{'split': {...}, 'annotations': [...]}``) and then checks
    every selected sample, so bad data stops the run at start-up with a message naming
    the file, the sample and the problem instead of a shape error deep in torch, or
    silent training on garbage. Checked per sample: required keys, ``keypoint`` of
    shape (M, T, V, C) with M >= 1 and C in {2, 3}, V equal to ``num_joints``,
    T equal to ``total_frames``, finite coordinates, ``keypoint_score`` of shape
    (M, T, V) when present, and an integer label in ``[0, num_classes)``.

    All-zero persons: mmaction2's pkls pad missing people and frames with zeros, and
    its pose transforms treat a zero coordinate as "not detected" (``PoseCompact``
    ignores it, a zero score draws no heatmap). A person whose keypoints are all zero
    is therefore accepted as padding, but only with zero ``keypoint_score`` (a non-zero
    score would draw heatmap peaks at the crop's corner); a sample whose keypoints are
    all zero, for every person, is rejected: it carries no pose at all.

    Args:
        ann_file (str): Path to the annotation pkl.
        pipeline (list[dict | callable]): Data transforms.
        split (str, optional): Split name, e.g. ``'xsub_train'``. Defaults to None
            (all annotations).
        num_classes (int, optional): Labels must lie in ``[0, num_classes)``.
            Defaults to None (not checked).
        num_joints (int, optional): Joints per person V the model expects.
            Defaults to None (not checked).
        **kwargs: Passed to ``mmaction.PoseDataset``.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 split: Optional[str] = None,
                 num_classes: Optional[int] = None,
                 num_joints: Optional[int] = None,
                 **kwargs) -> None:
        self.num_joints = num_joints
        super().__init__(ann_file, pipeline, split=split, num_classes=num_classes, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Load the pkl, select the split and validate every selected sample."""
        path = Path(self.ann_file)
        if path.suffix != '.pkl':
            raise AnnotationError(f'{path}: expected a .pkl annotation file')
        if not path.is_file():
            raise FileNotFoundError(
                f'{path}: annotation file not found (for SynthAction run '
                '`python tools/data/gen_synth.py`; for NTU RGB+D see tools/data/ntu_raw_to_pkl.py)')
        content = mmengine.load(str(path))
        annotations = self._select_split(path, content)
        for index, sample in enumerate(annotations):
            self._check_sample(path, index, sample)
        return annotations

    def _select_split(self, path: Path, content: Union[Dict, List]) -> List[Dict]:
        if isinstance(content, list):
            if self.split is not None:
                raise AnnotationError(
                    f'{path}: split {self.split!r} requested but the file is a bare list '
                    "of annotations without a 'split' dict")
            return content
        if not isinstance(content, dict) or 'annotations' not in content:
            found = sorted(content) if isinstance(content, dict) else type(content).__name__
            raise AnnotationError(f"{path}: expected a dict with 'annotations' (and 'split'), "
                                  f'found {found}')
        annotations = content['annotations']
        if self.split is None:
            return annotations
        splits = content.get('split')
        if not isinstance(splits, dict) or self.split not in splits:
            available = sorted(splits) if isinstance(splits, dict) else 'none'
            raise AnnotationError(
                f'{path}: split {self.split!r} not found; available splits: {available}')
        wanted = set(splits[self.split])
        selected = [ann for ann in annotations if ann.get('frame_dir') in wanted]
        if not selected:
            raise AnnotationError(
                f'{path}: split {self.split!r} lists {len(wanted)} samples but none of '
                "them matches an annotation's 'frame_dir'")
        return selected

    def _check_sample(self, path: Path, index: int, sample: Dict) -> None:
        name = sample.get('frame_dir', f'#{index}')

        def fail(problem: str) -> None:
            raise AnnotationError(f'{path}: sample {name!r} (index {index}): {problem}')

        missing = [key for key in REQUIRED_KEYS if key not in sample]
        if missing:
            fail(f'missing keys {missing} (has {sorted(sample)})')
        keypoint = np.asarray(sample['keypoint'])
        if keypoint.ndim != 4 or keypoint.shape[0] < 1 or keypoint.shape[-1] not in (2, 3):
            fail(f'keypoint must have shape (M>=1, T, V, C in {{2, 3}}), got {keypoint.shape}')
        persons, frames, joints, _ = keypoint.shape
        if self.num_joints is not None and joints != self.num_joints:
            fail(f'keypoint has {joints} joints but the config expects num_joints='
                 f'{self.num_joints}')
        if frames != sample['total_frames']:
            fail(f"total_frames={sample['total_frames']} but keypoint has {frames} frames")
        if not np.isfinite(keypoint).all():
            bad = np.argwhere(~np.isfinite(keypoint))[0]
            fail(f'keypoint has NaN/inf values, first at (person, frame, joint, channel)='
                 f'{tuple(int(i) for i in bad)}')
        padding = ~keypoint.reshape(persons, -1).any(axis=1)
        if padding.all():
            fail('keypoint is all zero for every person: the sample has no pose')
        if 'keypoint_score' in sample:
            score = np.asarray(sample['keypoint_score'])
            if score.shape != (persons, frames, joints):
                fail(f'keypoint_score has shape {score.shape}, expected '
                     f'{(persons, frames, joints)}')
            scored_padding = padding & score.reshape(persons, -1).any(axis=1)
            if scored_padding.any():
                fail(f'person {int(np.argmax(scored_padding))} has all-zero keypoints '
                     '(padding) but non-zero keypoint_score; padded persons need score 0')
        label = sample['label']
        if not isinstance(label, (int, np.integer)) or isinstance(label, bool):
            fail(f'label must be an int, got {label!r}')
        if label < 0 or (self.num_classes is not None and label >= self.num_classes):
            fail(f'label {label} is outside [0, {self.num_classes}) '
                 '(num_classes in the config)')
