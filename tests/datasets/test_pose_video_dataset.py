"""PoseVideoDataset and LoadClipPoses on rendered SynthAction videos: pairing, bad input,
and mmaction2's geometric transforms moving the poses with the frames."""
import copy
import re
from pathlib import Path
from typing import Callable, Dict, List

import mmengine
import numpy as np
import pytest
from mmaction.datasets.transforms import Flip, MultiScaleCrop, RandomResizedCrop, Resize

from posetools.datasets import AnnotationError, PoseVideoDataset
from tests.datasets.pose_video_helpers import (CLIP_CROPS, CLIP_HEAD, RESIZE_FLIP,
                                               background_colour, drawn_pixels, global_seed,
                                               pose_video_dataset, run_pipeline)
from tests.helpers import COCO_FLIP


def on_body_share(keypoint: np.ndarray, drawn: np.ndarray) -> float:
    """Share of the keypoints inside the frame whose pixel (rounded: SynthAction puts pixel
    centres at integer coordinates) is drawn.

    Args:
        keypoint: (M, t, V, 2) keypoints.
        drawn: (t, H, W) drawn pixels.
    """
    xy = np.round(keypoint).astype(int)
    inside = ((xy >= 0) & (xy < [drawn.shape[2], drawn.shape[1]])).all(-1)  # (M, t, V)
    frame = np.broadcast_to(np.arange(keypoint.shape[1])[:, None], inside.shape)[inside]
    return float(drawn[frame, xy[..., 1][inside], xy[..., 0][inside]].mean())


def in_box_share(boxes: np.ndarray, drawn: np.ndarray, margin: float) -> float:
    """Share of the drawn pixels inside some person's box widened by ``margin`` pixels.

    Args:
        boxes: (M, t, 4) boxes ``(x1, y1, x2, y2)``.
        drawn: (t, H, W) drawn pixels.
        margin: Widening on every side.
    """
    ys, xs = np.mgrid[:drawn.shape[1], :drawn.shape[2]]
    x1, y1, x2, y2 = (boxes[..., k, None, None] for k in range(4))  # (M, t, 1, 1)
    inside = ((xs >= x1 - margin) & (xs <= x2 + margin) & (ys >= y1 - margin) &
              (ys <= y2 + margin)).any(axis=0)  # (t, H, W)
    return float(inside[drawn].mean())


def test_pairs_each_video_with_its_entry(synth_videos, log_messages):
    entries = {a['frame_dir']: a for a in mmengine.load(synth_videos['annotations'])[
        'annotations']}
    root = Path(synth_videos['videos']).parent
    dataset = PoseVideoDataset('synth_videos_all.txt', [], pose_file='synth_videos.pkl',
                               data_root=str(root), data_prefix=dict(video='videos'))
    assert len(dataset) == 8 and dataset.pose_file == str(root / 'synth_videos.pkl')
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        pose = info['pose']
        entry = entries[Path(info['filename']).stem]
        assert pose['frame_dir'] == entry['frame_dir']
        assert pose['total_frames'] == entry['total_frames'] and pose['img_shape'] == (64, 64)
        np.testing.assert_array_equal(pose['keypoint'], entry['keypoint'])
        np.testing.assert_array_equal(pose['person_box'], entry['person_box'])
        np.testing.assert_array_equal(pose['keypoint_score'], 1)  # SynthAction has none
        assert pose['keypoint_score'].shape == entry['keypoint'].shape[:3]
    assert dataset.videos_without_entry == dataset.videos_without_persons == []
    assert not [m for m in log_messages if 'pose' in m]


