"""Tests of the SynthAction generator (posetools.datasets.synth)."""
import re

import mmengine
import numpy as np
import pytest

from posetools.datasets.synth import (COCO_FROM_NTU, COCO_KEYPOINT_NAMES,
                                      NTU_JOINT_NAMES, NTU_REST_OFFSETS,
                                      NTU_XSUB_TRAIN_PERFORMERS,
                                      SYNTH_CLASSES, SynthActionGenerator,
                                      write_dataset)
from posetools.structures.skeletons import NTU25_PARENTS

SMALL = dict(num_samples=60, num_classes=10, min_frames=24, max_frames=40)


def test_constants():
    # each COCO keypoint hangs on the NTU joint of its body part (the face on the head)
    expected = ['Head' if name in ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear')
                else name.split('_')[1].capitalize() + name.split('_')[0].capitalize()
                for name in COCO_KEYPOINT_NAMES]
    assert [NTU_JOINT_NAMES[joint] for joint in COCO_FROM_NTU] == expected
    # twelve distinct classes: the synth configs' ten and two more (num_classes <= 12)
    assert len(SYNTH_CLASSES) == len(set(SYNTH_CLASSES)) == 12
    SynthActionGenerator(num_samples=12, num_classes=12)


def test_determinism():
    a = SynthActionGenerator(seed=3, **SMALL)
    b = SynthActionGenerator(seed=3, **SMALL)
    c = SynthActionGenerator(seed=4, **SMALL)
    sa, sb, sc = (g.generate_samples() for g in (a, b, c))
    assert a.frame_dirs == b.frame_dirs
    for x, y in zip(sa, sb):
        np.testing.assert_array_equal(x.joints3d, y.joints3d)
        np.testing.assert_array_equal(
            a.to_ntu3d_annotation(x)['keypoint'],
            b.to_ntu3d_annotation(y)['keypoint'])
        ax, by = a.to_coco2d_annotation(x), b.to_coco2d_annotation(y)
        np.testing.assert_array_equal(ax['keypoint'], by['keypoint'])
        np.testing.assert_array_equal(ax['keypoint_score'],
                                      by['keypoint_score'])
    assert any(x.joints3d.shape != y.joints3d.shape
               or not np.allclose(x.joints3d, y.joints3d)
               for x, y in zip(sa, sc))
    # samples are generated independently of the order of generation
    np.testing.assert_array_equal(a.generate_sample(7).joints3d,
                                  sa[7].joints3d)


def test_write_dataset(tmp_path):
    paths = write_dataset(str(tmp_path), seed=1, **SMALL)
    assert [p.split('/')[-1] for p in paths] == [
        'synth_ntu3d.pkl', 'synth_coco2d.pkl'
    ]
    ntu, coco = mmengine.load(paths[0]), mmengine.load(paths[1])
    for data in (ntu, coco):
        assert set(data) == {'split', 'annotations'}
        assert set(data['split']) == {'xsub_train', 'xsub_val'}
    assert ntu['split'] == coco['split']
    train, val = (set(ntu['split'][k]) for k in ('xsub_train', 'xsub_val'))
    names = [a['frame_dir'] for a in ntu['annotations']]
    assert len(set(names)) == len(names) == SMALL['num_samples']
    assert not train & val and train | val == set(names)
    assert len(val) == pytest.approx(0.2 * len(names), abs=SMALL[
        'num_classes'])
    train_ids = set(NTU_XSUB_TRAIN_PERFORMERS)
    for name in names:
        match = re.fullmatch(r'S001C00([123])P(\d{3})R(\d{3})A(\d{3})', name)
        assert match, name
        assert (int(match.group(2)) in train_ids) == (name in train)
    for split in (train, val):
        labels = {a['label'] for a in ntu['annotations']
                  if a['frame_dir'] in split}
        assert labels == set(range(SMALL['num_classes']))

    for a3, a2 in zip(ntu['annotations'], coco['annotations']):
        assert set(a3) == {'frame_dir', 'label', 'total_frames', 'keypoint'}
        assert set(a2) == {
            'frame_dir', 'label', 'total_frames', 'img_shape',
            'original_shape', 'keypoint', 'keypoint_score'
        }
        assert a3['frame_dir'] == a2['frame_dir']
        assert a3['label'] == a2['label'] == int(a3['frame_dir'][-3:]) - 1
        assert 0 <= a3['label'] < SMALL['num_classes']
        t = a3['total_frames']
        assert SMALL['min_frames'] <= t <= SMALL['max_frames']
        assert t == a2['total_frames']
        kp3, kp2, score = a3['keypoint'], a2['keypoint'], a2['keypoint_score']
        num_persons = kp3.shape[0]
        assert num_persons in (1, 2)
        assert kp3.shape == (num_persons, t, 25, 3)
        assert kp2.shape == (num_persons, t, 17, 2)
        assert score.shape == (num_persons, t, 17)
        assert kp3.dtype == kp2.dtype == score.dtype == np.float32
        assert a2['img_shape'] == a2['original_shape'] == (480, 640)
        assert 0 <= score.min() and score.max() <= 1
        assert 1.5 < kp3[..., 2].min() and kp3[..., 2].max() < 6.0
    scores = np.concatenate(
        [a['keypoint_score'].ravel() for a in coco['annotations']])
    assert 0.75 < np.median(scores) < 1.0


