"""PoseExtractor and read_frames on small videos the tests write, with fake backends."""
import inspect
import os.path as osp
import re

import mmengine
import numpy as np
import pytest

from posetools.datasets.video_io import VideoReadError
from posetools.pose.extraction import (BACKENDS, PoseExtractor, ResolutionChangeError,
                                       extract_or_reason, frames_without_person,
                                       init_process_extractor, read_frames)
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS
from tests.pose import extraction_helpers as helpers

FOREGROUND = dict(type='FakeForegroundDetector')
COLOURS = dict(type='FakeColourDetector')
GRID = dict(type='FakeBoxGridEstimator')


def assert_entry_shapes(entry: dict, persons: int) -> None:
    """Every array of ``entry`` has ``persons`` persons and ``total_frames`` frames."""
    frames = entry['total_frames']
    shapes = dict(keypoint=(persons, frames, 17, 2), keypoint_score=(persons, frames, 17),
                  person_box=(persons, frames, 4), person_box_score=(persons, frames))
    for key, shape in shapes.items():
        assert entry[key].shape == shape, key
        assert entry[key].dtype == np.float32, key


def test_synth_videos_give_their_true_boxes(tmp_path):
    paths = helpers.write_synth_videos(tmp_path)
    extractor = PoseExtractor(FOREGROUND, GRID, max_persons=2)
    for truth in mmengine.load(paths['annotations'])['annotations']:
        entry = extractor.extract(osp.join(paths['videos'], truth['filename']))
        assert entry['frame_dir'] == truth['frame_dir']
        assert entry['total_frames'] == truth['total_frames']
        assert entry['img_shape'] == entry['original_shape'] == tuple(truth['img_shape'])
        assert_entry_shapes(entry, persons=1)
        np.testing.assert_allclose(entry['person_box'], truth['person_box'], atol=3)
        np.testing.assert_allclose(entry['keypoint'], helpers.grid_keypoints(entry['person_box']),
                                   rtol=1e-6)
        assert (entry['keypoint_score'] == 0.5).all() and (entry['person_box_score'] == 1).all()
        assert frames_without_person(entry) == 0


def test_two_people_and_an_empty_frame(tmp_path):
    truth = helpers.write_colour_video(tmp_path / 'two.mp4')
    entry = PoseExtractor(COLOURS, GRID, max_persons=3).extract(str(tmp_path / 'two.mp4'),
                                                                 frame_dir='clips/two')
    assert entry['frame_dir'] == 'clips/two'
    assert entry['img_shape'] == (48, 64) and entry['total_frames'] == 12
    assert_entry_shapes(entry, persons=2)
    for person, (colour, score) in enumerate((('red', 0.9), ('green', 0.6))):  # by score
        for frame, box in enumerate(truth[colour]):
            if box is None:
                assert not entry['person_box'][person, frame].any()
                assert not entry['keypoint'][person, frame].any()
                assert not entry['keypoint_score'][person, frame].any()
                assert entry['person_box_score'][person, frame] == 0
            else:
                np.testing.assert_allclose(entry['person_box'][person, frame], box, atol=1.5)
                assert entry['person_box_score'][person, frame] == pytest.approx(score)
    assert frames_without_person(entry) == 1  # frame 6


def test_max_persons_keeps_the_most_confident(tmp_path):
    helpers.write_colour_video(tmp_path / 'two.mp4')
    entry = PoseExtractor(COLOURS, GRID, max_persons=1).extract(str(tmp_path / 'two.mp4'))
    assert entry['frame_dir'] == 'two'
    assert_entry_shapes(entry, persons=1)
    assert set(np.unique(entry['person_box_score'])) == {0, np.float32(0.9)}  # red
    assert frames_without_person(entry) == 3  # frames 6, 10 and 11: green only or nobody


def test_nobody_gives_zero_persons(tmp_path):
    helpers.write_blank_video(tmp_path / 'blank.mp4', frames=6)
    entry = PoseExtractor(FOREGROUND, GRID).extract(str(tmp_path / 'blank.mp4'))
    assert entry['total_frames'] == 6 and entry['img_shape'] == (32, 48)
    assert_entry_shapes(entry, persons=0)
    assert frames_without_person(entry) == 6


def test_built_from_registry_configs_or_given_instances(tmp_path):
    detector, estimator = PERSON_DETECTORS.build(COLOURS), POSE_ESTIMATORS.build(GRID)
    extractor = PoseExtractor(detector, estimator)
    assert extractor.detector is detector and extractor.estimator is estimator
    assert type(PoseExtractor(COLOURS, GRID).detector) is type(detector)


