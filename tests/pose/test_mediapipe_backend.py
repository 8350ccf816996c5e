"""posetools.pose.mediapipe_backend: real BlazePose weights on a real person.

The person is ``skimage.data.astronaut()`` (512 x 512, a half-body portrait cut at the waist,
holding a helmet that hides her left hand). ``PICKS`` are joint positions hand-picked on that
photo by eye. Tolerances: the nose is sharp (16 px); BlazePose puts her left eye 10-17 px
below its pupil (eyes: 20 px, half their distance); a shoulder joint inside the bulky suit is
uncertain by itself, and BlazePose's shoulders move by up to ~40 px between a frame and the same
frame shifted by a few pixels (45 px); the right wrist is half cut off by the photo's bottom edge
and scatters most (55 px). A wrong crop offset or a left/right swap of the shoulders is
100-200 px off.
"""
import multiprocessing
import pickle

import cv2
import numpy as np
import pytest

from posetools.datasets.video_io import write_video
from posetools.pose import (BLAZEPOSE_TO_COCO17, MediaPipePersonDetector,
                            MediaPipePoseLandmarker, PoseExtractor)
from posetools.pose.mediapipe_backend import _Landmarker
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS
from posetools.structures.skeletons import COCO17_LEFT, COCO17_RIGHT, flip_permutation

skimage_data = pytest.importorskip('skimage.data')

NOSE, LEFT_EYE, RIGHT_EYE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_WRIST, RIGHT_WRIST = (
    0, 1, 2, 5, 6, 9, 10)
# COCO-17 index -> hand-picked (x, y) on the astronaut photo (her left is the image's right)
PICKS = {NOSE: (222, 126), LEFT_EYE: (246, 102), RIGHT_EYE: (202, 101),
         LEFT_SHOULDER: (316, 266), RIGHT_SHOULDER: (97, 252), RIGHT_WRIST: (140, 496)}
TOLERANCE = {NOSE: 16, LEFT_EYE: 20, RIGHT_EYE: 20, LEFT_SHOULDER: 45, RIGHT_SHOULDER: 45,
             RIGHT_WRIST: 55}
# COCO-17 index of the same joint on the other side: what a mirror image shows in its place
FLIP = np.array(flip_permutation(17, COCO17_LEFT, COCO17_RIGHT))
# video frames: (scale, x shift, mirrored); the photo's bottom edge stays on the frame's
VIDEO = [(1.0, 0, False), (0.85, 40, False), (0.8, 60, False), (0.8, 60, True),
         (0.85, 20, True), (1.0, 0, True)]


@pytest.fixture(scope='module')
def astronaut() -> np.ndarray:
    return skimage_data.astronaut()


@pytest.fixture(scope='module')
def detector():
    detector = PERSON_DETECTORS.build(dict(type='MediaPipePersonDetector'))
    yield detector
    detector.close()


@pytest.fixture(scope='module')
def estimator():
    estimator = POSE_ESTIMATORS.build(dict(type='MediaPipePoseEstimator'))
    yield estimator
    estimator.close()


def transformed_frame(photo: np.ndarray, scale: float, shift: int,
                      mirror: bool) -> tuple:
    """A 512 x 512 frame of ``photo`` scaled about its bottom edge, shifted right, mirrored.

    The rest is the wall's colour: padding below the cut-off body would make BlazePose end the
    body there (see MediaPipePoseEstimator). Returns the frame and the (2, 3) photo -> frame
    affine map.
    """
    affine = np.array([[scale, 0, shift], [0, scale, 512 * (1 - scale)]])
    if mirror:
        affine = np.array([[-1, 0, 511], [0, 1, 0]]) @ np.vstack([affine, [0, 0, 1]])
    wall = np.median(photo[:40, 100:350].reshape(-1, 3), axis=0)
    frame = cv2.warpAffine(photo, affine, (512, 512), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=wall.tolist())
    return frame, affine


def assert_at_picks(keypoints: np.ndarray, affine: np.ndarray, mirror: bool,
                    joints=tuple(PICKS)) -> None:
    """``keypoints`` (17, 2) of one person sit at the mapped picks, sides swapped if mirrored."""
    for joint in joints:
        expected = affine @ [*PICKS[joint], 1]
        found = keypoints[FLIP[joint] if mirror else joint]
        error = np.hypot(*(found - expected))
        assert error <= TOLERANCE[joint], (joint, found, expected, error)


def test_bundle_matches_the_legacy_solution(astronaut):
    """The Tasks bundle made from the wheel's tflite files gives the legacy API's result."""
    import mediapipe

    from posetools.pose.mediapipe_backend import _Landmarker

    landmarker = _Landmarker(1, 0.5, 0.5)
    points, visibility = landmarker(astronaut)
    landmarker.close()
    with mediapipe.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        legacy = pose.process(astronaut).pose_landmarks.landmark
    assert points.shape == (1, 33, 2) and visibility.shape == (1, 33)
    np.testing.assert_allclose(points[0], [(p.x * 512, p.y * 512) for p in legacy], atol=6)
    np.testing.assert_allclose(visibility[0], [p.visibility for p in legacy], atol=0.01)


