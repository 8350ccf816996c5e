"""Tests of robust video loading: video_io readers, VideoInit and RobustVideoDataset."""
import logging
import re
from fractions import Fraction
from pathlib import Path

import av
import decord
import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from posetools.datasets import (RobustVideoDataset, VideoFolderError, VideoInit, VideoListError,
                                VideoReadError)
from posetools.datasets.video_io import PyAVVideoReader, open_video, write_video

SIZE = 32


def gray_frames(num_frames: int) -> np.ndarray:
    """(T, 32, 32, 3) frames whose flat grey level 20 + 3 t tells the frame index t."""
    levels = (20 + 3 * np.arange(num_frames)).astype(np.uint8)
    return np.broadcast_to(levels[:, None, None, None], (num_frames, SIZE, SIZE, 3)).copy()


def frame_index(image: np.ndarray) -> int:
    """The frame index a decoded gray frame shows."""
    return int(round((float(image.mean()) - 20) / 3))


def write_gray_video(path: Path, num_frames: int, faststart: bool = False) -> Path:
    if not faststart:
        write_video(str(path), gray_frames(num_frames))
        return path
    # index (moov) first: a file cut at its end still opens in decord
    with av.open(str(path), 'w', options={'movflags': 'faststart'}) as container:
        stream = container.add_stream('libx264', rate=Fraction(30))
        stream.width = stream.height = SIZE
        stream.pix_fmt = 'yuv420p'
        for image in gray_frames(num_frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format='rgb24')))
        container.mux(stream.encode())
    return path


def broken(path: Path, kind: str) -> Path:
    """Write a broken video of the given kind at ``path``."""
    good = write_gray_video(path.with_name('good_' + path.name), 64).read_bytes()
    if kind == 'truncated':
        path.write_bytes(good[:len(good) // 2])
    elif kind == 'random':
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 4000, np.uint8).tobytes())
    elif kind == 'empty':
        path.write_bytes(b'')
    elif kind != 'missing':
        raise ValueError(kind)
    return path


def pipeline(min_frames=None, decode_mode='accurate'):
    return [
        dict(type='VideoInit', min_frames=min_frames),
        dict(type='mmaction.SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
        dict(type='mmaction.DecordDecode', mode=decode_mode),
        dict(type='mmaction.Resize', scale=(24, 24), keep_ratio=False),
        dict(type='mmaction.FormatShape', input_format='NCTHW'),
        dict(type='mmaction.PackActionInputs'),
    ]


@pytest.fixture(autouse=True)
def posetools_scope():
    init_default_scope('posetools')


@pytest.fixture
def video64(tmp_path) -> Path:
    return write_gray_video(tmp_path / 'video64.mp4', 64)


def decode_only(filename, min_frames=None, mode='accurate'):
    """VideoInit -> SampleFrames(16, 4, test_mode) -> DecordDecode results."""
    steps = Compose(pipeline(min_frames, mode)[:3])
    steps.transforms[1].test_mode = True  # deterministic (centred) clip
    return steps(dict(filename=str(filename), start_index=0, modality='RGB'))


def test_decord_and_pyav_read_the_same_frames(video64):
    by_decord = open_video(str(video64))
    by_pyav = PyAVVideoReader(video64.read_bytes(), str(video64))
    assert (by_decord.backend, by_pyav.backend) == ('decord', 'pyav')
    assert len(by_decord) == len(by_pyav) == 64
    assert by_decord.get_avg_fps() == by_pyav.get_avg_fps() == 30
    indices = [0, 5, 63, 5]
    frames = by_decord.get_batch(indices).asnumpy()
    assert frames.shape == (4, SIZE, SIZE, 3) and frames.dtype == np.uint8
    np.testing.assert_array_equal(frames, by_pyav.get_batch(indices).asnumpy())
    assert [frame_index(f) for f in frames] == indices
    for reader in (by_decord, by_pyav):
        reader.seek(63)
        reader.next()
        with pytest.raises(VideoReadError, match=re.escape(f'{video64}: read past the last')):
            reader.next()
    by_pyav.seek(30)
    assert frame_index(by_pyav.next().asnumpy()) == 30
    with pytest.raises(VideoReadError, match='out of range'):
        by_pyav.get_batch([64])


def test_pipeline_to_model_inputs(video64):
    packed = Compose(pipeline(min_frames=61))(
        dict(filename=str(video64), label=3, start_index=0, modality='RGB'))
    assert tuple(packed['inputs'].shape) == (1, 3, 16, 24, 24)
    assert int(packed['data_samples'].gt_label) == 3


@pytest.mark.parametrize('mode', ['accurate', 'efficient'])
def test_pyav_fallback_when_decord_fails(video64, monkeypatch, mode):
    expected = decode_only(video64)

    def refuse(*args, **kwargs):
        raise RuntimeError('Error reading 1234 bytes...')

    monkeypatch.setattr(decord, 'VideoReader', refuse)
    results = decode_only(video64, mode=mode)
    assert results['video_backend'] == 'pyav'
    assert results['total_frames'] == 64 and results['avg_fps'] == 30
    np.testing.assert_array_equal(results['frame_inds'], expected['frame_inds'])
    assert [frame_index(f) for f in results['imgs']] == list(results['frame_inds'])
    np.testing.assert_array_equal(np.stack(results['imgs']), np.stack(expected['imgs']))
    packed = Compose(pipeline())(dict(filename=str(video64), start_index=0, modality='RGB'))
    assert tuple(packed['inputs'].shape) == (1, 3, 16, 24, 24)


def test_without_fallback_decord_errors_are_reported(video64, monkeypatch):
    monkeypatch.setattr(decord, 'VideoReader',
                        lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError('nope')))
    with pytest.raises(VideoReadError, match=re.escape(f'{video64}: decord cannot open it')):
        VideoInit(fallback=False)(dict(filename=str(video64)))


