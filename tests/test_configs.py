"""Every config under configs/ builds through the registry and runs a train and a test step."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from tests.helpers import REPO_ROOT, write_skeleton_pkl

CONFIGS = sorted(p for p in (REPO_ROOT / 'configs').rglob('*.py') if '_base_' not in p.parts)
TINY_FRAMES = 8


def shrink_skeleton_transformer(cfg: Config) -> None:
    cfg.model.backbone.update(num_frames=TINY_FRAMES, embed_dims=16, depth=1, num_heads=2)
    cfg.model.cls_head.update(in_channels=16, num_classes=4)


def shrink_posec3d(cfg: Config) -> None:
    """The real SlowOnly-R50 (2M parameters) is small enough; only the classes shrink."""
    cfg.model.cls_head.update(num_classes=4)


# One entry per recipe folder: how to make its model tiny, and which annotation file it reads.
RECIPES = {
    'skeleton_transformer': (shrink_skeleton_transformer, dict(joints=25, channels=3)),
    'posec3d': (shrink_posec3d, dict(joints=17, channels=2)),
}


def use_tiny_data(cfg: Config, ann_file: Path) -> None:
    """Point every dataloader at ``ann_file``: 2 samples a batch, no workers, tiny clips."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        if loader.dataset.type == 'RepeatDataset':
            loader.dataset.times = 1
        dataset = loader.dataset.get('dataset', loader.dataset)
        dataset.update(ann_file=str(ann_file), num_classes=4)
        for transform in dataset.pipeline:
            if transform['type'].endswith('UniformSampleFrames'):
                clips = min(transform.get('num_clips', 1), 2)
                transform.update(clip_len=TINY_FRAMES, num_clips=clips)


def test_every_config_folder_has_a_recipe_entry():
    folders = {path.parent.name for path in CONFIGS}
    assert folders == set(RECIPES), 'add a shrink function for each new recipe folder'


@pytest.mark.parametrize('config_path', CONFIGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_config_trains_and_tests_one_step(config_path, tmp_path):
    shrink, data_kwargs = RECIPES[config_path.parent.name]
    cfg = Config.fromfile(str(config_path))
    assert cfg.default_scope == 'posetools'
    shrink(cfg)
    use_tiny_data(cfg, write_skeleton_pkl(tmp_path / 'ann.pkl', num_samples=4, **data_kwargs))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'smoke_{config_path.stem}'
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint.update(save_best=None)
    cfg.auto_scale_lr.enable = False

    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # 3 training samples at batch 2
    metrics = runner.test()
    assert 0.0 <= metrics['acc/top1'] <= 1.0
