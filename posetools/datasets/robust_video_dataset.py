"""mmaction2's VideoDataset that checks its list file and skips unreadable videos in training."""
import logging
import os.path as osp
import re
from typing import Dict, List, Optional, Set

from mmaction.datasets import VideoDataset
from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from posetools.datasets.video_io import VideoReadError
from posetools.registry import DATASETS


FAILURE_WINDOW = 100
"""Training stops when more than half of the first this many videos a process tries (or of
all the videos, for a shorter list) are unreadable."""
SHOWN_REASONS, SHOWN_EXAMPLES = 3, 3


class VideoListError(ValueError):
    """A video list file has a malformed line or names no video."""


class VideoFolderError(FileNotFoundError):
    """The folder of the videos (``data_prefix.video``) does not exist."""


@DATASETS.register_module()
class RobustVideoDataset(VideoDataset):
    """``mmaction.VideoDataset`` with a checked list file and skipping of broken videos.

    Start-up: a missing list file, a missing video folder (``data_prefix.video``, when
    local and not empty), or a line that is not ``<video> <label>`` (one integer label in
    ``[0, num_classes)``, or several with ``multi_class``), stops the run with the file
    (and line number). Blank lines are ignored. Unlike mmaction2, a line without a label is
    an error rather than label -1. Fields are split on runs of whitespace for the default
    ``delimiter=' '``.

    Loading: in training (``test_mode=False``), a sample whose pipeline raises
    :class:`~posetools.datasets.video_io.VideoReadError` (raised by ``VideoInit`` for a
    missing, empty, corrupt, truncated or too-short video) is logged once as a warning with
    the file, the problem and the number of videos skipped so far, remembered, and
    replaced: ``prepare_data`` returns None and mmengine's ``BaseDataset.__getitem__``
    draws another index (at most ``max_refetch`` times). That is for the occasional broken
    file: when more than half of the first :data:`FAILURE_WINDOW` different videos a
    process tries (of all videos, for a shorter list) are unreadable, a ``VideoReadError``
    stops training with the most common problems and example files. Counts are per process
    (each data-loader worker has its own copy of the dataset). In ``test_mode`` the error
    is raised: evaluation must not silently drop samples.

    Args:
        ann_file (str): The list file, ``<video path relative to data_prefix> <label>``
            per line.
        pipeline (list[dict | callable]): Data transforms, starting with ``VideoInit``.
        **kwargs: Passed to ``mmaction.VideoDataset`` (``data_prefix``, ``num_classes``,
            ``multi_class``, ``test_mode``, ``delimiter``, ...).
    """

    def __init__(self, ann_file: str, pipeline: List, **kwargs) -> None:
        self._unreadable: Set[int] = set()
        # the first videos tried in this process: index -> problem (None: readable)
        self._first_tried: Dict[int, Optional[str]] = {}
        super().__init__(ann_file, pipeline, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the list file into ``dict(filename, label)`` entries."""
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'{self.ann_file}: video list file not found (for SynthAction run '
                '`python tools/data/gen_synth.py --videos`)')
        self._check_video_folder()
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

    def _check_video_folder(self) -> None:
        """Raise :class:`VideoFolderError` when the local ``data_prefix.video`` is missing."""
        folder = self.data_prefix['video']
        if not folder or re.match(r'[a-zA-Z][\w+.-]*://', folder) or osp.isdir(folder):
            return  # no folder, a remote backend's URI, or present
        raise VideoFolderError(
            f'{folder}: video folder (data_prefix.video) not found; the list file '
            f'{self.ann_file} names videos relative to it (for SynthAction run '
            '`python tools/data/gen_synth.py --videos`)')

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline; in training, None for an unreadable video (refetched)."""
        if self.test_mode:
            return super().prepare_data(idx)
        if idx in self._unreadable:
            return None
        try:
            results = super().prepare_data(idx)
        except VideoReadError as error:
            self._unreadable.add(idx)
            self._count_tried(idx, error)
            print_log(f'skipping a video ({len(self._unreadable)} skipped so far in this '
                      f'process): {error}', logger='current', level=logging.WARNING)
            return None
        self._count_tried(idx, None)
        return results

    def _count_tried(self, idx: int, error: Optional[VideoReadError]) -> None:
        """Remember the outcome of one of the first videos tried; raise a ``VideoReadError``
        (from ``error``) once more than half of the window's videos are unreadable."""
        window = min(FAILURE_WINDOW, len(self))
        if idx in self._first_tried or len(self._first_tried) >= window:
            return
        filename = self.get_data_info(idx)['filename']
        problem = None if error is None else str(error).removeprefix(f'{filename}: ')
        self._first_tried[idx] = problem
        failed = {index: problem for index, problem in self._first_tried.items()
                  if problem is not None}
        if 2 * len(failed) > window:
            raise VideoReadError(self._failure_report(failed)) from error

    def _failure_report(self, failed: Dict[int, str]) -> str:
        """The stop message: the counts, the commonest problems and example files."""
        by_problem: Dict[str, List[str]] = {}
        for index, problem in failed.items():
            by_problem.setdefault(problem, []).append(self.get_data_info(index)['filename'])
        commonest = sorted(by_problem.items(), key=lambda item: -len(item[1]))
        reasons = [f'"{problem}" for {len(files)} (e.g. {", ".join(files[:SHOWN_EXAMPLES])})'
                   for problem, files in commonest[:SHOWN_REASONS]]
        if len(commonest) > SHOWN_REASONS:
            reasons.append(f'{len(commonest) - SHOWN_REASONS} other problems')
        return (f'{self.ann_file}: {len(failed)} of the first {len(self._first_tried)} videos '
                f'tried in this process are unreadable, too many to skip; check the list '
                f'file and data_prefix.video ({self.data_prefix["video"]!r}). Problems: '
                + '; '.join(reasons))