@pytest.mark.parametrize('kind,problem', [
    ('truncated', 'Invalid data'),
    ('random', 'Invalid data'),
    ('empty', 'empty file'),
    ('missing', 'file not found'),
])
def test_unreadable_files_raise_video_read_error(tmp_path, kind, problem):
    path = broken(tmp_path / f'{kind}.mp4', kind)
    with pytest.raises(VideoReadError, match=problem) as info:
        VideoInit()(dict(filename=str(path)))
    assert str(info.value).startswith(f'{path}: ')
    if kind in ('truncated', 'random'):  # both backends were tried
        assert 'PyAV cannot decode it' in str(info.value)
        assert 'decord cannot open it either' in str(info.value)


def test_file_truncated_after_its_index_fails_in_decord_decode(tmp_path):
    """decord opens a faststart file cut by a few bytes and fails when decoding it."""
    data = write_gray_video(tmp_path / 'full.mp4', 64, faststart=True).read_bytes()
    path = tmp_path / 'cut.mp4'
    path.write_bytes(data[:-10])
    results = VideoInit()(dict(filename=str(path)))
    assert results['video_backend'] == 'decord' and results['total_frames'] == 64
    with pytest.raises(VideoReadError, match=re.escape(f'{path}: truncated or corrupt')):
        results['video_reader'].get_batch(np.arange(64))


def test_too_short_video(tmp_path):
    path = write_gray_video(tmp_path / 'short.mp4', 20)
    # without min_frames SampleFrames loops back to the first frame mid-clip
    inds = decode_only(path)['frame_inds']
    assert inds.max() < 20 and (np.diff(inds) < 0).any()
    with pytest.raises(VideoReadError, match=re.escape(
            f'{path}: 20 frames, the clip needs at least min_frames=61')):
        decode_only(path, min_frames=61)
    assert decode_only(path, min_frames=20)['total_frames'] == 20
    with pytest.raises(ValueError):
        VideoInit(min_frames=0)
    assert repr(VideoInit(min_frames=61)) == (
        'VideoInit(min_frames=61, num_threads=1, fallback=True, backend_args=None)')


def write_list(path: Path, lines) -> Path:
    path.write_text(''.join(f'{line}\n' for line in lines))
    return path