def test_bone_lengths_constant():
    gen = SynthActionGenerator(seed=5, noise=0.0, **SMALL)
    lengths = []
    for sample in gen.generate_samples()[:20]:
        kp = gen.to_ntu3d_annotation(sample)['keypoint'].astype(np.float64)
        bones = kp[:, :, 1:] - kp[:, :, list(NTU25_PARENTS[1:])]
        length = np.linalg.norm(bones, axis=-1)  # (M, T, 24)
        np.testing.assert_allclose(
            length, np.broadcast_to(length[:, :1], length.shape), atol=1e-5)
        assert length.min() > 0.02
        # each bone is its rest length times the body size (0.85-1.15) times the
        # proportion (0.95-1.05) of its segment: trunk, head, arms or legs
        for scale in length[:, 0] / np.linalg.norm(NTU_REST_OFFSETS[1:], axis=-1):
            assert 0.85 * 0.95 - 1e-6 <= scale.min() and scale.max() <= 1.15 * 1.05 + 1e-6
            assert np.sum(np.diff(np.sort(scale)) > 1e-5) + 1 == 4
        lengths.append(length[0, 0])
        # the feet stay on (or, when jumping, above) the floor
        feet = sample.joints3d[..., [15, 19], 1].min(-1)
        assert feet.min() > 0.03 and np.median(feet) < 0.05
    # performers differ in body size
    spread = np.std([x.sum() for x in lengths]) / np.mean(
        [x.sum() for x in lengths])
    assert spread > 0.02


def test_projection_consistency():
    gen = SynthActionGenerator(seed=2, noise=0.0, **SMALL)
    noisy = SynthActionGenerator(seed=2, **SMALL)
    for sample in gen.generate_samples()[:20]:
        kp3 = gen.to_ntu3d_annotation(sample)['keypoint'].astype(np.float64)
        kp2 = gen.to_coco2d_annotation(sample)['keypoint']
        np.testing.assert_allclose(
            sample.camera.project_world(sample.coco3d), kp2, atol=1e-3)
        # body keypoints are the projections of the stored 3D NTU joints
        body = sample.camera.project(kp3[:, :, list(COCO_FROM_NTU[5:])])
        np.testing.assert_allclose(body, kp2[:, :, 5:], atol=1e-2)
        # the face is in front of the head, near it in the image
        head = sample.camera.project(kp3[:, :, 3])
        dist = np.linalg.norm(kp2[:, :, 0] - head, axis=-1)
        assert dist.max() < 40
        # chirality: at frame 0 nobody has turned away yet, so the person's
        # left shoulder is on the image right
        assert (kp2[:, 0, 5, 0] > kp2[:, 0, 6, 0]).all()
        noisy_kp2 = noisy.to_coco2d_annotation(sample)['keypoint']
        assert 0.1 < np.abs(noisy_kp2 - kp2).mean() < 10


def test_invalid_arguments():
    with pytest.raises(ValueError):
        SynthActionGenerator(num_classes=1)
    with pytest.raises(ValueError):
        SynthActionGenerator(num_classes=len(SYNTH_CLASSES) + 1)
    with pytest.raises(ValueError):
        SynthActionGenerator(min_frames=50, max_frames=40)
