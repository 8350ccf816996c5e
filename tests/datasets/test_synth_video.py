"""Tests of the SynthAction video renderer and writer (posetools.datasets.synth.video)."""
import dataclasses

import av
import decord
import mmengine
import numpy as np
import pytest

from posetools.datasets.synth import SynthActionGenerator
from posetools.datasets.synth.video import (_LIMBS, VIDEO_STYLES, SynthVideoRenderer,
                                            VideoStyle, write_video_dataset)
from posetools.structures.skeletons import COCO17_LEFT, COCO17_LIMBS, COCO17_RIGHT

SMALL = dict(num_samples=24, num_classes=4, min_frames=16, max_frames=24, seed=1)


@pytest.fixture(scope='module')
def generator() -> SynthActionGenerator:
    return SynthActionGenerator(**SMALL)


@pytest.fixture(scope='module')
def samples(generator):
    return [generator.generate_sample(i) for i in range(12)]


def two_person_sample(samples):
    return next(s for s in samples if s.num_persons == 2)


def test_render_shapes_and_determinism(samples):
    renderer = SynthVideoRenderer('classic')
    assert renderer.size == VIDEO_STYLES['classic'].size == (120, 160)
    assert SynthVideoRenderer().size == (64, 64)  # the 'pixel' style
    sample = samples[0]
    first, again = renderer.render(sample), renderer.render(sample)
    frames, persons = sample.total_frames, sample.num_persons
    assert first.frames.shape == (frames, 120, 160, 3) and first.frames.dtype == np.uint8
    assert first.keypoints.shape == (persons, frames, 17, 2)
    assert first.boxes.shape == (persons, frames, 4)
    assert first.keypoints.dtype == first.boxes.dtype == np.float32
    assert first.person_map.shape == (frames, 120, 160) and first.person_map.dtype == np.int8
    for field in dataclasses.fields(first):
        np.testing.assert_array_equal(getattr(first, field.name), getattr(again, field.name))
    # another sample looks different; rendering does not touch the global generator
    state = np.random.get_state()[1].copy()
    other = renderer.render(samples[1])
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    assert np.abs(other.frames[:16].astype(int) - first.frames[:16]).mean() > 10


def test_render_size_option(samples):
    video = SynthVideoRenderer(size=(32, 48)).render(samples[0])
    assert video.frames.shape == (samples[0].total_frames, 32, 48, 3)
    assert video.boxes[..., [0, 2]].max() <= 47 and video.boxes[..., [1, 3]].max() <= 31
    for bad in [(31, 48), (32, 47), (6, 6)]:
        with pytest.raises(ValueError, match='even'):
            SynthVideoRenderer(size=bad)


def test_keypoints_match_the_2d_pickle(samples):
    """The render frame is the 480 x 640 camera image scaled by 1/4 (cv2.resize mapping)."""
    clean = SynthActionGenerator(noise=0.0, **SMALL)
    renderer = SynthVideoRenderer('classic')
    for sample in samples[:4]:
        coco = clean.to_coco2d_annotation(sample)['keypoint']
        np.testing.assert_allclose(renderer.render(sample).keypoints, (coco + 0.5) / 4 - 0.5,
                                   atol=1e-3)


@pytest.mark.parametrize('style', ['classic', 'pixel'])
def test_keypoints_and_boxes_on_drawn_bodies(samples, style):
    renderer = SynthVideoRenderer(style)
    height, width = renderer.size
    for sample in samples:
        video = renderer.render(sample)
        kpt = np.round(video.keypoints).astype(int)  # (M, T, 17, 2)
        inside = ((kpt >= 0) & (kpt < [width, height])).all(-1)
        assert inside.mean() > 0.9
        frame_of = np.broadcast_to(np.arange(sample.total_frames)[:, None], inside.shape[1:])
        for person in range(sample.num_persons):
            ok = inside[person]
            x, y = kpt[person, ..., 0][ok], kpt[person, ..., 1][ok]
            # every keypoint lies on a drawn body (its own, or one occluding it)
            assert (video.person_map[frame_of[ok], y, x] >= 0).all()
            boxes = video.boxes[person][frame_of[ok]]
            assert ((x >= boxes[:, 0] - 1) & (x <= boxes[:, 2] + 1) & (y >= boxes[:, 1] - 1)
                    & (y <= boxes[:, 3] + 1)).all()
        for t in range(0, sample.total_frames, 5):
            body = video.person_map[t] >= 0
            # body pixels carry the flat part colours (at most 10 per person) ...
            colours = np.unique(video.frames[t][body], axis=0)
            assert len(colours) <= 10 * sample.num_persons
            # ... and the background around them is a texture with many colours, or flat
            background_colours = len(np.unique(video.frames[t][~body], axis=0))
            assert background_colours > 50 if style == 'classic' else background_colours == 1
            for person in range(sample.num_persons):
                ys, xs = np.nonzero(video.person_map[t] == person)
                x1, y1, x2, y2 = video.boxes[person, t]
                if x2 < x1:  # out of view (a partner beside the framed actor)
                    assert len(xs) == 0
                    continue
                assert len(xs) > (100 if person == 0 else 0)
                assert x1 - 1 <= xs.min() and xs.max() <= x2 + 1
                assert y1 - 1 <= ys.min() and ys.max() <= y2 + 1
                # the box is tight when the person is not occluded
                if sample.num_persons == 1:
                    assert xs.min() <= x1 + 2 and xs.max() >= x2 - 2
                    assert ys.min() <= y1 + 2 and ys.max() >= y2 - 2


