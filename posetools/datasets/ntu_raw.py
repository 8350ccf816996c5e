"""Convert raw NTU RGB+D ``.skeleton`` files into an mmaction2 3D annotation dict.

The body selection reproduces ``tools/data/skeleton/gen_ntu_rgbd_raw.py`` of
mmaction2 1.2.0 (shipped in the wheel under ``mmaction/.mim``) value for value, so
that annotations built here are interchangeable with the ones behind published
numbers. Its behaviour, including the quirks, is:

* Bodies are put into 4 *slots* by their position within each frame (the
  ``m``-th body listed in a frame goes to slot ``m``), not by Kinect ``bodyID``.
  Bodies beyond the 4th of a frame are dropped. Frames with fewer bodies leave
  the remaining slots zero for that frame.
* The motion energy of a slot is the sum over x, y, z of the standard deviation
  (over frames and joints together) of that coordinate, computed only on the
  frames whose coordinates do not *sum* to exactly 0. A slot with no such frame
  has energy 0.
* The ``max_persons`` (2) slots with the highest energy are kept, ordered by
  decreasing energy (``np.argsort(energy)[::-1]``; with numpy's default sort,
  ties go to the higher slot index). The output person order is therefore by
  energy, not by appearance.
* Of those, slots whose coordinates sum to exactly 0 are removed, so the person
  count M may be smaller than ``max_persons`` (even 0 for a file without bodies).
* Every frame of the file is kept (frames without bodies are zero), so
  ``total_frames`` is the frame count of the file header. There is no
  denoising, no trimming and no padding to a fixed length.

Differences from that script: ``keypoint`` is float32 by default (the script
stores float16; pass ``dtype=np.float16`` to get its arrays bit for bit), the
files are validated strictly, and ``ntu60`` ignores files outside NTU60
(action > 60 or setup > 17) where the script converts whatever is in the folder.
"""
import os
import os.path as osp
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import Pool
from typing import (Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple,
                    Union)

import numpy as np
from tqdm import tqdm

NUM_JOINTS = 25
NUM_BODY_SLOTS = 4
NUM_BODY_VALUES = 10
NUM_JOINT_VALUES = 12
JOINT_VALUE_NAMES = ('x y z depthX depthY colorX colorY orientationW orientationX '
                     'orientationY orientationZ trackingState')

NTU60_TRAIN_SUBJECTS = frozenset(
    (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38))
NTU120_TRAIN_SUBJECTS = NTU60_TRAIN_SUBJECTS | frozenset(
    (45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82,
     83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103))
NTU60_TRAIN_CAMERAS = frozenset((2, 3))

SPLIT_NAMES: Dict[str, Tuple[str, ...]] = {
    'ntu60': ('xsub_train', 'xsub_val', 'xview_train', 'xview_val'),
    'ntu120': ('xsub_train', 'xsub_val', 'xset_train', 'xset_val'),
}
# (number of setups, number of actions) of each dataset.
DATASET_EXTENT: Dict[str, Tuple[int, int]] = {'ntu60': (17, 60), 'ntu120': (32, 120)}

SKELETON_SUFFIX = '.skeleton'
_SKELETON_FILE_RE = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})\.skeleton')


class NTUSkeletonFormatError(ValueError):
    """A ``.skeleton`` file does not follow the NTU RGB+D text format.

    Args:
        path: The offending file.
        line: 1-based line number of the problem.
        message: What was expected and what was found.
    """

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f'{self.path}, line {self.line}: {self.message}'


class NTUSampleNameError(ValueError):
    """A file name is not of the form ``SsssCcccPpppRrrrAaaa.skeleton``."""


