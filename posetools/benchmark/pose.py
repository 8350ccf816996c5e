"""``benchmark.py pose``: frames/s of each pose backend on CPU, next to mmaction2's extraction.

    python tools/analysis/benchmark.py pose [--sizes 340 720] [--frames 50]
        [--reference-frames 5] [--videos 16] [--video-frames 64] [--workers 1 2]

Frames: ``--sizes`` are frame heights, each at 16:9: 340p is 340 x 604 (h x w), 720p is
720 x 1280. Each frame shows a real person: ``skimage.data.astronaut()`` (a 512 x 512
half-body portrait; scikit-image is a test dependency) scaled to 90% of the frame height, its
bottom edge on the frame's (BlazePose takes a padded edge below a cut-off body for the end of
the body), on the colour of the photo's wall, at one of 8 positions from left to right.

Backends (the presets of ``posetools.pose.BACKENDS``), timed in this process one frame after
the other, after ``--warmup`` untimed frames (graph creation, first allocations):

- ``mediapipe`` (the default): BlazePose once per frame (``MediaPipePoseLandmarker``
  as detector and estimator: ``detect`` on the frame, ``estimate`` on the boxes found);
- ``mediapipe-topdown``: BlazePose on the frame, then again on a crop of each box found;
- ``mm``, the reference: mmaction2's skeleton extraction
  (``tools/data/skeleton/ntu_pose_extraction.py``): mmdet Faster R-CNN R50-FPN
  (``faster-rcnn_r50-caffe_fpn_ms-1x_coco-person``, mmaction2's detector config, which
  resizes frames to fit 1333 x 800) and mmpose HRNet-w32 top-down 256 x 192
  (``td-hm_hrnet-w32_8xb64-210e_coco-256x192``, flip test on, as mmaction2's), through the
  same mmdet/mmpose calls (``MMDetPersonDetector``, ``MMPoseTopDownEstimator``), with
  random weights. A random detector finds no person, or random ones, so per frame the
  detector runs on the whole frame (its boxes filtered as mmaction2 does) and the pose model
  on one given box, the person's, as on a real one-person frame. Random weights drive HRNet's
  activations into denormal floats, which are slow on CPU (its pass took 4-6x longer):
  denormals are flushed to zero (``torch.set_flush_denormal``), as trained weights would not
  produce them. mmaction2 also writes every frame as a JPEG and reads it back before
  detection; that is not timed here, so the ratios against it are lower bounds.

The ratio is a backend's frames/s over the reference's at the same frame size, both measured
in this run. A backend that cannot be built (``mm`` without mmcv's compiled ops, i.e. outside
``.venv-mm``) is reported as not available, with the reason, and gets no ratio. Threads:
torch keeps its default (``torch.get_num_threads()``, one per core), as extract_pose.py
does; MediaPipe runs its own. "cores used" is the process's CPU time over the wall time.

Workers (``--videos`` > 0): ``tools/data/extract_pose.py`` extracts ``--videos`` generated
H.264 videos (``--video-frames`` frames at ``--video-size``, the astronaut moving across)
with the ``--scaling-backend`` preset and each of ``--workers``, run as users run it (a
subprocess, timed as a whole). Its start-up (interpreter, imports, worker processes and
their backends) is the wall time of the same command on one 1-frame video per worker;
videos/s, frames/s and the speed-up are those after start-up, which a long extraction
approaches. "cores used" is the command's CPU time (workers included) over its wall time.
"""
import argparse
import os
import os.path as osp
import resource
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np
import torch

from posetools.benchmark.inputs import (frame_size, person_frames, person_photo,
                                        write_person_videos)
from posetools.benchmark.timer import time_calls
from posetools.pose.extraction import BACKENDS, PoseExtractor

