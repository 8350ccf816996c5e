"""Extract COCO-17 2D poses from videos into an mmaction2/pyskl skeleton annotation pkl.

Examples::

    # a folder of videos, class = parent folder name; MediaPipe BlazePose (CPU), once a frame
    python tools/data/extract_pose.py data/videos data/poses.pkl --label-from folder
    # an mmaction2 video list (`path label` per line, paths relative to the list's folder)
    python tools/data/extract_pose.py data/synth/synth_videos_xsub_train.txt out.pkl \\
        --video-root data/synth/videos --workers 2
    # mmdet person detector + mmpose top-down model (.venv-mm, tools/install/install_mm.sh)
    python tools/data/extract_pose.py videos/ out.pkl --backend mm --device cuda:0 \\
        --det-config DET.py --det-checkpoint DET.pth --pose-config POSE.py \\
        --pose-checkpoint POSE.pth
    # mmdet person boxes, BlazePose keypoints top-down on a crop of each box
    python tools/data/extract_pose.py videos/ out.pkl --backend mediapipe-topdown \\
        --detector-cfg "dict(type='MMDetPersonDetector', config='DET.py', \\
        checkpoint='DET.pth')"
    # your own backend: a module that registers classes in posetools.registry's
    # PERSON_DETECTORS / POSE_ESTIMATORS, imported by --import, chosen by config
    python tools/data/extract_pose.py videos/ out.pkl --import my_pkg.my_backend \\
        --detector-cfg "dict(type='MyDetector', thr=0.5)" --estimator-cfg my_estimator.py

INPUT is a video file (one of ``VIDEO_EXTENSIONS``), a folder (searched recursively for
such files) or any other file: an mmaction2 video list, ``<path> <label>`` per line
(``<path>`` alone unless ``--label-from list``), paths relative to ``--video-root``
(default: the list's folder).

Output, ``{'split': {name: [frame_dir, ...]}, 'annotations': [entry, ...]}`` plus
``label_names`` (class names, index = label) with ``--label-from folder``. Each entry is
:class:`posetools.pose.extraction.PoseExtractor`'s (``frame_dir``, ``total_frames``,
``img_shape``, ``original_shape``, ``keypoint`` (M, T, 17, 2), ``keypoint_score``
(M, T, 17), ``person_box`` (M, T, 4), ``person_box_score`` (M, T); M <= --max-persons)
plus ``label`` (int) unless ``--label-from none``. ``frame_dir`` is the video's path
relative to the folder or as written in the list, without extension, as
``PoseVideoDataset`` matches it. The split: ``--split NAME``, else, for a list, the
list's file name when it names one (see :func:`split_from_list_name`:
``synth_videos_xsub_train.txt`` -> ``xsub_train``), else ``all``; it holds every video of
INPUT that has an entry, so the pkl loads in mmaction2's ``PoseDataset(split=...)``.

Skipped, with the reason in the summary, never stopping the run: unreadable list lines,
duplicate ``frame_dir``s, videos that cannot be read (missing, empty, truncated, not a
video, frame size changing mid-stream), videos without a class folder (``--label-from
folder``), videos in which no person is detected in any frame (mmaction2 pkls have no such
entries and ``ValidatedPoseDataset`` rejects them; ``PoseVideoDataset`` gives a video
without an entry an empty pose anyway) and videos whose backend raises.

Resume: each extracted entry is written at once, atomically, to ``OUT_PKL.parts/`` (one
pkl per video); OUT_PKL itself is written atomically at the end, then the part store is
removed. So an interrupted run loses at most the videos in flight, and ``--resume``
continues it: videos already in OUT_PKL or in its part store are not extracted again
(skipped videos are retried). ``--resume`` also adds INPUT to an existing OUT_PKL, e.g.
the train list and then the val list, each its own split. Without ``--resume`` an existing
OUT_PKL is replaced, and a part store left by an interrupted run stops the tool.
"""
import argparse
import hashlib
import os
import os.path as osp
import pickle
import re
import shutil
import sys
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from typing import Dict, Iterator, List, Optional, Tuple

from mmengine.config import Config
from tqdm import tqdm

from posetools.engine.checkpoint_hook import AtomicLocalBackend
from posetools.pose.extraction import (BACKENDS, extract_or_reason, frames_without_person,
                                       init_process_extractor)

VIDEO_EXTENSIONS = ('.3gp', '.avi', '.flv', '.m4v', '.mkv', '.mov', '.mp4', '.mpeg', '.mpg',
                    '.webm', '.wmv')
