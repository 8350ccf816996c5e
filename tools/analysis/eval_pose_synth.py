"""Score extracted poses of SynthAction videos against their ground truth.

Example (the measurement of configs/posec3d/README.md, "Pose extraction")::

    python tools/data/gen_synth.py --videos --num-samples 24 --num-classes 8 \\
        --min-frames 32 --max-frames 40 --video-style classic --out-dir data/synth_classic
    python tools/data/extract_pose.py data/synth_classic/videos poses_classic.pkl
    python tools/analysis/eval_pose_synth.py data/synth_classic/synth_videos.pkl \\
        poses_classic.pkl

TRUTH is the ``synth_videos.pkl`` that ``gen_synth.py --videos`` writes (per video
``keypoint`` (M, T, 17, 2) and ``person_box`` (M, T, 4) in the video's pixels; a box holds
the first and last pixel drawn, so one pixel is added to x2 and y2 here); POSES is the output
of ``tools/data/extract_pose.py`` for those videos. In each frame, each ground-truth person in
view is *found* when a detected box overlaps its box with an IoU of at least ``--min-iou``
(the best one); a found person's keypoints are right within ``--pck`` times the larger side
of its box (PCK). Person 0 is the actor (the labelled one). A video without an entry (skipped
by extract_pose.py) counts as found in none of its frames.
"""
import argparse
from typing import Dict, List, Optional

import mmengine
import numpy as np

KEYPOINT_NAMES = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
                  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
                  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                  'right_ankle')


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of ``box`` (4,) with each of ``boxes`` (K, 4), all ``(x1, y1, x2, y2)``."""
    size = np.clip(np.minimum(box[2:], boxes[:, 2:]) - np.maximum(box[:2], boxes[:, :2]), 0,
                   None)
    inter = size.prod(axis=1)
    union = np.prod(box[2:] - box[:2]) + (boxes[:, 2:] - boxes[:, :2]).prod(axis=1) - inter
    return inter / np.maximum(union, 1e-6)


def match_video(entry: Optional[Dict], truth: Dict, min_iou: float = 0.5,
                pck: float = 0.2) -> Dict[str, list]:
    """Match one video's detections (``entry``, None if it has none) to its ground truth.

    Returns:
        dict: per ground-truth person and frame in view, ``person`` (0: the actor),
        ``persons`` (M of the clip), ``found`` (bool), ``iou`` (nan if not found) and
        ``hits`` (17 bools, False if not found); and ``unmatched``: the detections of each
        frame that found nobody.
    """
    # synth boxes hold the first and last pixel drawn; the backend's are pixel edges
    true_boxes = truth['person_box'] + np.float32([0, 0, 1, 1])
    result = dict(person=[], persons=[], found=[], iou=[], hits=[], unmatched=[])
    for t in range(truth['total_frames']):
        if entry is None or not len(entry['person_box']):
            detected, detected_ids = np.zeros((0, 4), np.float32), np.zeros(0, int)
        else:
            detected = entry['person_box'][:, t]
            detected_ids = np.flatnonzero(detected.any(axis=1))
        used = set()
        for person, box in enumerate(true_boxes[:, t]):
            if np.any(box[2:] <= box[:2]):
                continue  # out of view
            ious = box_iou(box, detected[detected_ids]) if len(detected_ids) else np.zeros(0)
            found = bool(len(ious)) and ious.max() >= min_iou
            result['person'].append(person)
            result['persons'].append(len(true_boxes))
            result['found'].append(found)
            result['iou'].append(float(ious.max()) if found else np.nan)
            if found:
                best = detected_ids[int(np.argmax(ious))]
                used.add(best)
                size = max(box[2] - box[0], box[3] - box[1])
                error = np.linalg.norm(entry['keypoint'][best, t] - truth['keypoint'][person, t],
                                       axis=-1)
                result['hits'].append(error <= pck * size)
            else:
                result['hits'].append(np.zeros(len(KEYPOINT_NAMES), bool))
        result['unmatched'].append(len(set(detected_ids) - used))
    return result


def evaluate(truths: List[Dict], entries: List[Dict], min_iou: float = 0.5,
             pck: float = 0.2) -> Dict[str, float]:
    """Scores of ``entries`` (extract_pose.py's annotations) against ``truths``
    (synth_videos.pkl's): see the keys printed by :func:`main`."""
    by_name = {entry['frame_dir']: entry for entry in entries}
    parts = [match_video(by_name.get(truth['frame_dir']), truth, min_iou, pck)
             for truth in truths]
    rows = {key: np.concatenate([np.asarray(part[key]) for part in parts])
            for key in ('person', 'persons', 'found', 'iou')}
    hits = np.concatenate([np.asarray(part['hits']).reshape(-1, len(KEYPOINT_NAMES))
                           for part in parts])
    actor, found = rows['person'] == 0, rows['found']
    frames = sum(truth['total_frames'] for truth in truths)

    def share(mask: np.ndarray) -> float:
        return float(found[mask].mean()) if mask.any() else float('nan')

    return dict(
        videos=len(truths), videos_with_entry=sum(t['frame_dir'] in by_name for t in truths),
        frames=frames,
        frames_with_detection=float(np.mean(np.concatenate([
            by_name[t['frame_dir']]['person_box'].any(axis=2).any(axis=0)
            if t['frame_dir'] in by_name else np.zeros(t['total_frames'], bool)
            for t in truths]))),
        actor_found=share(actor), actor_found_alone=share(actor & (rows['persons'] == 1)),
        actor_found_with_second=share(actor & (rows['persons'] > 1)),
        second_found=share(rows['person'] > 0),
        unmatched_per_frame=sum(sum(part['unmatched']) for part in parts) / max(frames, 1),
        median_iou=float(np.nanmedian(rows['iou'])) if found.any() else float('nan'),
        pck=float(hits[found].mean()) if found.any() else float('nan'),
        **{f'pck_{name}': float(hits[found, index].mean()) if found.any() else float('nan')
           for index, name in enumerate(KEYPOINT_NAMES)})


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('truth', help="gen_synth.py --videos' synth_videos.pkl")
    parser.add_argument('poses', help="extract_pose.py's output for those videos")
    parser.add_argument('--min-iou', type=float, default=0.5,
                        help='least box IoU of a found person (default: 0.5)')
    parser.add_argument('--pck', type=float, default=0.2,
                        help='PCK threshold, a share of the larger box side (default: 0.2)')
    args = parser.parse_args(argv)
    truths = mmengine.load(args.truth)['annotations']
    scores = evaluate(truths, mmengine.load(args.poses)['annotations'], args.min_iou, args.pck)
    print(f"{scores['videos_with_entry']} of {scores['videos']} videos have an entry; "
          f"{scores['frames']} frames, {100 * scores['frames_with_detection']:.1f}% with a "
          'detection')
    print(f"actor found (IoU >= {args.min_iou}) in {100 * scores['actor_found']:.1f}% of the "
          f"frames: {100 * scores['actor_found_alone']:.1f}% alone, "
          f"{100 * scores['actor_found_with_second']:.1f}% next to a second person (found in "
          f"{100 * scores['second_found']:.1f}%)")
    print(f"detections that found nobody: {scores['unmatched_per_frame']:.3f} per frame")
    print(f"found persons: median IoU {scores['median_iou']:.3f}, PCK@{args.pck} "
          f"{100 * scores['pck']:.1f}%")
    print('PCK per keypoint: ' + ', '.join(
        f"{name} {100 * scores[f'pck_{name}']:.0f}" for name in KEYPOINT_NAMES))
    return scores


if __name__ == '__main__':
    main()
