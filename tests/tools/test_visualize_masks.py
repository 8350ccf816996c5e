"""tools/analysis/visualize_masks.py: a readable PNG and a GIF of one frame per clip frame,
for the directed config (saliency, keypoints, boxes) and any masker of a video config; clear
errors for configs it cannot draw."""
import importlib.util

import numpy as np
import pytest
from PIL import Image, ImageSequence

from posetools.datasets.synth import SynthActionGenerator, write_video_dataset
from tests.helpers import REPO_ROOT, run_tool

spec = importlib.util.spec_from_file_location(
    'visualize_masks', REPO_ROOT / 'tools/analysis/visualize_masks.py')
visualize_masks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(visualize_masks)

FRAMES = 8  # configs/*/vit_synth.py clips


@pytest.fixture(scope='module')
def data_options(tmp_path_factory) -> list:
    """--cfg-options that point the synth configs at 12 generated 'pixel' videos."""
    data = tmp_path_factory.mktemp('synth_video')
    write_video_dataset(SynthActionGenerator(num_samples=12, min_frames=44, max_frames=48),
                        str(data))
    return [f'train_dataloader.dataset.ann_file={data}/synth_videos_xsub_train.txt',
            f'train_dataloader.dataset.data_prefix.video={data}/videos',
            f'train_dataloader.dataset.pose_file={data}/synth_videos.pkl']


def check_outputs(png, gif) -> tuple:
    """The PNG's size and the GIF's frame size, after checking both read back."""
    with Image.open(png) as image:
        assert image.format == 'PNG' and image.mode == 'RGB'
        png_size = image.size
    with Image.open(gif) as image:
        assert image.format == 'GIF' and image.info['loop'] == 0
        frames = [frame.convert('RGB') for frame in ImageSequence.Iterator(image)]
    assert len(frames) == FRAMES
    assert len({np.asarray(frame).tobytes() for frame in frames}) == FRAMES
    return png_size, frames[0].size


def test_directed_config_from_the_command_line(tmp_path, data_options):
    proc = run_tool(['tools/analysis/visualize_masks.py', 'configs/dmae/vit_synth.py',
                     '--index', '1', '--out', tmp_path, '--cfg-options', *data_options,
                     'model.masker.mode=mask_salient'])  # the configs keep people visible
    png = tmp_path / 'sample1_DirectedMasker.png'
    gif = tmp_path / 'sample1_DirectedMasker.gif'
    assert f'wrote {png}' in proc.stdout and f'wrote {gif}' in proc.stdout
    (width, height), gif_size = check_outputs(png, gif)
    assert width > 1000 and height > 600  # 8 frames by 4 rows: frames, masked, visible, saliency
    assert gif_size[0] > 3 * 192  # clip, masked and saliency panels of >= 192 px


def test_the_pipeline_keypoints_and_boxes_follow_the_frames(data_options):
    cfg = visualize_masks.Config.fromfile(str(REPO_ROOT / 'configs/dmae/vit_synth.py'))
    cfg.merge_from_dict(dict(option.split('=', 1) for option in data_options))
    visualize_masks.init_default_scope('posetools')
    packed, people, name = visualize_masks.load_sample(cfg.train_dataloader.dataset, 0)
    assert name.endswith('.mp4') and packed['inputs'].shape == (1, 3, FRAMES, 64, 64)
    assert people['keypoint'].shape[1:] == (FRAMES, 17, 2)
    assert people['gt_bboxes'].shape[1:] == (FRAMES, 4)  # kept from before PoseSaliency
    assert packed['data_samples'].saliency.shape == (4, 8, 8)


@pytest.mark.parametrize('masker', [
    ['model.masker.type=RandomMasker'], ['model.masker.type=MotionMasker'],
    ['model.masker.type=RunningCellMasker', 'model.masker.mask_ratio=0.75']])
def test_any_masker_of_a_video_config(tmp_path, data_options, masker, capsys):
    png, gif = visualize_masks.main(['configs/mae/vit_synth.py', '--out', str(tmp_path),
                                     '--index', '3', '--seed', '1', '--cfg-options',
                                     *data_options[:2], *masker])
    name = masker[0].split('=')[1]
    assert png == tmp_path / f'sample3_{name}.png' and gif == tmp_path / f'sample3_{name}.gif'
    assert f'wrote {png}' in capsys.readouterr().out
    check_outputs(png, gif)


@pytest.mark.parametrize('config,options,message', [
    ('configs/mae/vit_synth_ft.py', [],
     'configs/mae/vit_synth_ft.py: the config has no model.masker'),
    ('configs/mae/nope.py', [], 'configs/mae/nope.py: no such config'),
    ('configs/mae/vit_synth.py', ['model.masker.type=DirectedMasker'],
     'model.masker DirectedMasker: DirectedMasker needs a per-token saliency'),
])
def test_clear_one_line_errors(tmp_path, data_options, config, options, message):
    with pytest.raises(SystemExit) as error:
        visualize_masks.main([config, '--out', str(tmp_path), '--cfg-options',
                              *data_options[:2], *options])
    assert str(error.value).startswith(message) and '\n' not in str(error.value)
    assert not list(tmp_path.iterdir())


def test_index_out_of_range(tmp_path, data_options):
    with pytest.raises(SystemExit, match=r'--index 99: the train dataset has \d+ samples'):
        visualize_masks.main(['configs/mae/vit_synth.py', '--index', '99', '--out',
                              str(tmp_path), '--cfg-options', *data_options[:2]])
