"""Every config under configs/ builds through the registry and runs a train and a test step."""
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import mmengine
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from posetools.datasets.video_io import write_video
from tests.helpers import REPO_ROOT, write_skeleton_pkl

CONFIGS = sorted(p for p in (REPO_ROOT / 'configs').rglob('*.py') if '_base_' not in p.parts)
TINY_FRAMES = 8
TINY_VIDEO_FRAMES, TINY_SIZE = 4, 32


def shrink_skeleton_transformer(cfg: Config) -> None:
    cfg.model.backbone.update(num_frames=TINY_FRAMES, embed_dims=16, depth=1, num_heads=2)
    cfg.model.cls_head.update(in_channels=16, num_classes=4)


def shrink_posec3d(cfg: Config) -> None:
    """The real SlowOnly-R50 (2M parameters) is small enough; only the classes shrink."""
    cfg.model.cls_head.update(num_classes=4)


def shrink_mae(cfg: Config) -> None:
    """A 1-block 16-d ViT on 4 x 32 x 32 clips (1 frame for one-frame configs); every resize
    and crop goes to 32 pixels."""
    frames = min(TINY_VIDEO_FRAMES, cfg.model.backbone.num_frames)
    tiny_vit = dict(img_size=TINY_SIZE, patch_size=16, num_frames=frames,
                    embed_dims=16, depth=1, num_heads=2)
    cfg.model.backbone.update(tiny_vit, init_cfg=None)
    if cfg.model.type == 'VideoMAE':
        cfg.model.neck.update(num_tokens=8, in_dims=16, embed_dims=8, depth=1, num_heads=2,
                              out_dims=2 * 16 * 16 * 3)
        cfg.model.head.update(patch_size=16)
    else:
        cfg.model.cls_head.update(in_channels=16, num_classes=4)
        blending = cfg.model.data_preprocessor.get('blending')
        for augment in blending.augments if blending else []:
            augment.num_classes = 4
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for transform in cfg[name].dataset.pipeline if cfg.get(name) else []:
            if transform['type'] == 'mmaction.Resize':
                transform.scale = tuple(-1 if side == -1 else TINY_SIZE
                                        for side in transform.scale)
            for key in ('input_size', 'crop_size'):
                if key in transform:
                    transform[key] = TINY_SIZE
            if transform['type'] == 'PoseSaliency':
                transform.patch_size = 16


def tiny_skeletons(tmp_path: Path, **kwargs) -> Dict:
    return dict(ann_file=str(write_skeleton_pkl(tmp_path / 'ann.pkl', num_samples=4, **kwargs)))


def tiny_videos(tmp_path: Path) -> Dict:
    """3 random 8-frame 48 x 64 videos in a list file (labels 0-2)."""
    rng = np.random.default_rng(0)
    lines = []
    for index in range(3):
        write_video(str(tmp_path / f'clip{index}.mp4'),
                    rng.integers(0, 256, (8, 48, 64, 3), dtype=np.uint8))
        lines.append(f'clip{index}.mp4 {index}')
    (tmp_path / 'list.txt').write_text('\n'.join(lines) + '\n')
    return dict(ann_file=str(tmp_path / 'list.txt'), data_prefix=dict(video=str(tmp_path)))


def tiny_videos_with_poses(tmp_path: Path) -> Dict:
    """``tiny_videos`` and a pose pkl with one moving person per video (no person in clip2)."""
    data = tiny_videos(tmp_path)
    rng = np.random.default_rng(1)
    annotations = []
    for index in range(3):
        persons = 0 if index == 2 else 1
        keypoint = rng.uniform((8, 8), (56, 40), (persons, 8, 17, 2)).astype(np.float32)
        annotations.append(dict(frame_dir=f'clip{index}', label=index, total_frames=8,
                                img_shape=(48, 64), keypoint=keypoint,
                                keypoint_score=np.ones(keypoint.shape[:3], np.float32)))
    mmengine.dump(dict(split={}, annotations=annotations), str(tmp_path / 'poses.pkl'))
    return dict(data, pose_file=str(tmp_path / 'poses.pkl'))