SPLIT_WORDS = ('train', 'val', 'test')
SPLIT_PREFIXES = ('xsub', 'xview', 'xset')
DEFAULT_SPLIT = 'all'
NAMES_SHOWN = 5
"""How many videos the summary names per skip reason."""


@dataclass
class Video:
    """One video of INPUT: its name (relative to INPUT or as in the list), the file, its
    entry's ``frame_dir`` and label (None: no label)."""

    name: str
    path: str
    frame_dir: str
    label: Optional[int]


@dataclass
class Skip:
    """Why a video (or list line) ``name`` has no entry: ``reason`` groups the summary."""

    name: str
    reason: str
    detail: str


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog='See the module docstring of tools/data/extract_pose.py for the output layout.')
    parser.add_argument('input', help='a video file, a folder of videos or a video list')
    parser.add_argument('out_pkl', help='output annotation file (.pkl)')
    parser.add_argument('--backend', choices=sorted(BACKENDS), default='mediapipe',
                        help='(detector, estimator) preset: mediapipe runs BlazePose once a '
                        'frame, mediapipe-topdown once a frame and once more per person, mm '
                        'is mmdet + mmpose (default: mediapipe; see posetools.pose.BACKENDS)')
    parser.add_argument('--detector-cfg', metavar='CFG',
                        help="detector config replacing the preset's: a config file or a "
                        "python dict, e.g. \"dict(type='MediaPipePersonDetector', "
                        'max_people=3)"')
    parser.add_argument('--estimator-cfg', metavar='CFG',
                        help="pose estimator config replacing the preset's (as --detector-cfg),"
                        ' or None: the detector estimates the poses too (a class registered '
                        'as both, e.g. MediaPipePoseLandmarker)')
    parser.add_argument('--import', dest='imports', action='append', default=[],
                        metavar='MODULE',
                        help='import MODULE first (in every worker too), e.g. one that '
                        'registers your own backend classes; repeatable')
    parser.add_argument('--det-config', help='--backend mm: mmdet config file')
    parser.add_argument('--det-checkpoint', help='--backend mm: mmdet checkpoint')
    parser.add_argument('--pose-config', help='--backend mm: mmpose top-down config file')
    parser.add_argument('--pose-checkpoint', help='--backend mm: mmpose checkpoint')
    parser.add_argument('--device', default='cpu', help="--backend mm: 'cpu' or 'cuda:N'")
    parser.add_argument('--max-persons', type=int, default=2,
                        help='most person tracks kept per video (default: 2)')
    parser.add_argument('--iou-thr', type=float, default=0.3,
                        help='least box IoU that continues a person track (default: 0.3)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes, each with its own backend (default: 1, in '
                        'this process)')
    parser.add_argument('--label-from', choices=('list', 'folder', 'none'),
                        help="entry labels: the list's second column, the class index of the "
                        "video's parent folder name among the sorted names (saved as "
                        "'label_names'), or no label (default: list for a list, else none)")
    parser.add_argument('--video-root',
                        help="folder the list's paths are relative to (default: its folder)")
    parser.add_argument('--split',
                        help='split name of the videos (default: from the list file name, '
                        f'else {DEFAULT_SPLIT!r})')
    parser.add_argument('--resume', action='store_true',
                        help='skip the videos already in OUT_PKL or its part store')
    args = parser.parse_args(argv)
    if not osp.exists(args.input):
        parser.error(f'{args.input}: not found')
    kind = input_kind(args.input)
    args.label_from = args.label_from or ('list' if kind == 'list' else 'none')
    if args.label_from == 'list' and kind != 'list':
        parser.error(f'--label-from list needs a video list, {args.input} is a {kind}')
    if args.label_from == 'folder' and kind == 'video':
        parser.error(f'--label-from folder needs a folder or a list, {args.input} is a video')
    if args.video_root and kind != 'list':
        parser.error(f'--video-root is for a video list, {args.input} is a {kind}')
    if args.max_persons < 1 or args.workers < 1:
        parser.error('--max-persons and --workers must be >= 1')
    if args.detector_cfg and not args.estimator_cfg and BACKENDS[args.backend][1] is None:
        parser.error(f'--backend {args.backend} has no estimator (its detector estimates the '
                     'poses too): with --detector-cfg give --estimator-cfg (None if that '
                     'detector estimates too), or take --backend mediapipe-topdown')
    if args.backend == 'mm':
        needed = ([] if args.detector_cfg else ['det_config', 'det_checkpoint']) + (
            [] if args.estimator_cfg else ['pose_config', 'pose_checkpoint'])
        missing = [f'--{name.replace("_", "-")}' for name in needed if getattr(args, name) is None]
        if missing:
            parser.error(f'--backend mm needs {", ".join(missing)}')
    return args