def test_second_person_is_drawn(samples):
    sample = two_person_sample(samples)
    video = SynthVideoRenderer('classic').render(sample)
    assert video.keypoints.shape[0] == video.boxes.shape[0] == 2
    for t in range(sample.total_frames):
        assert {0, 1} <= set(np.unique(video.person_map[t]).tolist())
    # boxes follow the persons: person 1's box is centred on person 1's pixels
    ys, xs = np.nonzero(video.person_map[0] == 1)
    x1, y1, x2, y2 = video.boxes[1, 0]
    assert abs(xs.mean() - (x1 + x2) / 2) < 0.25 * (x2 - x1)


@pytest.mark.parametrize('behind', [0, 1])
def test_drawn_back_to_front(samples, behind):
    """Scale one person about the camera centre 1.3x: it projects exactly onto the other
    but further away (thinner limbs), so it must be hidden in every frame."""
    sample = two_person_sample(samples)
    front = 1 - behind
    coco = sample.coco3d.copy()
    coco[behind] = sample.camera.position + 1.3 * (coco[front] - sample.camera.position)
    video = SynthVideoRenderer('classic').render(dataclasses.replace(sample, coco3d=coco))
    np.testing.assert_allclose(video.keypoints[behind], video.keypoints[front], atol=1e-3)
    assert not (video.person_map == behind).any()
    assert (video.person_map == front).any(axis=(1, 2)).all()
    # the hidden person still has its own (smaller or equal) box
    inner = video.boxes[behind]
    outer = video.boxes[front]
    assert (inner[:, :2] >= outer[:, :2]).all() and (inner[:, 2:] <= outer[:, 2:]).all()


def test_background_pans_smoothly(samples):
    sample = samples[0]
    video = SynthVideoRenderer('classic').render(sample)
    background = (video.person_map[0] < 0) & (video.person_map[-1] < 0)
    frames = video.frames.astype(float)
    step = np.abs(frames[1] - frames[0])[background].mean()
    whole = np.abs(frames[-1] - frames[0])[background].mean()
    assert 0 < step < whole


def test_write_video_dataset(tmp_path, generator):
    renderer = SynthVideoRenderer(size=(32, 32))
    paths = write_video_dataset(generator, str(tmp_path), renderer)
    assert paths['videos'] == str(tmp_path / 'videos')
    assert paths['xsub_train'] == str(tmp_path / 'synth_videos_xsub_train.txt')
    assert paths['xsub_val'] == str(tmp_path / 'synth_videos_xsub_val.txt')
    assert paths['annotations'] == str(tmp_path / 'synth_videos.pkl')
    label_of = dict(zip(generator.frame_dirs, generator.labels))
    for split, names in generator.split.items():
        lines = (tmp_path / f'synth_videos_{split}.txt').read_text().splitlines()
        assert lines == [f'{name}.mp4 {label_of[name]}' for name in names]
    content = mmengine.load(paths['annotations'])
    assert content['split'] == generator.split
    assert [a['frame_dir'] for a in content['annotations']] == generator.frame_dirs
    for index in (0, 5):
        ann = content['annotations'][index]
        sample = generator.generate_sample(index)
        video = renderer.render(sample)
        assert ann['filename'] == f'{sample.frame_dir}.mp4' and ann['label'] == sample.label
        assert ann['total_frames'] == sample.total_frames and ann['img_shape'] == (32, 32)
        np.testing.assert_array_equal(ann['keypoint'], video.keypoints)
        np.testing.assert_array_equal(ann['person_box'], video.boxes)
        path = tmp_path / 'videos' / ann['filename']
        reader = decord.VideoReader(str(path))
        by_decord = reader.get_batch(list(range(len(reader)))).asnumpy()
        with av.open(str(path)) as container:
            by_pyav = np.stack([f.to_ndarray(format='rgb24') for f in container.decode(video=0)])
        assert by_decord.shape == by_pyav.shape == (sample.total_frames, 32, 32, 3)
        assert reader.get_avg_fps() == 30
        np.testing.assert_array_equal(by_decord, by_pyav)
        assert np.abs(by_decord.astype(float) - video.frames).mean() < 12  # lossy H.264