@dataclass(frozen=True)
class NTUSample:
    """The fields encoded in an NTU sample name (all 1-based, as in the name)."""

    setup: int
    camera: int
    performer: int
    replication: int
    action: int

    @classmethod
    def from_path(cls, path: str) -> 'NTUSample':
        """Parses ``.../SsssCcccPpppRrrrAaaa.skeleton``.

        Raises:
            NTUSampleNameError: If the file name does not match the pattern.
        """
        match = _SKELETON_FILE_RE.fullmatch(osp.basename(path))
        if match is None:
            raise NTUSampleNameError(
                f'{path}: file name does not match SsssCcccPpppRrrrAaaa.skeleton '
                '(e.g. S001C002P005R002A008.skeleton)')
        ids = [int(group) for group in match.groups()]
        if min(ids) == 0:
            raise NTUSampleNameError(f'{path}: ids in the file name are 1-based, found 000')
        return cls(*ids)

    @property
    def name(self) -> str:
        """The sample name used as ``frame_dir``, e.g. ``S001C002P005R002A008``."""
        return (f'S{self.setup:03d}C{self.camera:03d}P{self.performer:03d}'
                f'R{self.replication:03d}A{self.action:03d}')

    @property
    def label(self) -> int:
        """The 0-based class label (``action - 1``)."""
        return self.action - 1

    def in_dataset(self, dataset: str) -> bool:
        """Whether the sample belongs to ``dataset`` (``ntu60`` or ``ntu120``)."""
        num_setups, num_actions = DATASET_EXTENT[dataset]
        return self.setup <= num_setups and self.action <= num_actions

    def splits(self, dataset: str) -> Tuple[str, str]:
        """The two splits of ``dataset`` that contain the sample.

        ``xsub``: by performer (training-subject lists of mmaction2's script);
        ``xview`` (NTU60): cameras 2 and 3 train; ``xset`` (NTU120): even setups train.
        """
        if dataset == 'ntu60':
            xsub = self.performer in NTU60_TRAIN_SUBJECTS
            second, second_train = 'xview', self.camera in NTU60_TRAIN_CAMERAS
        elif dataset == 'ntu120':
            xsub = self.performer in NTU120_TRAIN_SUBJECTS
            second, second_train = 'xset', self.setup % 2 == 0
        else:
            raise ValueError(f'dataset must be one of {sorted(SPLIT_NAMES)}, got {dataset!r}')
        return ('xsub_train' if xsub else 'xsub_val',
                f'{second}_train' if second_train else f'{second}_val')


