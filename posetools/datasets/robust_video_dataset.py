"""mmaction2's VideoDataset that checks its list file and skips unreadable videos in training."""
import logging
import os.path as osp
import re
from typing import List, Optional, Set

from mmaction.datasets import VideoDataset
from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from posetools.datasets.video_io import VideoReadError
from posetools.registry import DATASETS


class VideoListError(ValueError):
    """A video list file has a malformed line or names no video."""


@DATASETS.register_module()
class RobustVideoDataset(VideoDataset):
    """``mmaction.VideoDataset`` with a checked list file and skipping of broken videos.

    Start-up: a missing list file, or a line that is not ``<video> <label>`` (one integer
    label in ``[0, num_classes)``, or several with ``multi_class``), stops the run with
    the file and line number. Blank lines are ignored. Unlike mmaction2, a line without a
    label is an error rather than label -1. Fields are split on runs of whitespace for the
    default ``delimiter=' '``.

    Loading: in training (``test_mode=False``), a sample whose pipeline raises
    :class:`~posetools.datasets.video_io.VideoReadError` (raised by ``VideoInit`` for a
    missing, empty, corrupt, truncated or too-short video) is logged once as a warning with
    the file, the problem and the number of videos skipped so far, remembered, and
    replaced: ``prepare_data`` returns None and mmengine's ``BaseDataset.__getitem__``
    draws another index (at most ``max_refetch`` times). Counts are per process (each
    data-loader worker has its own copy of the dataset); when all videos of the list turn
    out unreadable, a ``VideoReadError`` says so. In ``test_mode`` the error is raised:
    evaluation must not silently drop samples.

    Args:
        ann_file (str): The list file, ``<video path relative to data_prefix> <label>``
            per line.
        pipeline (list[dict | callable]): Data transforms, starting with ``VideoInit``.
        **kwargs: Passed to ``mmaction.VideoDataset`` (``data_prefix``, ``num_classes``,
            ``multi_class``, ``test_mode``, ``delimiter``, ...).
    """

    def __init__(self, ann_file: str, pipeline: List, **kwargs) -> None:
        self._unreadable: Set[int] = set()
        super().__init__(ann_file, pipeline, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the list file into ``dict(filename, label)`` entries."""
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'{self.ann_file}: video list file not found (for SynthAction run '
                '`python tools/data/gen_synth.py --videos`)')
        if self.multi_class and self.num_classes is None:
            raise ValueError(f'{self.ann_file}: multi_class=True needs num_classes')
        separator = None if self.delimiter == ' ' else self.delimiter
        data_list = []
        for number, line in enumerate(list_from_file(self.ann_file), start=1):
            if not line.strip():
                continue
            video, *labels = line.strip().split(separator)
            if not (len(labels) == 1 or (self.multi_class and labels)) or not all(
                    re.fullmatch(r'-?\d+', label) for label in labels):
                expected = '<video> <label> [<label> ...]' if self.multi_class \
                    else '<video> <label>'
                raise VideoListError(f'{self.ann_file}:{number}: expected "{expected}" with '
                                     f'integer labels, got {line.strip()!r}')
            labels = [int(label) for label in labels]
            bad = [label for label in labels if label < 0 or (
                self.num_classes is not None and label >= self.num_classes)]
            if bad:
                raise VideoListError(f'{self.ann_file}:{number}: label {bad[0]} is outside '
                                     f'[0, {self.num_classes}) (num_classes in the config)')
            if self.data_prefix['video'] is not None:
                video = osp.join(self.data_prefix['video'], video)
            data_list.append(dict(filename=video,
                                  label=labels if self.multi_class else labels[0]))
        if not data_list:
            raise VideoListError(f'{self.ann_file}: the list file names no video')
        return data_list

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline; in training, None for an unreadable video (refetched)."""
        if self.test_mode:
            return super().prepare_data(idx)
        if idx in self._unreadable:
            return None
        try:
            return super().prepare_data(idx)
        except VideoReadError as error:
            self._unreadable.add(idx)
            if len(self._unreadable) == len(self):
                raise VideoReadError(f'{self.ann_file}: none of the {len(self)} videos is '
                                     f'readable; the last one: {error}') from error
            print_log(f'skipping a video ({len(self._unreadable)} skipped so far in this '
                      f'process): {error}', logger='current', level=logging.WARNING)
            return None