def test_photo(astronaut, detector, estimator):
    boxes, scores = detector.detect(astronaut)
    assert boxes.shape == (1, 4) and boxes.dtype == scores.dtype == np.float32
    x1, y1, x2, y2 = boxes[0]
    assert 0 <= x1 < 97 and 316 < x2 <= 512 and 0 <= y1 < 101 and y2 == 512  # cut at the edge
    assert 0.3 < scores[0] <= 1

    keypoints, kp_scores = estimator.estimate(astronaut, boxes)
    assert keypoints.shape == (1, 17, 2) and kp_scores.shape == (1, 17)
    assert keypoints.dtype == kp_scores.dtype == np.float32
    assert_at_picks(keypoints[0], np.eye(3)[:2], mirror=False)
    assert kp_scores[0, [NOSE, LEFT_SHOULDER, RIGHT_SHOULDER]].min() > 0.9
    assert kp_scores[0, LEFT_WRIST] < 0.5  # behind the helmet


@pytest.mark.parametrize('pair', ['top-down', 'single-pass'])
def test_video_follows_shift_scale_and_mirror(astronaut, pair, request):
    """Keypoints follow the frames' motion; a mirrored person's left is the image's right.
    ``top-down``: the detector's boxes to the crop estimator; ``single-pass``: the
    landmarker's own landmarks."""
    if pair == 'top-down':
        finder, estimator = request.getfixturevalue('detector'), request.getfixturevalue(
            'estimator')
    else:
        finder = estimator = request.getfixturevalue('landmarker')
    noses = []
    for scale, shift, mirror in VIDEO:
        frame, affine = transformed_frame(astronaut, scale, shift, mirror)
        boxes, _ = finder.detect(frame)
        assert len(boxes) == 1
        keypoints, _ = estimator.estimate(frame, boxes)
        assert_at_picks(keypoints[0], affine, mirror)
        # the person faces the camera in every frame: her left shoulder is on the image's right
        assert keypoints[0, LEFT_SHOULDER, 0] > keypoints[0, RIGHT_SHOULDER, 0] + 100
        noses.append(keypoints[0, NOSE])
    assert np.ptp(np.array(noses), axis=0).min() > 50  # the nose really moved, in x and y


def test_several_people(astronaut, detector, estimator):
    """Three people side by side (the middle one mirrored): one box and pose each."""
    frame = np.ascontiguousarray(np.concatenate([astronaut, astronaut[:, ::-1], astronaut], 1))
    boxes, scores = detector.detect(frame)
    assert len(boxes) == 3 and np.all(np.diff(scores) <= 0)
    keypoints, _ = estimator.estimate(frame, boxes)
    for person in range(3):
        mirror = person == 1
        affine = np.array([[-1 if mirror else 1, 0, 512 * person + 511 * mirror], [0, 1, 0]])
        nose_x = (affine @ [*PICKS[NOSE], 1])[0]
        found = [i for i, box in enumerate(boxes) if box[0] < nose_x < box[2]]
        assert len(found) == 1
        assert_at_picks(keypoints[found[0]], affine, mirror,
                        joints=(NOSE, LEFT_EYE, RIGHT_EYE, LEFT_SHOULDER, RIGHT_SHOULDER))


def test_empty_and_odd_boxes(astronaut, estimator):
    keypoints, scores = estimator.estimate(astronaut, np.zeros((0, 4), np.float32))
    assert keypoints.shape == (0, 17, 2) and scores.shape == (0, 17)
    boxes = np.array([[600, 600, 700, 700],  # outside the frame
                      [430, 0, 512, 60]], np.float32)  # only the model rocket's tip
    keypoints, scores = estimator.estimate(astronaut, boxes)
    assert not keypoints.any() and not scores.any()


def test_nobody(detector):
    boxes, scores = detector.detect(np.full((240, 320, 3), 127, np.uint8))
    assert boxes.shape == (0, 4) and scores.shape == (0,)


def test_processes(astronaut):
    """Pickled instances make their own graph; a forked child of a process that ran one raises."""
    detector = MediaPipePersonDetector()
    boxes, _ = detector.detect(astronaut)
    copy = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(copy.detect(astronaut)[0], boxes)
    copy.close()
    detector.close()
    np.testing.assert_array_equal(detector.detect(astronaut)[0], boxes)  # made again
    with multiprocessing.get_context('fork').Pool(1) as pool:
        with pytest.raises(RuntimeError, match="'spawn'"):
            pool.apply(detector.detect, (astronaut,))
    detector.close()


# ---- single pass: MediaPipePoseLandmarker as detector and estimator ------------------------

@pytest.fixture
def blazepose_runs(monkeypatch) -> list:
    """Each BlazePose run (any ``_Landmarker`` call) from now on: (image, (points,
    visibility))."""
    runs = []
    real_call = _Landmarker.__call__

    def counted(self, image):
        result = real_call(self, image)
        runs.append((image, result))
        return result

    monkeypatch.setattr(_Landmarker, '__call__', counted)
    return runs


@pytest.fixture(scope='module')
def landmarker():
    landmarker = MediaPipePoseLandmarker()
    yield landmarker
    landmarker.close()