def input_kind(path: str) -> str:
    """``'folder'``, ``'video'`` (a file with a video extension) or ``'list'``."""
    if osp.isdir(path):
        return 'folder'
    return 'video' if osp.splitext(path)[1].lower() in VIDEO_EXTENSIONS else 'list'


def split_from_list_name(path: str) -> Optional[str]:
    """The split a list's file name names: its first word (separated by ``_ - .``) among
    ``SPLIT_WORDS``, joined to the word before it if that is one of ``SPLIT_PREFIXES``.

    ``synth_videos_xsub_train.txt`` -> ``'xsub_train'``,
    ``kinetics400_val_list_videos.txt`` -> ``'val'``, ``videos.txt`` -> None.
    """
    words = re.split(r'[_.-]', osp.splitext(osp.basename(path))[0].lower())
    for index, word in enumerate(words):
        if word in SPLIT_WORDS:
            if index and words[index - 1] in SPLIT_PREFIXES:
                return f'{words[index - 1]}_{word}'
            return word
    return None


def load_config(text: str) -> Optional[Dict]:
    """A backend config from a config file or a python dict expression; ``'None'``: None."""
    if osp.isfile(text):
        return Config.fromfile(text).to_dict()
    if text.strip() == 'None':
        return None
    return Config.fromstring(f'cfg = {text}', file_format='.py')['cfg'].to_dict()


def backend_configs(args: argparse.Namespace) -> Tuple[Dict, Optional[Dict]]:
    """The (detector, estimator) configs: the preset, or the given configs; an estimator of
    None: the detector estimates too."""
    detector, estimator = (None if cfg is None else dict(cfg)
                           for cfg in BACKENDS[args.backend])
    if args.backend == 'mm':
        detector.update(config=args.det_config, checkpoint=args.det_checkpoint,
                        device=args.device)
        estimator.update(config=args.pose_config, checkpoint=args.pose_checkpoint,
                         device=args.device)
    return (load_config(args.detector_cfg) if args.detector_cfg else detector,
            load_config(args.estimator_cfg) if args.estimator_cfg else estimator)


def _relative_videos(args: argparse.Namespace,
                     skips: List[Skip]) -> Iterator[Tuple[str, str, Optional[int]]]:
    """INPUT's videos as (file, path relative to the root, list label); bad list lines go
    to ``skips``."""
    kind = input_kind(args.input)
    if kind == 'video':
        yield args.input, osp.basename(args.input), None
    elif kind == 'folder':
        for folder, subfolders, files in os.walk(args.input):
            subfolders.sort()
            for name in sorted(files):
                if osp.splitext(name)[1].lower() in VIDEO_EXTENSIONS:
                    path = osp.join(folder, name)
                    yield path, osp.relpath(path, args.input), None
    else:
        root = args.video_root or osp.dirname(args.input)
        with open(args.input, 'rb') as file:
            lines = file.read().splitlines()
        for number, raw in enumerate(lines, 1):
            name = f'{args.input}:{number}'
            try:
                fields = raw.decode('utf-8').split()
            except UnicodeDecodeError:
                skips.append(Skip(name, 'unreadable list line', 'not UTF-8'))
                continue
            if not fields:
                continue
            if args.label_from == 'list' and not (len(fields) == 2
                                                  and re.fullmatch(r'[0-9]+', fields[1])):
                skips.append(Skip(name, 'unreadable list line',
                                  f"expected '<path> <label>' (label an integer >= 0), got "
                                  f'{" ".join(fields)!r}'))
                continue
            label = int(fields[1]) if args.label_from == 'list' else None
            yield osp.join(root, fields[0]), fields[0], label