@pytest.fixture
def six_videos(tmp_path):
    """A list of 6 videos with labels 0..5; videos 1 (random bytes) and 4 (truncated) are
    broken."""
    videos = tmp_path / 'videos'
    videos.mkdir()
    names = []
    for index in range(6):
        path = videos / f'v{index}.mp4'
        if index == 1:
            broken(path, 'random')
        elif index == 4:
            broken(path, 'truncated')
        else:
            write_gray_video(path, 64)
        names.append(path.name)
    ann = write_list(tmp_path / 'list.txt', [f'{name} {i}' for i, name in enumerate(names)])
    return ann, videos


class Messages(logging.Handler):
    """Collects the messages of the log records it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_robust_dataset_skips_broken_videos_in_training(six_videos, tmp_path):
    ann, videos = six_videos
    logger = MMLogger.get_instance(f'robust-video-{tmp_path.name}')  # the current logger
    handler = Messages()
    logger.addHandler(handler)
    dataset = RobustVideoDataset(str(ann), pipeline(), data_prefix=dict(video=str(videos)),
                                 num_classes=6)
    assert len(dataset) == 6
    labels = []
    for _ in range(2):  # the second pass meets the broken videos again
        for index in range(len(dataset)):
            sample = dataset[index]
            assert tuple(sample['inputs'].shape) == (1, 3, 16, 24, 24)
            labels.append(int(sample['data_samples'].gt_label))
    assert set(labels) <= {0, 2, 3, 5}
    assert labels[0::6] == [0, 0] and labels[5::6] == [5, 5]  # good videos are themselves
    logger.removeHandler(handler)
    warnings = [line for line in handler.messages if 'skipping a video' in line]
    assert len(warnings) == 2  # each broken video is reported once
    assert '(1 skipped so far' in warnings[0] and '(2 skipped so far' in warnings[1]
    assert any(str(videos / 'v1.mp4') in w for w in warnings)
    assert any(str(videos / 'v4.mp4') in w for w in warnings)
    assert all('Invalid data' in w for w in warnings)


def test_robust_dataset_raises_in_test_mode(six_videos):
    ann, videos = six_videos
    dataset = RobustVideoDataset(str(ann), pipeline(), data_prefix=dict(video=str(videos)),
                                 test_mode=True)
    assert tuple(dataset[0]['inputs'].shape) == (1, 3, 16, 24, 24)
    with pytest.raises(VideoReadError, match=re.escape(str(videos / 'v1.mp4'))):
        dataset[1]


def test_robust_dataset_with_no_readable_video(tmp_path):
    videos = tmp_path / 'videos'
    videos.mkdir()
    broken(videos / 'a.mp4', 'empty')
    ann = write_list(tmp_path / 'list.txt', ['a.mp4 0', 'missing.mp4 1'])
    dataset = RobustVideoDataset(str(ann), pipeline(), data_prefix=dict(video=str(videos)))
    with pytest.raises(VideoReadError, match='2 of the first 2 videos tried in this process '
                       'are unreadable'):
        dataset[0]


def test_missing_video_folder_is_named_at_start_up(tmp_path):
    ann = write_list(tmp_path / 'list.txt', ['a.mp4 0'])
    folder = tmp_path / 'no_such_videos'
    with pytest.raises(VideoFolderError) as info:
        RobustVideoDataset(str(ann), pipeline(), data_prefix=dict(video=str(folder)))
    assert str(info.value).startswith(f'{folder}: video folder (data_prefix.video) not found')
    assert str(ann) in str(info.value)
    # relative to data_root, in test mode too
    with pytest.raises(VideoFolderError, match=re.escape(f'{tmp_path}/videos: video folder')):
        RobustVideoDataset(str(ann), pipeline(), data_root=str(tmp_path),
                           data_prefix=dict(video='videos'), test_mode=True)


def test_mostly_unreadable_videos_stop_training_naming_problems_and_files(tmp_path):
    """A list whose videos are nearly all missing or empty stops at the first sample,
    instead of skipping on to mmengine's "Cannot find valid image after 1000!"."""
    videos = tmp_path / 'videos'
    videos.mkdir()
    write_gray_video(videos / 'good.mp4', 64)
    for index in range(40):
        broken(videos / f'empty{index}.mp4', 'empty')
    names = ['good.mp4'] + [f'empty{index}.mp4' for index in range(40)] + [
        f'gone{index}.mp4' for index in range(200)]
    ann = write_list(tmp_path / 'list.txt', [f'{name} 0' for name in names])
    dataset = RobustVideoDataset(str(ann), [dict(type='VideoInit')],
                                 data_prefix=dict(video=str(videos)))
    with pytest.raises(VideoReadError) as info:
        for index in range(len(dataset)):
            dataset[index]
    message = str(info.value)
    assert message.startswith(f'{ann}: 51 of the first ')
    assert f"check the list file and data_prefix.video ('{videos}')" in message
    assert re.search(rf'"file not found" for \d+ \(e\.g\. {re.escape(str(videos))}/gone\d+\.mp4, ',
                     message)
    assert re.search(r'"empty file \(0 bytes\)" for \d+ \(e\.g\. .*/empty\d+\.mp4', message)