def test_frames_are_decoded_one_at_a_time(tmp_path):
    truth = helpers.write_colour_video(tmp_path / 'two.mp4')
    frames = read_frames(str(tmp_path / 'two.mp4'))
    assert inspect.isgenerator(frames)
    first = next(frames)
    assert first.shape == (48, 64, 3) and first.dtype == np.uint8
    assert len(list(frames)) == len(truth['red']) - 1


@pytest.mark.parametrize('name', ['zero_bytes.mp4', 'text.mp4', 'cut_index.mp4', 'cut.avi',
                                  'resizing.mp4', 'audio.mp4'])
def test_bad_videos_raise_naming_the_file(tmp_path, name):
    reason = helpers.write_bad_files(tmp_path)[name]
    path = str(tmp_path / name)
    error = ResolutionChangeError if name == 'resizing.mp4' else VideoReadError
    with pytest.raises(error, match=f'^{re.escape(path)}: {re.escape(reason)}'):
        PoseExtractor(FOREGROUND, GRID).extract(path)


def test_resolution_change_names_the_frame_and_sizes(tmp_path):
    helpers.write_resizing_video(tmp_path / 'resizing.mp4', frames_per_size=3)
    with pytest.raises(ResolutionChangeError, match='frame 3 is 48x64 .*frame 0 is 32x48'):
        list(read_frames(str(tmp_path / 'resizing.mp4')))


def test_missing_file(tmp_path):
    with pytest.raises(VideoReadError, match='file not found'):
        list(read_frames(str(tmp_path / 'missing.mp4')))


def test_a_backend_with_wrong_shapes_is_named(tmp_path):
    helpers.write_colour_video(tmp_path / 'two.mp4')
    with pytest.raises(ValueError, match=r'FakeBrokenDetector.detect returned boxes of shape '
                       r'\(1, 5\), expected \(1, 4\)'):
        PoseExtractor(dict(type='FakeBrokenDetector'), GRID).extract(str(tmp_path / 'two.mp4'))


def test_extract_or_reason_turns_failures_into_reasons(tmp_path):
    reasons = helpers.write_bad_files(tmp_path)
    helpers.write_colour_video(tmp_path / 'two.mp4')
    init_process_extractor(FOREGROUND, GRID, imports=['tests.pose.extraction_helpers'])
    for name, reason in reasons.items():
        entry, (got, detail) = extract_or_reason(str(tmp_path / name), name)
        assert entry is None and got == reason, (name, got, detail)
    entry, reason = extract_or_reason(str(tmp_path / 'two.mp4'), 'two')
    assert reason is None and entry['frame_dir'] == 'two'
    init_process_extractor(dict(type='FakeBrokenDetector'), GRID)
    entry, (reason, detail) = extract_or_reason(str(tmp_path / 'two.mp4'), 'two')
    assert reason == 'extraction failed (ValueError)' and 'FakeBrokenDetector' in detail
    init_process_extractor(dict(type='NoSuchDetector'), GRID)
    with pytest.raises(RuntimeError, match='cannot build the pose backend: KeyError.*'
                       'NoSuchDetector'):
        extract_or_reason(str(tmp_path / 'two.mp4'), 'two')


def test_backend_presets_name_registered_classes():
    for detector, estimator in BACKENDS.values():
        assert PERSON_DETECTORS.get(detector['type']) is not None
        # no estimator: the detector's class is registered as an estimator too
        assert POSE_ESTIMATORS.get((estimator or detector)['type']) is not None
    assert BACKENDS['mediapipe'] == (dict(type='MediaPipePoseLandmarker'), None)


def test_without_an_estimator_the_detector_estimates(tmp_path):
    helpers.write_colour_video(tmp_path / 'two.mp4')
    both = helpers.FakeColourPoser()
    extractor = PoseExtractor(both)
    assert extractor.detector is extractor.estimator is both
    entry = extractor.extract(str(tmp_path / 'two.mp4'))
    assert_entry_shapes(entry, persons=2)
    np.testing.assert_allclose(entry['keypoint'], helpers.grid_keypoints(entry['person_box']),
                               rtol=1e-6)
    with pytest.raises(TypeError, match='FakeColourDetector is not a PoseEstimator'):
        PoseExtractor(COLOURS)