__all__ = ['REFERENCE', 'add_parser', 'run']

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTRACT_POSE = REPO_ROOT / 'tools' / 'data' / 'extract_pose.py'
REFERENCE = 'mm'
DET_CONFIG = 'mmdet::faster_rcnn/faster-rcnn_r50-caffe_fpn_ms-1x_coco-person.py'
POSE_CONFIG = 'mmpose::body_2d_keypoint/topdown_heatmap/coco/' \
    'td-hm_hrnet-w32_8xb64-210e_coco-256x192.py'


def mim_config(name: str) -> str:
    """``'package::path'`` -> that config file in the installed package's ``.mim/configs``
    (or ``configs`` of a source checkout); any other name as it is."""
    if '::' not in name:
        return name
    package, path = name.split('::', 1)
    root = osp.dirname(__import__(package).__file__)
    for candidate in (osp.join(root, '.mim', 'configs', path),
                      osp.join(osp.dirname(root), 'configs', path)):
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'{name}: no such config in {package} at {root}')


def build_backend(name: str, args: argparse.Namespace) -> PoseExtractor:
    """The preset ``name`` as a PoseExtractor (``mm``: the reference configs, random
    weights)."""
    detector, estimator = BACKENDS[name]
    if name == REFERENCE:
        from posetools.pose.mm_backend import check_mm_available
        check_mm_available('mmdet')
        check_mm_available('mmpose')
        detector = dict(detector, config=mim_config(args.det_config), checkpoint=None)
        estimator = dict(estimator, config=mim_config(args.pose_config), checkpoint=None)
        torch.manual_seed(0)
        # random weights drive HRNet's activations into denormal floats, which made its
        # forward pass 4-6x slower on CPU than it is with trained weights
        torch.set_flush_denormal(True)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='.*weights are random')
        return PoseExtractor(detector, estimator)


def first_line(error: BaseException) -> str:
    """``'<exception type>: <the first line of its message>'``."""
    text = str(error).strip().splitlines()
    return f'{type(error).__name__}: {text[0] if text else ""}'.rstrip(': ')


def time_frames(step: Callable[[int], int], frames: int, warmup: int) -> Dict[str, float]:
    """Frames/s, people per frame and cores used over ``frames`` calls ``step(i)`` (which
    processes frame i and returns how many people it estimated), after ``warmup`` calls."""
    people = []
    timing = time_calls(lambda index: people.append(step(index)), frames, warmup=warmup)
    return dict(fps=1 / timing.seconds, people=sum(people[warmup:]) / frames,
                cores=timing.cores)


def frame_step(extractor: PoseExtractor, frames: List[np.ndarray], boxes: np.ndarray,
               given_box: bool) -> Callable[[int], int]:
    """One frame as PoseExtractor does it: detect, then estimate the boxes found; with
    ``given_box``, the person's box instead of those found."""

    def step(index: int) -> int:
        frame = frames[index % len(frames)]
        found, _ = extractor.detector.detect(frame)
        if given_box:
            found = boxes[index % len(frames)][None]
        if len(found):
            extractor.estimator.estimate(frame, found)
        return len(found)
    return step


def frames_per_second(args: argparse.Namespace, photo: np.ndarray) -> List[Dict]:
    """One row per backend and frame size: the rate, or why there is none."""
    rows = []
    for name in args.backends:
        try:
            extractor = build_backend(name, args)
        except ImportError as error:  # mm without mmcv ops, mediapipe missing: reported
            rows += [dict(backend=name, size=frame_size(height),
                          problem=f'not available: {first_line(error)}')
                     for height in args.sizes]
            continue
        for height in args.sizes:
            frames, boxes = person_frames(photo, *frame_size(height))
            count = args.reference_frames if name == REFERENCE else args.frames
            row = dict(backend=name, size=frame_size(height))
            try:
                row.update(time_frames(frame_step(extractor, frames, boxes, name == REFERENCE),
                                       count, args.warmup))
            except ImportError as error:  # e.g. mediapipe, imported on the first frame
                row['problem'] = f'not available: {first_line(error)}'
            rows.append(row)
        for backend in {id(part): part for part in (extractor.detector,
                                                    extractor.estimator)}.values():
            getattr(backend, 'close', lambda: None)()  # MediaPipe's graphs
    return rows