class _LineCursor:
    """Reads the lines of one ``.skeleton`` file in order, with located errors."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        # Only '\n' ends a line (a trailing '\r' goes with the whitespace); str.splitlines
        # would also split at stray control characters and shift the line numbers.
        self.lines = text.split('\n')
        if self.lines[-1] == '':
            self.lines.pop()  # the text ends with a newline
        self.index = 0  # 0-based index of the next line to read

    def error(self, index: int, message: str) -> NTUSkeletonFormatError:
        """Builds an error for the 0-based line ``index``."""
        return NTUSkeletonFormatError(self.path, index + 1, message)

    def _check_not_at_end(self, num_lines: int, what: str) -> None:
        available = len(self.lines) - self.index
        if available < num_lines:
            found = f', found only {available}' if available else ''
            raise self.error(
                len(self.lines), f'unexpected end of file: expected {num_lines} line(s) '
                f'of {what}{found}')

    def read_tokens(self, num_tokens: int, what: str) -> List[str]:
        """Reads one line that must hold exactly ``num_tokens`` numbers."""
        self._check_not_at_end(1, what)
        tokens = self.lines[self.index].split()
        if len(tokens) != num_tokens:
            raise self.error(
                self.index, f'expected {what} ({num_tokens} value(s)), found '
                f'{len(tokens)} value(s): {self.lines[self.index].strip()!r}')
        bad = _first_non_number(tokens)
        if bad is not None:
            raise self.error(self.index, f'expected {what}, found non-numeric {bad!r}')
        self.index += 1
        return tokens

    def read_count(self, what: str) -> int:
        """Reads one line holding a single non-negative integer."""
        (token,) = self.read_tokens(1, what)
        if not token.isdigit():
            raise self.error(self.index - 1,
                             f'expected {what} as a non-negative integer, found {token!r}')
        return int(token)

    def skip(self, num_lines: int, what: str) -> int:
        """Skips ``num_lines`` lines and returns the index of the first one."""
        self._check_not_at_end(num_lines, what)
        start = self.index
        self.index += num_lines
        return start

    def check_at_end(self, num_frames: int) -> None:
        """Checks that only blank lines follow the last frame."""
        for index in range(self.index, len(self.lines)):
            if self.lines[index].strip():
                raise self.error(
                    index, f'expected end of file after the {num_frames} frame(s) declared '
                    f'on line 1, found {self.lines[index].strip()!r}')


def _first_non_number(tokens: Iterable[str]) -> Optional[str]:
    """Returns the first token that ``float`` rejects, or None."""
    for token in tokens:
        try:
            float(token)
        except ValueError:
            return token
    return None


def _parse_joint_rows(cursor: _LineCursor, block_starts: Sequence[int]) -> np.ndarray:
    """Parses the joint lines of all bodies at once.

    Args:
        cursor: The file's cursor (for the lines and errors).
        block_starts: 0-based index of the first joint line of each body (B bodies).

    Returns:
        float64 array, B x 25 x 12 (the values of ``JOINT_VALUE_NAMES``).
    """
    line_indices = (np.asarray(block_starts, dtype=np.int64)[:, None] +
                    np.arange(NUM_JOINTS)).ravel()
    rows = [cursor.lines[index].split() for index in line_indices]
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    wrong = np.flatnonzero(lengths != NUM_JOINT_VALUES)
    if wrong.size:
        index = int(line_indices[wrong[0]])
        raise cursor.error(
            index, f'expected a joint line of {NUM_JOINT_VALUES} values ({JOINT_VALUE_NAMES}), '
            f'found {lengths[wrong[0]]} value(s): {cursor.lines[index].strip()!r}')
    try:
        values = np.array(rows, dtype=np.float64).reshape(-1, NUM_JOINTS, NUM_JOINT_VALUES)
    except ValueError as err:
        for index, row in zip(line_indices, rows):
            bad = _first_non_number(row)
            if bad is not None:
                raise cursor.error(int(index),
                                   f'expected a number in a joint line, found {bad!r}') from err
        raise
    return values


def read_skeleton_slots(path: str, num_slots: int = NUM_BODY_SLOTS) -> np.ndarray:
    """Reads the joint coordinates of a ``.skeleton`` file into body slots.

    The ``m``-th body listed in a frame goes to slot ``m`` (bodies from the
    ``num_slots + 1``-th on are validated, then dropped); slots without a body in
    a frame stay 0. The whole file is validated.

    Args:
        path: The ``.skeleton`` file.
        num_slots: Number of body slots (4 in mmaction2's script).

    Returns:
        float64 array, num_slots x T x 25 x 3 (x, y, z in meters), T = header frame count.

    Raises:
        NTUSkeletonFormatError: If the file is malformed (with path and line number).
    """
    with open(path, encoding='latin-1') as file:  # latin-1 never fails to decode
        cursor = _LineCursor(path, file.read())
    num_frames = cursor.read_count('the frame count')
    frame_ids: List[int] = []
    slot_ids: List[int] = []
    block_starts: List[int] = []
    for frame in range(num_frames):
        num_bodies = cursor.read_count(f'the body count of frame {frame + 1}/{num_frames}')
        for body in range(num_bodies):
            cursor.read_tokens(NUM_BODY_VALUES, f'the body info line of body {body + 1} of '
                               f'frame {frame + 1}')
            num_joints = cursor.read_count('the joint count')
            if num_joints != NUM_JOINTS:
                raise cursor.error(cursor.index - 1,
                                   f'expected joint count {NUM_JOINTS}, found {num_joints}')
            block_starts.append(cursor.skip(NUM_JOINTS, 'joints'))
            frame_ids.append(frame)
            slot_ids.append(body)
    cursor.check_at_end(num_frames)

    slots = np.zeros((num_slots, num_frames, NUM_JOINTS, 3), dtype=np.float64)
    if block_starts:
        joints = _parse_joint_rows(cursor, block_starts)
        slot_ids_arr = np.asarray(slot_ids)
        kept = slot_ids_arr < num_slots
        slots[slot_ids_arr[kept], np.asarray(frame_ids)[kept]] = joints[kept, :, :3]
    return slots


def motion_energy(body: np.ndarray) -> float:
    """Motion energy of one body slot, as in mmaction2's ``get_nonzero_std``.

    Args:
        body: float64 array, T x V x 3.

    Returns:
        ``std(x) + std(y) + std(z)`` over the frames (and all joints) whose
        coordinates do not sum to 0; 0 when there is no such frame.
    """
    present = body[body.sum(-1).sum(-1) != 0]
    if len(present) == 0:
        return 0.0
    return present[:, :, 0].std() + present[:, :, 1].std() + present[:, :, 2].std()


def select_bodies(slots: np.ndarray, max_persons: int = 2) -> np.ndarray:
    """Keeps the ``max_persons`` most moving slots, then drops those summing to 0.

    Args:
        slots: float64 array, S x T x V x 3 (from :func:`read_skeleton_slots`).
        max_persons: How many slots to keep at most.

    Returns:
        float64 array, M x T x V x 3 with M <= max_persons, ordered by decreasing
        motion energy (ties: numpy's default ``argsort``, reversed).
    """
    energy = np.array([motion_energy(body) for body in slots], dtype=np.float64)
    selected = slots[np.argsort(energy)[::-1][:max_persons]]
    return selected[selected.sum((1, 2, 3)) != 0]


def load_ntu_sample(path: str, max_persons: int = 2,
                    dtype: Union[type, np.dtype] = np.float32) -> Dict:
    """Converts one ``.skeleton`` file into an mmaction2 3D annotation.

    Args:
        path: ``.../SsssCcccPpppRrrrAaaa.skeleton``.
        max_persons: Maximum number of persons M kept (1 to 4).
        dtype: dtype of ``keypoint`` (float16 gives mmaction2's arrays exactly).

    Returns:
        ``{'frame_dir': str, 'label': int, 'total_frames': int,
        'keypoint': M x T x 25 x 3 array of ``dtype``}``.

    Raises:
        NTUSampleNameError: If the file name is not a sample name.
        NTUSkeletonFormatError: If the file is malformed.
    """
    if not 1 <= max_persons <= NUM_BODY_SLOTS:
        raise ValueError(f'max_persons must be in 1..{NUM_BODY_SLOTS}, got {max_persons}')
    sample = NTUSample.from_path(path)
    keypoint = select_bodies(read_skeleton_slots(path), max_persons).astype(dtype)
    return {
        'frame_dir': sample.name,
        'label': sample.label,
        'total_frames': keypoint.shape[1],
        'keypoint': keypoint,
    }


def read_sample_list(path: str) -> Set[str]:
    """Reads a list of sample names (e.g. NTU's samples with missing skeletons).

    One name per line, with or without the ``.skeleton`` suffix; blank lines and
    ``#`` comments are ignored.
    """
    names = set()
    with open(path, encoding='utf-8') as file:
        for line in file:
            name = line.split('#', 1)[0].strip()
            if name.endswith(SKELETON_SUFFIX):
                name = name[:-len(SKELETON_SUFFIX)]
            if name:
                names.add(name)
    return names


def build_splits(samples: Iterable[NTUSample], dataset: str) -> Dict[str, List[str]]:
    """Assigns samples to the splits of ``dataset``.

    Returns:
        ``{split name: [sample name, ...]}`` for every name in ``SPLIT_NAMES[dataset]``,
        in the order of ``samples``.
    """
    split: Dict[str, List[str]] = {name: [] for name in SPLIT_NAMES[dataset]}
    for sample in samples:
        for name in sample.splits(dataset):
            split[name].append(sample.name)
    return split


@dataclass
class NTUConversion:
    """Result of :func:`convert_ntu_skeletons`.

    Attributes:
        data: ``{'split': {name: [frame_dir, ...]}, 'annotations': [ann, ...]}``.
        skipped_missing: Sample names skipped because of the missing-sample list.
        skipped_other_dataset: Sample names outside the requested dataset.
        skipped_bad: ``(file path, error message)`` of malformed files skipped.
        empty: Sample names converted with no person at all (M == 0).
    """

    data: Dict
    skipped_missing: List[str] = field(default_factory=list)
    skipped_other_dataset: List[str] = field(default_factory=list)
    skipped_bad: List[Tuple[str, str]] = field(default_factory=list)
    empty: List[str] = field(default_factory=list)


def _load_or_error(path: str, max_persons: int,
                   dtype: Union[type, np.dtype]) -> Union[Dict, NTUSkeletonFormatError]:
    """:func:`load_ntu_sample`, returning a format error instead of raising it."""
    try:
        return load_ntu_sample(path, max_persons, dtype)
    except NTUSkeletonFormatError as err:
        return err


def convert_ntu_skeletons(skeleton_dir: str,
                          dataset: str = 'ntu60',
                          missing: Iterable[str] = (),
                          max_persons: int = 2,
                          skip_bad: bool = False,
                          dtype: Union[type, np.dtype] = np.float32,
                          num_workers: int = 0,
                          progress: bool = True) -> NTUConversion:
    """Converts a folder of ``.skeleton`` files into an mmaction2 annotation dict.

    Only ``*.skeleton`` files are considered; they are processed in sorted order.

    Args:
        skeleton_dir: Folder holding the ``.skeleton`` files.
        dataset: ``ntu60`` or ``ntu120``.
        missing: Sample names to skip (without the ``.skeleton`` suffix).
        max_persons: Maximum number of persons M kept per sample.
        skip_bad: Skip malformed files (and badly named ones) instead of raising.
        dtype: dtype of the ``keypoint`` arrays.
        num_workers: Worker processes for parsing (0: parse in this process).
        progress: Show a tqdm progress bar.

    Returns:
        The annotations and what was skipped.

    Raises:
        NTUSampleNameError: For a badly named file, unless ``skip_bad``.
        NTUSkeletonFormatError: For a malformed file, unless ``skip_bad``.
    """
    if dataset not in SPLIT_NAMES:
        raise ValueError(f'dataset must be one of {sorted(SPLIT_NAMES)}, got {dataset!r}')
    if not 1 <= max_persons <= NUM_BODY_SLOTS:
        raise ValueError(f'max_persons must be in 1..{NUM_BODY_SLOTS}, got {max_persons}')
    missing = set(missing)
    result = NTUConversion(data={})
    paths: List[str] = []
    samples: List[NTUSample] = []
    for file_name in sorted(os.listdir(skeleton_dir)):
        if not file_name.endswith(SKELETON_SUFFIX):
            continue
        path = osp.join(skeleton_dir, file_name)
        try:
            sample = NTUSample.from_path(path)
        except NTUSampleNameError as err:
            if not skip_bad:
                raise
            result.skipped_bad.append((path, str(err)))
            continue
        if sample.name in missing:
            result.skipped_missing.append(sample.name)
        elif not sample.in_dataset(dataset):
            result.skipped_other_dataset.append(sample.name)
        else:
            paths.append(path)
            samples.append(sample)

    load = partial(_load_or_error, max_persons=max_persons, dtype=dtype)
    annotations = []
    converted = []
    with _map_in_workers(load, paths, num_workers) as loaded:
        bar = tqdm(loaded, total=len(paths), desc='NTU skeletons', unit='file',
                   disable=not progress)
        for path, sample, ann in zip(paths, samples, bar):
            if isinstance(ann, NTUSkeletonFormatError):
                if not skip_bad:
                    raise ann
                result.skipped_bad.append((path, str(ann)))
                continue
            if len(ann['keypoint']) == 0:
                result.empty.append(sample.name)
            annotations.append(ann)
            converted.append(sample)

    result.data = {'split': build_splits(converted, dataset), 'annotations': annotations}
    return result


@contextmanager
def _map_in_workers(func: Callable, items: Sequence, num_workers: int) -> Iterator[Iterator]:
    """Yields ``map(func, items)``, computed by ``num_workers`` processes if > 0."""
    if num_workers <= 0:
        yield map(func, items)
        return
    with Pool(num_workers) as pool:  # terminates the workers on exit
        chunksize = max(1, min(64, len(items) // (8 * num_workers)))
        yield pool.imap(func, items, chunksize=chunksize)