def list_videos(args: argparse.Namespace, label_names: Optional[List[str]]
                ) -> Tuple[List[Video], List[Skip], Optional[List[str]]]:
    """INPUT's videos, the skipped ones and, for ``--label-from folder``, the class names.

    Args:
        args: The command line.
        label_names: The class names of the pkl that is resumed, if any: new classes must
            be among them (so that the labels already written stay right).

    Raises:
        ValueError: ``label_names`` lacks a class folder of INPUT.
    """
    skips: List[Skip] = []
    found: List[tuple] = []
    taken: Dict[str, str] = {}
    for path, relative, label in _relative_videos(args, skips):
        frame_dir = osp.splitext(relative)[0].replace(os.sep, '/')
        if frame_dir in taken:
            skips.append(Skip(relative, 'duplicate frame_dir',
                              f'{frame_dir!r} is already that of {taken[frame_dir]}'))
            continue
        taken[frame_dir] = relative
        if args.label_from == 'folder':
            folder = osp.basename(osp.dirname(relative))
            if not folder:
                skips.append(Skip(relative, 'no class folder (--label-from folder)',
                                  'the video is not in a subfolder'))
                continue
            label = folder
        found.append((relative, path, frame_dir, label))
    if args.label_from == 'folder':
        classes = sorted({label for *_, label in found})
        if label_names is None:
            label_names = classes
        elif not set(classes) <= set(label_names):
            raise ValueError(f'{args.out_pkl} has label_names {label_names}; the class folders '
                             f'{sorted(set(classes) - set(label_names))} of {args.input} are '
                             'not among them')
        found = [(*video, label_names.index(label)) for *video, label in found]
    return [Video(*item) for item in found], skips, label_names


class PartStore:
    """Extracted entries of an unfinished run, one pickle per video in ``OUT_PKL.parts/``.

    Args:
        out_pkl (str): The output file.
    """

    def __init__(self, out_pkl: str) -> None:
        self.folder = out_pkl + '.parts'

    def exists(self) -> bool:
        """Whether a store is there."""
        return osp.isdir(self.folder)

    def load(self) -> Dict[str, Dict]:
        """The stored entries by ``frame_dir``."""
        entries = {}
        for name in sorted(os.listdir(self.folder)) if self.exists() else []:
            if name.endswith('.pkl'):
                with open(osp.join(self.folder, name), 'rb') as file:
                    entry = pickle.load(file)
                entries[entry['frame_dir']] = entry
        return entries

    def add(self, entry: Dict) -> None:
        """Store one entry atomically."""
        os.makedirs(self.folder, exist_ok=True)
        name = hashlib.sha1(entry['frame_dir'].encode('utf-8')).hexdigest() + '.pkl'
        write_atomically(osp.join(self.folder, name), entry)

    def remove(self) -> None:
        """Delete the store."""
        shutil.rmtree(self.folder, ignore_errors=True)


def write_atomically(path: str, content: object) -> None:
    """Pickle ``content`` to ``path`` as the checkpoints are written (through a flushed
    temporary file), so ``path`` is either the old file or the complete new one."""
    AtomicLocalBackend().put(pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL), path)


def run(videos: List[Video], args: argparse.Namespace, store: PartStore,
        skips: List[Skip]) -> int:
    """Extract ``videos`` into ``store`` with a progress bar; failures go to ``skips``.

    Returns:
        int: How many videos were extracted.

    Raises:
        RuntimeError: The backend cannot be built.
        BrokenProcessPool: A worker process died.
    """
    done = 0
    with tqdm(total=len(videos), desc='extract_pose', unit='video', dynamic_ncols=True) as bar:
        for video, (entry, reason) in _results(videos, args):
            if entry is None:
                skips.append(Skip(video.name, *reason))
            else:
                if video.label is not None:
                    entry['label'] = video.label
                store.add(entry)
                done += 1
            bar.update()
            bar.set_postfix(done=done, skipped=len(skips), refresh=False)
    return done


def _results(videos: List[Video], args: argparse.Namespace) -> Iterator[Tuple[Video, tuple]]:
    """Each video with its :func:`extract_or_reason`, as they finish: in this process for
    one worker, else in ``--workers`` spawned processes, at most two per worker queued (so
    an interruption loses few videos)."""
    init_args = (*backend_configs(args), args.max_persons, args.iou_thr, args.imports)
    if args.workers == 1:
        init_process_extractor(*init_args)
        for video in videos:
            yield video, extract_or_reason(video.path, video.frame_dir)
        return
    with ProcessPoolExecutor(args.workers, mp_context=get_context('spawn'),
                             initializer=init_process_extractor, initargs=init_args) as pool:
        pending = iter(videos)
        running: Dict = {}
        while True:
            for video in list(islice(pending, 2 * args.workers - len(running))):
                running[pool.submit(extract_or_reason, video.path, video.frame_dir)] = video
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield running.pop(future), future.result()


def load_output(path: str) -> Dict:
    """An existing output pkl (to resume)."""
    with open(path, 'rb') as file:
        content = pickle.load(file)
    if not isinstance(content, dict) or not isinstance(content.get('annotations'), list):
        raise ValueError(f"{path}: not an annotation pkl ({{'split', 'annotations'}}), "
                         'cannot resume it')
    return content