# One entry per recipe folder: how to make its model tiny, and which tiny data it reads.
RECIPES = {
    'skeleton_transformer': (shrink_skeleton_transformer,
                             lambda tmp_path: tiny_skeletons(tmp_path, joints=25, channels=3)),
    'posec3d': (shrink_posec3d, lambda tmp_path: tiny_skeletons(tmp_path, joints=17, channels=2)),
    'mae': (shrink_mae, tiny_videos),
    'dmae': (shrink_mae, tiny_videos_with_poses),
}


def use_tiny_data(cfg: Config, dataset_overrides: Dict) -> None:
    """Point every dataloader at tiny data: 2 samples a batch, no workers, short clips."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if loader is None:  # pretraining has no evaluation
            continue
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        if loader.dataset.type == 'RepeatDataset':
            loader.dataset.times = 1
        dataset = loader.dataset.get('dataset', loader.dataset)
        dataset.update({key: value for key, value in dataset_overrides.items()
                        if key != 'pose_file' or dataset.type == 'PoseVideoDataset'},
                       num_classes=4)
        for transform in dataset.pipeline:
            clips = min(transform.get('num_clips', 1), 2)
            if transform['type'].endswith('UniformSampleFrames'):
                transform.update(clip_len=TINY_FRAMES, num_clips=clips)
            elif transform['type'].endswith('SampleFrames'):
                transform.update(clip_len=min(transform.clip_len, TINY_VIDEO_FRAMES),
                                 frame_interval=1, num_clips=clips)
            elif transform['type'] == 'VideoInit':
                transform.update(min_frames=None)


def labels_of_test_split(cfg: Config) -> List[int]:
    """The labels of the test split, in dataset order, read from the tiny files (a pkl's
    split, or a video list's last column), not through the dataset."""
    dataset = cfg.test_dataloader.dataset
    dataset = dataset.get('dataset', dataset)
    if dataset.ann_file.endswith('.pkl'):
        data = mmengine.load(dataset.ann_file)
        names = set(data['split'][dataset.split])
        return [ann['label'] for ann in data['annotations'] if ann['frame_dir'] in names]
    return [int(line.split()[-1]) for line in Path(dataset.ann_file).read_text().splitlines()]


class PredictionRecorder(Hook):
    """Keeps the label and the class with the highest score of every test sample, in test
    order."""

    def __init__(self) -> None:
        self.labels: List[int] = []
        self.predictions: List[int] = []

    def after_test_iter(self, runner: Runner, batch_idx: int, data_batch: Optional[Dict] = None,
                        outputs: Optional[Sequence] = None) -> None:
        self.labels += [int(sample.gt_label) for sample in outputs]
        self.predictions += [int(sample.pred_score.argmax()) for sample in outputs]


def test_every_config_folder_has_a_recipe_entry():
    folders = {path.parent.name for path in CONFIGS}
    assert folders == set(RECIPES), 'add a shrink function for each new recipe folder'


@pytest.mark.parametrize('config_path', CONFIGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_config_trains_and_tests_one_step(config_path, tmp_path):
    shrink, tiny_data = RECIPES[config_path.parent.name]
    cfg = Config.fromfile(str(config_path))
    assert cfg.default_scope == 'posetools'
    shrink(cfg)
    use_tiny_data(cfg, tiny_data(tmp_path))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'smoke_{config_path.stem}'
    cfg.train_cfg.update(max_epochs=1)
    if cfg.get('val_cfg'):
        cfg.train_cfg.update(val_interval=1)
    cfg.default_hooks.checkpoint.update(save_best=None)
    cfg.auto_scale_lr.enable = False

    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # 3 training samples at batch 2
    if cfg.get('test_cfg'):
        # two steps learn nothing, so no accuracy is expected; but the samples tested must
        # carry the labels the tiny files hold, and the top-1 the run reports must be that of
        # the model's predictions against them (lost, reordered or replaced labels or
        # samples, or a metric fed the wrong scores, would differ)
        recorder = PredictionRecorder()
        runner.register_hook(recorder)
        metrics = runner.test()
        labels = labels_of_test_split(cfg)
        assert recorder.labels == labels
        assert metrics['acc/top1'] == pytest.approx(
            np.mean(np.array(recorder.predictions) == labels))