def print_rates(rows: List[Dict], args: argparse.Namespace) -> None:
    """The frames/s table: a row per backend and frame size, ratios against the reference."""
    reference = {row['size']: row['fps'] for row in rows
                 if row['backend'] == REFERENCE and 'fps' in row}
    print(f'pose backends on CPU ({os.cpu_count()} cores, {torch.get_num_threads()} torch '
          f'threads), one frame at a time, {args.frames} timed frames ({REFERENCE}: '
          f'{args.reference_frames}) after {args.warmup} untimed; {REFERENCE} = mmaction2\'s '
          'extraction (Faster R-CNN R50-FPN + HRNet-w32, random weights, the person\'s box '
          'given to the pose model):')
    print(f'| {"backend":<18} | {"frame":>9} | {"frames/s":>8} | {"people/frame":>12} | '
          f'{"cores used":>10} | {"vs mmaction2":>12} |')
    print(f'| {"-" * 18} | {"-" * 9}:| {"-" * 8}:| {"-" * 12}:| {"-" * 10}:| {"-" * 12}:|')
    for row in rows:
        size = f'{row["size"][0]}x{row["size"][1]}'
        if 'problem' in row:
            print(f'| {row["backend"]:<18} | {size:>9} | {row["problem"]} |')
            continue
        if row['backend'] == REFERENCE:
            ratio = 'reference'
        elif row['size'] in reference:
            ratio = f'{row["fps"] / reference[row["size"]]:.1f}x'
        else:
            ratio = '-'
        people = f'{row["people"]:.2f}' + (' (given)' if row['backend'] == REFERENCE else '')
        print(f'| {row["backend"]:<18} | {size:>9} | {row["fps"]:8.2f} | {people:>12} | '
              f'{row["cores"]:10.2f} | {ratio:>12} |')


def children_cpu() -> float:
    """CPU seconds of this process's finished child processes (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_extract_pose(videos: str, out_pkl: str, backend: str, workers: int) -> Dict:
    """Wall time, cores used and problem (None: it exited 0) of extract_pose.py on a folder."""
    command = [sys.executable, str(EXTRACT_POSE), videos, out_pkl, '--backend', backend,
               '--workers', str(workers)]
    finished = []
    cpu = children_cpu()
    wall = time_calls(lambda _: finished.append(subprocess.run(
        command, capture_output=True, text=True, cwd=REPO_ROOT)), calls=1, warmup=0).seconds
    proc, = finished
    problem = None if proc.returncode == 0 else (
        f'failed (exit {proc.returncode}): ' + ' / '.join(proc.stderr.strip().splitlines()[-2:]))
    return dict(wall=wall, cores=(children_cpu() - cpu) / wall, problem=problem)


def workers_scaling(args: argparse.Namespace, photo: np.ndarray) -> List[Dict]:
    """extract_pose.py on the generated videos with each number of workers; its start-up time
    is that of a run on one 1-frame video per worker."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        videos = osp.join(tmp, 'videos')
        os.makedirs(videos)
        write_person_videos(videos, photo, args.videos, args.video_frames, args.video_size)
        for workers in args.workers:
            startup = osp.join(tmp, f'startup{workers}')
            os.makedirs(startup)
            write_person_videos(startup, photo, workers, 1, args.video_size)
            row = dict(workers=workers, **run_extract_pose(
                videos, osp.join(tmp, f'{workers}.pkl'), args.scaling_backend, workers))
            start_row = run_extract_pose(startup, osp.join(tmp, f'startup{workers}.pkl'),
                                         args.scaling_backend, workers)
            row['problem'] = row['problem'] or start_row['problem']
            row['startup'] = start_row['wall']
            rows.append(row)
    return rows


