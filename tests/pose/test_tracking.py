"""IoUTracker: person identity across frames, kept tracks and their order, empty videos."""
from typing import List, Sequence, Tuple

import numpy as np
import pytest
from mmengine.dataset import Compose

from posetools.pose.tracking import IoUTracker, box_iou

Detection = Tuple[Sequence[float], float]  # ((x1, y1, x2, y2), score)


def keypoints_of(box: Sequence[float]) -> np.ndarray:
    """(17, 2) keypoints that identify ``box``: its top-left corner plus (j, 2j)."""
    joints = np.arange(17, dtype=np.float32)
    return np.stack([box[0] + joints, box[1] + 2 * joints], axis=-1)


def track(frames: List[List[Detection]], max_persons: int = 2, iou_thr: float = 0.3) -> dict:
    """Feed per-frame detections (keypoints from ``keypoints_of``, keypoint score = box
    score / 2) and return the result."""
    tracker = IoUTracker(max_persons, iou_thr)
    for detections in frames:
        boxes = np.array([box for box, _ in detections], np.float32).reshape(-1, 4)
        scores = np.array([score for _, score in detections], np.float32)
        keypoints = np.array([keypoints_of(box) for box in boxes], np.float32).reshape(-1, 17, 2)
        tracker.update(boxes, scores, keypoints, np.repeat(scores[:, None] / 2, 17, axis=1))
    return tracker.result()


def expected(people: List[List[Detection]]) -> dict:
    """The result for ``people[m][t]`` = person m's detection in frame t (None: missed)."""
    persons, frames = len(people), len(people[0])
    out = dict(keypoint=np.zeros((persons, frames, 17, 2), np.float32),
               keypoint_score=np.zeros((persons, frames, 17), np.float32),
               person_box=np.zeros((persons, frames, 4), np.float32),
               person_box_score=np.zeros((persons, frames), np.float32))
    for m, person in enumerate(people):
        for t, detection in enumerate(person):
            if detection is not None:
                box, score = detection
                out['keypoint'][m, t] = keypoints_of(box)
                out['keypoint_score'][m, t] = np.float32(score) / 2
                out['person_box'][m, t] = box
                out['person_box_score'][m, t] = score
    return out


def assert_result(result: dict, want: dict) -> None:
    assert set(result) == set(want)
    for key, value in want.items():
        assert result[key].dtype == np.float32, key
        np.testing.assert_array_equal(result[key], value, err_msg=key)


def test_box_iou():
    iou = box_iou(np.array([[0, 0, 10, 10], [0, 0, 0, 0]]),
                  np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 0, 0]]))
    np.testing.assert_allclose(iou, [[1, 50 / 150, 0, 0], [0, 0, 0, 0]])


def test_crossing_people_keep_their_tracks():
    """A tall person walks right, a short one walks left, past each other; the detector lists
    them in a different order every frame."""
    tall = [((2. * t, 0., 2. * t + 10, 30.), 0.9) for t in range(21)]
    short = [((40. - 2 * t, 10., 50. - 2 * t, 25.), 0.8) for t in range(21)]
    frames = [[tall[t], short[t]] if t % 2 else [short[t], tall[t]] for t in range(21)]
    assert_result(track(frames), expected([tall, short]))


def test_missed_detections_leave_zeros_and_keep_the_track():
    """Person A is missed in frames 2-3 (nobody is detected in frame 3) and comes back
    next to where they were; B is missed in frame 5."""
    a = [((10. + t, 10., 30. + t, 50.), 0.9) for t in range(7)]
    b = [((60., 10. + t, 80., 50. + t), 0.7) for t in range(7)]
    a[2] = a[3] = b[3] = b[5] = None
    frames = [[d for d in (a[t], b[t]) if d is not None][::-1] for t in range(7)]
    assert_result(track(frames), expected([a, b]))


def test_keeps_the_most_confident_tracks_most_confident_first():
    """Four tracks: a one-frame false positive (score 1.0, summed 1.0), a person seen late
    (summed 5 x 0.5 = 2.5), one seen throughout with low scores (8 x 0.3 = 2.4) and the
    main person (8 x 0.8 = 6.4). Two are kept: the main person, then the late one."""
    main = [((0., 0., 20., 40.), 0.8)] * 8
    faint = [((100., 0., 120., 40.), 0.3)] * 8
    late = [None] * 3 + [((50., 0., 70., 40.), 0.5)] * 5
    flash = [None, ((200., 0., 210., 10.), 1.0)] + [None] * 6
    frames = [[d for d in (flash[t], main[t], late[t], faint[t]) if d is not None]
              for t in range(8)]
    assert_result(track(frames, max_persons=2), expected([main, late]))
    assert len(track(frames, max_persons=4)['keypoint']) == 4


def test_equal_scores_keep_the_order_of_first_appearance():
    first = [((0., 0., 10., 10.), 0.5)] * 4
    second = [None, ((50., 0., 60., 10.), 0.5), ((50., 0., 60., 10.), 0.5), None]
    third = [None, None, ((80., 0., 90., 10.), 0.5), ((80., 0., 90., 10.), 0.5)]
    frames = [[d for d in (third[t], second[t], first[t]) if d is not None] for t in range(4)]
    assert_result(track(frames, max_persons=3), expected([first, second, third]))


def test_a_jump_below_the_iou_threshold_starts_a_new_track():
    before = [((0., 0., 10., 10.), 0.9)] * 3 + [None] * 2
    after = [None] * 3 + [((8., 0., 18., 10.), 0.9)] * 2  # IoU 2 / 18 with the last box
    frames = [[d for d in (before[t], after[t]) if d is not None] for t in range(5)]
    assert_result(track(frames, max_persons=2, iou_thr=0.2), expected([before, after]))
    assert len(track(frames, max_persons=2, iou_thr=0.1)['keypoint']) == 1


def test_nobody_detected_gives_zero_persons_that_mmaction_pipelines_accept():
    result = track([[]] * 6)
    assert result['keypoint'].shape == (0, 6, 17, 2)
    assert result['keypoint_score'].shape == (0, 6, 17)
    assert result['person_box'].shape == (0, 6, 4)
    assert result['person_box_score'].shape == (0, 6)
    pipeline = Compose([dict(type='mmaction.UniformSampleFrames', clip_len=4),
                        dict(type='mmaction.PoseDecode'),
                        dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
                        dict(type='mmaction.Resize', scale=(16, 16), keep_ratio=False),
                        dict(type='mmaction.GeneratePoseTarget', with_kp=True),
                        dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
                        dict(type='mmaction.PackActionInputs')])
    packed = pipeline(dict(frame_dir='empty', label=0, total_frames=6, img_shape=(32, 32),
                           original_shape=(32, 32), start_index=0, modality='Pose',
                           keypoint=result['keypoint'],
                           keypoint_score=result['keypoint_score']))
    assert packed['inputs'].shape == (1, 17, 4, 16, 16)
    assert not packed['inputs'].any()


@pytest.mark.parametrize('kwargs', [dict(max_persons=0), dict(max_persons=1, iou_thr=0.)])
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        IoUTracker(**kwargs)