def test_key_styles_pyskl_entries_missing_and_empty_poses(synth_videos, tmp_path, log_messages):
    entries = mmengine.load(synth_videos['annotations'])['annotations']
    names = [entry['frame_dir'] for entry in entries]
    (tmp_path / 'list.txt').write_text(''.join(f'walk/{name}.mp4 0\n' for name in names))
    rng = np.random.default_rng(0)
    pyskl = []
    for index, entry in enumerate(entries[:6]):
        entry = dict(entry)
        if index < 4:  # pyskl 2D style: scores, no boxes, keyed by the list path
            entry['frame_dir'] = f'walk/{entry["frame_dir"]}'
            del entry['person_box']
            entry['keypoint_score'] = rng.uniform(0.2, 1, entry['keypoint'].shape[:3]).astype(
                np.float32)
            entry['keypoint_score'][..., :5] = 0  # undetected face
            entry['keypoint_score'][:, 3] = 0  # nobody detected in frame 3
        pyskl.append(entry)  # 4 and 5 keyed by the base name only
    pyskl.append(dict(frame_dir=names[6], total_frames=entries[6]['total_frames'],
                      keypoint=np.zeros((0, entries[6]['total_frames'], 17, 2), np.float32)))
    # a (malformed) base-name twin of entry 0: the list path wins, unused entries go unchecked
    pyskl.append(dict(frame_dir=names[0], keypoint=np.zeros((1, 1, 17, 3))))
    mmengine.dump(pyskl, str(tmp_path / 'poses.pkl'))  # a bare list; names[7] has no entry

    dataset = PoseVideoDataset(str(tmp_path / 'list.txt'), [],
                               pose_file=str(tmp_path / 'poses.pkl'))
    poses = [dataset.get_data_info(i)['pose'] for i in range(8)]
    assert [pose['frame_dir'] for pose in poses] == [f'walk/{n}' for n in names[:4]] + [
        names[4], names[5], names[6], None]
    for pose, entry in zip(poses[:4], pyskl[:4]):
        np.testing.assert_array_equal(pose['keypoint'], entry['keypoint'])
        np.testing.assert_array_equal(pose['keypoint_score'], entry['keypoint_score'])
        box, scored = pose['person_box'], entry['keypoint'][:, :, 5:]  # face unscored
        frames = np.arange(box.shape[1]) != 3
        np.testing.assert_array_equal(box[:, frames, :2], scored[:, frames].min(axis=2))
        np.testing.assert_array_equal(box[:, frames, 2:], scored[:, frames].max(axis=2))
        np.testing.assert_array_equal(box[:, 3], 0)  # no scored keypoint: empty box
    np.testing.assert_array_equal(poses[4]['person_box'], pyskl[4]['person_box'])
    frames = entries[6]['total_frames']
    assert poses[6]['keypoint'].shape == (0, frames, 17, 2) and poses[6]['total_frames'] == frames
    assert poses[7]['keypoint'].shape == (0, 0, 17, 2)
    for pose in poses[6:]:
        assert pose['keypoint_score'].shape[0] == pose['person_box'].shape[0] == 0
    assert poses[7]['total_frames'] is poses[7]['img_shape'] is None
    assert dataset.videos_without_entry == [f'walk/{names[7]}.mp4']
    assert dataset.videos_without_persons == [f'walk/{names[6]}.mp4']
    warnings = [m for m in log_messages if 'poses.pkl' in m]
    assert len(warnings) == 1
    assert f'without a pose entry: 1 of 8 (walk/{names[7]}.mp4)' in warnings[0]
    assert f'with zero persons in their entry: 1 of 8 (walk/{names[6]}.mp4)' in warnings[0]
    assert "fall back to the masker's no-saliency behaviour" in warnings[0]


def corrupt(field: str, change: Callable) -> Callable:
    """A mutation of the first annotation: ``ann[field] = change(ann[field])``."""
    def mutate(annotations: List[Dict]) -> None:
        annotations[0][field] = change(annotations[0][field])
    return mutate


def drop(field: str) -> Callable:
    """A mutation that removes ``field`` from the first annotation."""
    return lambda annotations: annotations[0].pop(field)


@pytest.mark.parametrize('mutate,message', [
    (drop('keypoint'), "no 'keypoint'"),
    (corrupt('keypoint', lambda k: k[0]), r'shape \(M, T, V, 2\), got \(\d+, 17, 2\)'),
    (corrupt('keypoint', lambda k: np.concatenate([k, k[..., :1]], -1)), r'V, 2\), got'),
    (corrupt('person_box', lambda b: b[..., :2]), 'person_box has shape'),
    (corrupt('total_frames', lambda t: t + 1), r'total_frames=\d+ but keypoint has \d+'),
    (drop('img_shape'), 'no img_shape'),
    (lambda annotations: annotations.append(dict(annotations[0])), 'appears twice'),
])
def test_malformed_entries_name_the_file_and_frame_dir(synth_videos, tmp_path, mutate, message):
    content = mmengine.load(synth_videos['annotations'])
    mutate(content['annotations'])
    pose_file = str(tmp_path / 'bad.pkl')
    mmengine.dump(content, pose_file)
    name = content['annotations'][0]['frame_dir']
    with pytest.raises(AnnotationError, match=re.escape(pose_file)) as error:
        pose_video_dataset(synth_videos, pose_file)
    assert re.search(message, str(error.value)) and repr(name) in str(error.value)


def test_bad_pose_files(synth_videos, tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / 'none.pkl'))) as error:
        pose_video_dataset(synth_videos, str(tmp_path / 'none.pkl'))
    assert 'tools/data/extract_pose.py' in str(error.value)  # how to make one
    mmengine.dump(dict(split={}), str(tmp_path / 'dict.pkl'))
    with pytest.raises(AnnotationError, match="'annotations', found dict"):
        pose_video_dataset(synth_videos, str(tmp_path / 'dict.pkl'))
    mmengine.dump([dict(frame_dir='elsewhere/x', keypoint=np.zeros((1, 2, 17, 2)))],
                  str(tmp_path / 'other.pkl'))
    with pytest.raises(AnnotationError, match="no video of .* has a pose entry.*'elsewhere/x'"):
        pose_video_dataset(synth_videos, str(tmp_path / 'other.pkl'))