def merge_output(previous: Dict, parts: Dict[str, Dict], videos: List[Video],
                 split: str, label_names: Optional[List[str]]) -> Dict:
    """The output: the resumed pkl's annotations, then the new entries in INPUT order; the
    split ``split`` gets every video of INPUT that has an entry."""
    annotations = list(previous.get('annotations', []))
    known = {entry['frame_dir'] for entry in annotations}
    order = {video.frame_dir: index for index, video in enumerate(videos)}
    annotations += sorted((entry for name, entry in parts.items() if name not in known),
                          key=lambda entry: order.get(entry['frame_dir'], len(order)))
    known |= set(parts)
    splits = {name: list(members) for name, members in previous.get('split', {}).items()}
    members = splits.setdefault(split, [])
    listed = set(members)
    members += [video.frame_dir for video in videos
                if video.frame_dir in known and video.frame_dir not in listed]
    output = dict(split=splits, annotations=annotations)
    if label_names is not None:
        output['label_names'] = label_names
    return output


def print_summary(args: argparse.Namespace, output: Dict, videos: List[Video],
                  extracted: int, skips: List[Skip], seconds: float) -> None:
    """Videos done, skipped (per reason: count and the first few) and frames without a
    person."""
    entries = {entry['frame_dir']: entry for entry in output['annotations']}
    mine = [entries[video.frame_dir] for video in videos if video.frame_dir in entries]
    print(f'extract_pose: {len(mine)} videos of {args.input} done ({extracted} extracted now '
          f'in {seconds:.1f}s, {len(mine) - extracted} from before) -> {args.out_pkl}: '
          f'{len(output["annotations"])} annotations, splits '
          + ', '.join(f'{name} ({len(members)})' for name, members in output['split'].items()))
    by_reason: Dict[str, List[Skip]] = defaultdict(list)
    for skip in skips:
        by_reason[skip.reason].append(skip)
    print(f'skipped: {len(skips)}')
    for reason, group in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        print(f'  {reason}: {len(group)}')
        for skip in group[:NAMES_SHOWN]:
            print(f'    {skip.name}' + (f': {skip.detail}' if skip.detail else ''))
        if len(group) > NAMES_SHOWN:
            print(f'    ... and {len(group) - NAMES_SHOWN} more')
    frames = sum(entry['total_frames'] for entry in mine)
    empty = [frames_without_person(entry) for entry in mine]
    print(f'frames without a person: {sum(empty)} of {frames} '
          f'({100 * sum(empty) / max(frames, 1):.1f}%), in {sum(map(bool, empty))} of '
          f'{len(mine)} videos')


def main(argv: Optional[List[str]] = None) -> int:
    """Run the extraction; returns the exit status (1: nothing to write or interrupted)."""
    args = parse_args(argv)
    start = time.time()
    store = PartStore(args.out_pkl)
    if store.exists() and not args.resume:
        print(f'error: {store.folder} holds the videos of an interrupted run: pass --resume '
              'to continue it, or delete it', file=sys.stderr)
        return 1
    try:
        previous = load_output(args.out_pkl) if args.resume and osp.isfile(args.out_pkl) \
            else {}
        videos, skips, label_names = list_videos(args, previous.get('label_names'))
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    done = {entry['frame_dir'] for entry in previous.get('annotations', [])} | set(store.load())
    todo = [video for video in videos if video.frame_dir not in done]
    os.makedirs(osp.dirname(osp.abspath(args.out_pkl)), exist_ok=True)
    try:
        extracted = run(todo, args, store, skips)
    except (KeyboardInterrupt, BrokenProcessPool, RuntimeError) as error:
        problem = {KeyboardInterrupt: 'interrupted', BrokenProcessPool: 'a worker process '
                   'died (killed, out of memory or crashed in the backend)'}.get(
                       type(error), str(error))
        print(f'\nstopped: {problem}; the videos extracted so far are kept in {store.folder}:'
              ' run again with --resume', file=sys.stderr)
        return 1
    split = args.split or (split_from_list_name(args.input)
                           if input_kind(args.input) == 'list' else None) or DEFAULT_SPLIT
    output = merge_output(previous, store.load(), videos, split, label_names)
    if not output['annotations']:
        print_summary(args, output, videos, extracted, skips, time.time() - start)
        print(f'error: no video has poses, {args.out_pkl} is not written', file=sys.stderr)
        store.remove()
        return 1
    write_atomically(args.out_pkl, output)
    store.remove()
    print_summary(args, output, videos, extracted, skips, time.time() - start)
    return 0


if __name__ == '__main__':
    sys.exit(main())