def refuse_bad_videos(results: dict) -> dict:
    """A pipeline step failing like ``VideoInit`` on the videos named ``bad*``."""
    if Path(results['filename']).name.startswith('bad'):
        raise VideoReadError(f"{results['filename']}: file not found")
    return results


@pytest.mark.parametrize('bad_in_first_100', [50, 51])
def test_training_stops_when_over_half_of_the_first_100_videos_fail(tmp_path, bad_in_first_100):
    good_in_first_100 = 100 - bad_in_first_100
    names = ([f'bad{i}.mp4' for i in range(bad_in_first_100)] +
             [f'good{i}.mp4' for i in range(good_in_first_100)] +
             [f'bad_later{i}.mp4' for i in range(100)])  # counted no more: skipped
    ann = write_list(tmp_path / 'list.txt', [f'{name} 0' for name in names])
    dataset = RobustVideoDataset(str(ann), [refuse_bad_videos],
                                 data_prefix=dict(video=str(tmp_path)))
    outcomes = []
    for index in [0, 0, *range(len(dataset))]:  # a video tried twice counts once
        try:
            outcomes.append(dataset.prepare_data(index) is not None)
        except VideoReadError as error:
            assert str(error).startswith(f'{ann}: 51 of the first 51 videos tried')
            assert f'"file not found" for 51 (e.g. {tmp_path}/bad0.mp4, {tmp_path}/bad1.mp4' \
                in str(error)
            break
    stopped = len(outcomes) < len(dataset) + 2
    assert stopped == (bad_in_first_100 == 51)
    if not stopped:
        assert outcomes.count(True) == good_in_first_100


@pytest.mark.parametrize('lines,message', [
    (['a.mp4 0', 'b.mp4'], ':2: expected "<video> <label>"'),
    (['a.mp4 zero'], ':1: expected "<video> <label>"'),
    (['a.mp4 0', '', 'b.mp4 1 2'], ':3: expected "<video> <label>"'),
    (['a.mp4 0', 'b.mp4 7'], r':2: label 7 is outside \[0, 5\)'),
    (['a.mp4 -1'], r':1: label -1 is outside'),
    ([''], ': the list file names no video'),
])
def test_list_file_errors(tmp_path, lines, message):
    ann = write_list(tmp_path / 'list.txt', lines)
    with pytest.raises(VideoListError, match=re.escape(str(ann)) + message):
        RobustVideoDataset(str(ann), [], num_classes=5)


def test_list_file_parsing(tmp_path):
    ann = write_list(tmp_path / 'list.txt', ['a.mp4 0', '', 'sub/b.mp4   3  '])
    root = tmp_path / 'root'
    root.mkdir()
    dataset = RobustVideoDataset(str(ann), [], data_prefix=dict(video=str(root)), num_classes=5)
    assert [dataset.get_data_info(i)['filename'] for i in range(2)] == [f'{root}/a.mp4',
                                                                        f'{root}/sub/b.mp4']
    assert [dataset.get_data_info(i)['label'] for i in range(2)] == [0, 3]
    multi = RobustVideoDataset(str(write_list(tmp_path / 'multi.txt', ['a.mp4 0 2'])), [],
                               multi_class=True, num_classes=3)
    assert multi.get_data_info(0)['label'].tolist() == [1, 0, 1]


def test_missing_list_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(f'{tmp_path}/nope.txt: video list')):
        RobustVideoDataset(str(tmp_path / 'nope.txt'), [])