def test_load_clip_poses_takes_the_sampled_frames(synth_videos):
    dataset = pose_video_dataset(synth_videos)
    looping = [dict(CLIP_HEAD[1], frame_interval=3)]  # spans 22 frames: loops on some videos
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        pose = info['pose']
        with global_seed(index):
            results = run_pipeline(CLIP_HEAD[:1] + looping + CLIP_HEAD[2:], info)
        frame_inds = results['frame_inds']
        assert 'pose' not in results and len(frame_inds) == 8
        np.testing.assert_array_equal(results['keypoint'], pose['keypoint'][:, frame_inds])
        np.testing.assert_array_equal(results['gt_bboxes'], pose['person_box'][:, frame_inds])
        np.testing.assert_array_equal(results['keypoint_score'],
                                      pose['keypoint_score'][:, frame_inds])
        for key in ('keypoint', 'keypoint_score', 'gt_bboxes'):
            assert results[key].dtype == np.float32
        # the poses are those of the decoded frames
        assert on_body_share(results['keypoint'], drawn_pixels(results['imgs'])) > 0.9


@pytest.mark.parametrize('change,message', [
    (dict(total_frames=1), 'the pose has {pose} frames but the video has {video}'),
    (dict(img_shape=(48, 64)), r"the pose's img_shape \(48, 64\) is not the decoded frames' "
     r'\(64, 64\)'),
])
def test_load_clip_poses_rejects_poses_of_other_frames(synth_videos, change, message):
    info = pose_video_dataset(synth_videos).get_data_info(0)
    video = info['pose']['total_frames']
    if 'total_frames' in change:
        change = dict(total_frames=video + 1)
        message = message.format(pose=video + 1, video=video)
    info['pose'].update(change)
    with pytest.raises(ValueError, match=message) as error:
        run_pipeline(CLIP_HEAD, info)
    assert info['filename'] in str(error.value)
    assert repr(info['pose']['frame_dir']) in str(error.value)


@pytest.mark.parametrize('crop', sorted(CLIP_CROPS))
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_augmented_poses_stay_on_the_drawn_bodies(synth_videos, crop, seed):
    """After crop, resize and flip, keypoints fall on drawn limbs and boxes hold the drawn
    pixels; the same poses shifted by 20 pixels do not."""
    dataset = pose_video_dataset(synth_videos)
    on_body, shifted, in_boxes, shifted_boxes = [], [], [], []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        # from the whole frames: a crop may hold little background
        background = background_colour(run_pipeline(CLIP_HEAD, info)['imgs'])
        with global_seed(1000 * seed + index):
            results = run_pipeline(CLIP_HEAD + [CLIP_CROPS[crop]] + RESIZE_FLIP, info)
        drawn = drawn_pixels(results['imgs'], background)
        assert drawn.shape == (8, 64, 64)
        keypoint, boxes = results['keypoint'], results['gt_bboxes']
        on_body.append(on_body_share(keypoint, drawn))
        shifted.append(on_body_share(keypoint + 20, drawn))
        # a resize by s leaves SynthAction's boxes (last drawn pixel) s - 1 pixels short
        # (see test_measured_coordinate_convention), and H.264 blurs edges by a pixel
        margin = max(results['scale_factor'])
        in_boxes.append(in_box_share(boxes, drawn, margin))
        shifted_boxes.append(in_box_share(boxes + 20, drawn, margin))
    assert np.mean(on_body) >= 0.9 and min(on_body) >= 0.8
    assert np.mean(shifted) <= 0.5
    assert np.mean(in_boxes) >= 0.97 and min(in_boxes) >= 0.9
    assert np.mean(shifted_boxes) <= 0.5