def test_pixel_style_frames_the_actor(samples):
    """The 'pixel' view holds all of the actor's keypoints in every frame, the actor is most
    of the frame's height, and covers a far larger share of it than in the camera view."""
    pixel, classic = SynthVideoRenderer('pixel'), SynthVideoRenderer('classic')
    heights, shares = [], {'pixel': [], 'classic': []}
    for sample in samples:
        video, camera_view = pixel.render(sample), classic.render(sample)
        actor = video.keypoints[0]  # (T, 17, 2)
        assert (actor >= 0).all() and (actor <= 63).all()
        heights.append((video.boxes[0, :, 3] - video.boxes[0, :, 1] + 1).max() / 64)
        for name, rendered in (('pixel', video), ('classic', camera_view)):
            shares[name].append((rendered.person_map == 0).mean())
        # the same skeleton, only moved and scaled: keypoints map affinely to classic's
        ref = camera_view.keypoints.reshape(-1, 2)
        got = video.keypoints.reshape(-1, 2)
        for axis in range(2):
            fit = np.polyfit(ref[:, axis], got[:, axis], 1)
            np.testing.assert_allclose(np.polyval(fit, ref[:, axis]), got[:, axis], atol=1e-3)
    assert min(heights) > 0.7
    assert np.median(shares['pixel']) > 2 * np.median(shares['classic'])  # 0.15 vs 0.06


def test_limb_scale_widens_limbs(samples):
    """Drawn area grows with limb_scale while the skeleton stays put."""
    sample = samples[0]
    thin = SynthVideoRenderer(VideoStyle(limb_scale=1.0)).render(sample)
    wide = SynthVideoRenderer(VideoStyle(limb_scale=2.0)).render(sample)
    np.testing.assert_array_equal(thin.keypoints, wide.keypoints)
    # the head disc and the torso polygon keep their size: 1.32x the area here
    assert (wide.person_map >= 0).sum() > 1.2 * (thin.person_map >= 0).sum()


def test_fixed_colours_vary_only_by_the_jitter(samples):
    """'fixed' colours: every body pixel is skin, shirt or trouser colour (left side x1.2,
    right side x0.75) times a brightness jitter in [0.9, 1.1]; 'random' colours are not."""
    palette = np.array([[224, 172, 105], [40, 90, 200], [70, 60, 50]], float)
    jitter = np.linspace(0.9, 1.1, 201)
    candidates = np.clip(palette[:, None, None] * np.array([1, 1.2, 0.75])[None, :, None, None]
                         * jitter[:, None], 0, 255).reshape(-1, 3)  # every allowed colour

    def off_palette(style) -> float:
        """Share of body colours farther than 2 levels from every allowed colour."""
        renderer, far = SynthVideoRenderer(style), []
        for sample in samples:
            video = renderer.render(sample)
            colours = np.unique(video.frames[video.person_map >= 0], axis=0).astype(float)
            distance = np.abs(colours[:, None] - candidates[None]).max(-1).min(-1)
            far.extend(distance > 2)
        return float(np.mean(far))

    assert off_palette('pixel') == 0
    assert off_palette(VideoStyle(colours='random')) > 0.8


@pytest.mark.parametrize('bad, match', [
    (dict(view='overhead'), 'view'), (dict(colours='pastel'), 'colours'),
    (dict(background='sky'), 'background'), (dict(limb_scale=0), 'limb_scale'),
    (dict(pan_speed=(0.4, 0.1)), 'pan_speed')])
def test_video_style_rejects_bad_options(bad, match):
    with pytest.raises(ValueError, match=match):
        VideoStyle(**bad)
    with pytest.raises(ValueError, match="unknown video style 'nice'"):
        SynthVideoRenderer('nice')


def test_drawn_limbs_are_coco17_limbs_of_their_side():
    """The arm and leg parts are limbs of posetools.structures.skeletons, each on one side."""
    for part, a, b, _ in _LIMBS:
        assert (a, b) in COCO17_LIMBS
        side = COCO17_LEFT if part in (2, 3, 6, 7) else COCO17_RIGHT  # left arm and leg
        assert {a, b} <= set(side)