def test_landmarker_is_registered_as_both():
    assert PERSON_DETECTORS.get('MediaPipePoseLandmarker') is MediaPipePoseLandmarker
    assert POSE_ESTIMATORS.get('MediaPipePoseLandmarker') is MediaPipePoseLandmarker


def test_single_pass_returns_the_detectors_own_landmarks(astronaut, landmarker, detector,
                                                         blazepose_runs):
    boxes, scores = landmarker.detect(astronaut)
    keypoints, kp_scores = landmarker.estimate(astronaut, boxes)
    assert len(blazepose_runs) == 1  # the estimate ran no BlazePose
    (image, (points, visibility)), = blazepose_runs
    assert image is astronaut and len(points) == 1
    np.testing.assert_array_equal(keypoints, points[:, BLAZEPOSE_TO_COCO17])
    np.testing.assert_array_equal(kp_scores, visibility[:, BLAZEPOSE_TO_COCO17])
    assert keypoints.dtype == kp_scores.dtype == np.float32
    # the boxes and scores are MediaPipePersonDetector's
    for ours, theirs in zip((boxes, scores), detector.detect(astronaut)):
        np.testing.assert_array_equal(ours, theirs)
    assert_at_picks(keypoints[0], np.eye(3)[:2], mirror=False)
    assert kp_scores[0, [NOSE, LEFT_SHOULDER, RIGHT_SHOULDER]].min() > 0.9


def test_other_boxes_or_frames_run_top_down(astronaut, landmarker, estimator, blazepose_runs):
    """A box the last detect did not return, or another frame, is estimated as
    MediaPipePoseEstimator does; the detector's own boxes among them are not run again."""
    boxes, _ = landmarker.detect(astronaut)
    moved = boxes + np.float32([4, 0, 4, 0])
    expected = estimator.estimate(astronaut, moved)
    del blazepose_runs[:]
    mixed = landmarker.estimate(astronaut, np.concatenate([moved, boxes]))
    assert len(blazepose_runs) == 1  # the crop of the moved box only
    own = landmarker.estimate(astronaut, boxes)
    for got, top_down, single in zip(mixed, expected, own):
        np.testing.assert_array_equal(got, np.concatenate([top_down, single]))
    assert len(blazepose_runs) == 1

    # an equal copy of the frame is the same frame; a frame changed in place is not
    landmarker.estimate(astronaut.copy(), boxes)
    assert len(blazepose_runs) == 1
    frame = astronaut.copy()
    boxes, _ = landmarker.detect(frame)
    frame[:, :8] = 0
    for got, top_down in zip(landmarker.estimate(frame, boxes), estimator.estimate(frame, boxes)):
        np.testing.assert_array_equal(got, top_down)
    keypoints, scores = landmarker.estimate(frame, np.zeros((0, 4), np.float32))
    assert keypoints.shape == (0, 17, 2) and scores.shape == (0, 17)


def test_nobody_then_boxes_from_elsewhere(astronaut, landmarker, estimator):
    boxes, scores = landmarker.detect(np.full((240, 320, 3), 127, np.uint8))
    assert boxes.shape == (0, 4) and scores.shape == (0,)
    box = np.float32([[0, 0, 512, 512]])  # e.g. another detector's box: top-down
    for got, top_down in zip(landmarker.estimate(astronaut, box),
                             estimator.estimate(astronaut, box)):
        np.testing.assert_array_equal(got, top_down)


def test_pose_extractor_runs_blazepose_once_per_frame(astronaut, tmp_path, blazepose_runs):
    """The 'mediapipe' preset: one instance in both roles, one BlazePose run per frame."""
    frames = np.stack([transformed_frame(astronaut, *frame)[0] for frame in VIDEO])
    write_video(str(tmp_path / 'astronaut.mp4'), frames)
    extractor = PoseExtractor(dict(type='MediaPipePoseLandmarker'))
    assert extractor.detector is extractor.estimator
    entry = extractor.extract(str(tmp_path / 'astronaut.mp4'))
    extractor.detector.close()
    assert len(blazepose_runs) == len(VIDEO) == entry['total_frames']
    assert entry['keypoint'].shape == (1, len(VIDEO), 17, 2)
    for index, (scale, shift, mirror) in enumerate(VIDEO):
        affine = transformed_frame(astronaut, scale, shift, mirror)[1]
        assert_at_picks(entry['keypoint'][0, index], affine, mirror,
                        joints=(NOSE, LEFT_EYE, RIGHT_EYE, LEFT_SHOULDER, RIGHT_SHOULDER))


def test_landmarker_pickles_without_its_last_frame(astronaut, blazepose_runs):
    landmarker = MediaPipePoseLandmarker(max_people=2)
    boxes, _ = landmarker.detect(astronaut)
    copy = pickle.loads(pickle.dumps(landmarker))
    assert copy._last is None and landmarker._last is not None
    assert copy._landmarker.options == landmarker._landmarker.options
    del blazepose_runs[:]
    copy.estimate(astronaut, boxes)  # nothing detected in this copy: top-down
    assert len(blazepose_runs) == 1
    copy.close()
    landmarker.close()