@pytest.mark.parametrize('transform', [
    MultiScaleCrop(input_size=48, scales=(1, .875, .75, .66), random_crop=True),
    RandomResizedCrop(),
    Resize(scale=(96, 80), keep_ratio=False),
    Flip(flip_ratio=1.0, **COCO_FLIP),
])
def test_mmaction_transforms_move_the_poses_with_the_frames(synth_videos, transform):
    """Each transform maps keypoints, scores and boxes (M, t, ...) as it maps the pixels."""
    dataset = pose_video_dataset(synth_videos)
    info = next(info for info in map(dataset.get_data_info, range(len(dataset)))
                if len(info['pose']['keypoint']) == 2)  # two persons
    before = run_pipeline(CLIP_HEAD, info)
    imgs = np.stack(before['imgs'])
    keypoint, score, boxes = (before[k].copy() for k in ('keypoint', 'keypoint_score',
                                                          'gt_bboxes'))
    with global_seed(3):
        after = transform(copy.deepcopy(before))
    height, width = after['img_shape']
    if isinstance(transform, (MultiScaleCrop, RandomResizedCrop)):
        x1, y1, x2, y2 = after['crop_bbox']
        np.testing.assert_array_equal(np.stack(after['imgs']), imgs[:, y1:y2, x1:x2])
        np.testing.assert_allclose(after['keypoint'], keypoint - [x1, y1], atol=1e-5)
        np.testing.assert_allclose(
            after['gt_bboxes'], np.clip(boxes - [x1, y1, x1, y1], 0,
                                        [width - 1, height - 1] * 2), atol=1e-5)
        assert after['keypoint'].dtype == np.float64  # a crop promotes the keypoints
    elif isinstance(transform, Resize):
        scale = np.array([96 / 64, 80 / 64], np.float32)  # (x, y): scale is (w, h)
        assert (height, width) == (80, 96)
        np.testing.assert_allclose(after['keypoint'], keypoint * scale, rtol=1e-6)
        np.testing.assert_allclose(after['gt_bboxes'], boxes * np.tile(scale, 2), rtol=1e-6)
    else:
        order = list(range(17))
        for left, right in zip(COCO_FLIP['left_kp'], COCO_FLIP['right_kp']):
            order[left], order[right] = right, left
        np.testing.assert_array_equal(np.stack(after['imgs']), imgs[:, :, ::-1])
        np.testing.assert_allclose(after['keypoint'][..., 0], width - keypoint[:, :, order, 0])
        np.testing.assert_array_equal(after['keypoint'][..., 1], keypoint[:, :, order, 1])
        np.testing.assert_array_equal(after['keypoint_score'], score[:, :, order])
        np.testing.assert_allclose(after['gt_bboxes'],
                                   np.stack([width - boxes[..., 2], boxes[..., 1],
                                             width - boxes[..., 0], boxes[..., 3]], -1))


@pytest.mark.parametrize('transform,offset', [
    (Flip(flip_ratio=1.0), (1.0, 0.0)),
    (Resize(scale=(128, 128), keep_ratio=False), (-0.5, -0.5)),
    (Resize(scale=(32, 32), keep_ratio=False), (0.25, 0.25)),
    (Resize(scale=(96, 80), keep_ratio=False), (-0.25, -0.125)),
])
def test_measured_coordinate_convention(synth_videos, transform, offset):
    """mmaction2 maps points as if pixel k covered [k, k + 1); SynthAction's pixel centres
    sit at integer coordinates. Measured on the drawn bodies: the centroid of each frame's
    drawn pixels, mapped like a keypoint, lands ``offset`` = (1, 0) pixels off after a flip
    and 0.5 * (1 - s) pixels off after a resize by s (the exact maps: W - 1 - x and
    (x + 0.5) * s - 0.5)."""
    dataset = pose_video_dataset(synth_videos)
    offsets = []
    for index in range(len(dataset)):
        before = run_pipeline(CLIP_HEAD, dataset.get_data_info(index))
        drawn = drawn_pixels(before['imgs']).astype(np.float32)  # (t, H, W)
        away_from_border = ~np.stack([drawn[:, 0], drawn[:, -1], drawn[:, :, 0],
                                      drawn[:, :, -1]], 1).any(axis=(1, 2))
        centroid = frame_centroids(drawn)  # (t, 2)
        after = transform(dict(imgs=list(np.repeat(drawn[..., None], 3, -1)),
                               img_shape=before['img_shape'], modality='RGB',
                               keypoint=centroid[None, :, None].copy()))
        moved = frame_centroids(np.stack(after['imgs'])[..., 0])
        offsets.append((after['keypoint'][0, :, 0] - moved)[away_from_border])
    offsets = np.concatenate(offsets)
    assert len(offsets) >= 16
    np.testing.assert_allclose(offsets.mean(0), offset, atol=0.02)
    assert offsets.std(0).max() < 0.02


def frame_centroids(weights: np.ndarray) -> np.ndarray:
    """(t, 2) ``(x, y)`` centroid of each frame of (t, H, W) non-negative weights."""
    ys, xs = np.mgrid[:weights.shape[1], :weights.shape[2]]
    total = weights.sum(axis=(1, 2))
    return np.stack([(weights * xs).sum(axis=(1, 2)) / total,
                     (weights * ys).sum(axis=(1, 2)) / total], -1)