def print_scaling(rows: List[Dict], args: argparse.Namespace) -> None:
    """The workers table: a row per number of workers, the speed-up against one worker."""
    frames = args.videos * args.video_frames
    height, width = frame_size(args.video_size)
    for row in rows:
        work = row['wall'] - row['startup']
        row['rate'] = args.videos / work if work > 0 and not row['problem'] else None
    base = next((row for row in rows if row['workers'] == 1 and not row['problem']), None)
    print(f'\ntools/data/extract_pose.py --backend {args.scaling_backend} on {args.videos} '
          f'videos of {args.video_frames} frames at {height}x{width}: the wall time of the '
          'command; start-up: its wall time on one 1-frame video per worker (interpreter, '
          'imports, workers and their backends starting); the rates and speed-up after '
          'start-up:')
    print(f'| {"workers":>7} | {"wall s":>7} | {"start-up s":>10} | {"videos/s":>8} | '
          f'{"frames/s":>8} | {"cores used":>10} | {"speed-up":>8} |')
    print(f'| {"-" * 7}:| {"-" * 7}:| {"-" * 10}:| {"-" * 8}:| {"-" * 8}:| {"-" * 10}:| '
          f'{"-" * 8}:|')
    for row in rows:
        if row['problem']:
            print(f'| {row["workers"]:>7} | {row["problem"]} |')
            continue
        rate = '-' if row['rate'] is None else f'{row["rate"]:.2f}'
        frame_rate = '-' if row['rate'] is None else f'{row["rate"] * frames / args.videos:.1f}'
        speed_up = f'{row["rate"] / base["rate"]:.2f}x' if row['rate'] and base and \
            base['rate'] else '-'
        print(f'| {row["workers"]:>7} | {row["wall"]:7.1f} | {row["startup"]:10.1f} | '
              f'{rate:>8} | {frame_rate:>8} | {row["cores"]:10.2f} | {speed_up:>8} |')


def run(args: argparse.Namespace) -> None:
    """Frames/s of each pose backend on CPU against mmaction2's extraction; workers scaling."""
    if min(args.sizes) < 32 or min(args.frames, args.reference_frames, args.video_frames,
                                    *args.workers) < 1 or args.warmup < 0:
        raise SystemExit('benchmark.py pose: --sizes must be >= 32, --frames, '
                         '--reference-frames, --video-frames and --workers >= 1, --warmup >= 0')
    photo = person_photo()
    print_rates(frames_per_second(args, photo), args)
    if args.videos > 0:
        print_scaling(workers_scaling(args, photo), args)


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``pose`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('pose', help=run.__doc__)
    parser.add_argument('--sizes', type=int, nargs='+', default=[340, 720],
                        help='frame heights, each at 16:9 (default: 340 720)')
    parser.add_argument('--backends', nargs='+', choices=sorted(BACKENDS),
                        default=list(BACKENDS), help='presets to time (default: all)')
    parser.add_argument('--frames', type=int, default=50, help='timed frames per backend')
    parser.add_argument('--reference-frames', type=int, default=5,
                        help=f'timed frames of the {REFERENCE} reference (slow)')
    parser.add_argument('--warmup', type=int, default=2, help='untimed frames first')
    parser.add_argument('--det-config', default=DET_CONFIG,
                        help='reference detector config (file, or package::path)')
    parser.add_argument('--pose-config', default=POSE_CONFIG,
                        help='reference pose config (file, or package::path)')
    parser.add_argument('--videos', type=int, default=16,
                        help='videos for the workers scaling (0: no scaling run)')
    parser.add_argument('--video-frames', type=int, default=64)
    parser.add_argument('--video-size', type=int, default=340, help='video frame height (16:9)')
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--scaling-backend', default='mediapipe',
                        choices=sorted(set(BACKENDS) - {REFERENCE}),
                        help='preset extract_pose.py runs (default: mediapipe)')
    parser.set_defaults(run=run)
    return parser
