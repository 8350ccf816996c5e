"""`tools/train.py --resume` continues exactly where an interrupted run stopped."""
from pathlib import Path

import torch

import posetools  # noqa: F401  (allow-lists mmengine's checkpoint contents)
from tests.helpers import run_tool

CONFIG = 'configs/skeleton_transformer/stt_ntu60_xsub.py'


def tiny_run_options(ann_file: Path) -> list:
    """Shrink the NTU recipe to a seconds-long CPU run that still uses dropout and drop path."""
    loader = dict(num_workers=0, persistent_workers=False, batch_size=2)
    options = [f'{name}.dataset.ann_file={ann_file}' for name in
               ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    options += [f'{name}.{key}={value}' for name in ('train_dataloader', 'val_dataloader')
                for key, value in loader.items()]
    options += [
        'model.backbone.num_frames=16', 'model.backbone.embed_dims=16', 'model.backbone.depth=2',
        'model.backbone.num_heads=2', 'model.backbone.drop_rate=0.2',
        'model.backbone.drop_path_rate=0.3', 'model.cls_head.in_channels=16',
        'model.cls_head.num_classes=4', 'train_dataloader.dataset.num_classes=4',
        'val_dataloader.dataset.num_classes=4', 'train_cfg.val_interval=1',
        # the dataloaders hold copies of the pipelines: override them there
        'train_dataloader.dataset.pipeline.2.clip_len=16',
        'val_dataloader.dataset.pipeline.2.clip_len=16',
    ]
    return options


def train(work_dir: Path, ann_file: Path, max_epochs: int, *extra: str) -> None:
    options = tiny_run_options(ann_file) + [f'train_cfg.max_epochs={max_epochs}']
    run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--seed', '7', '--deterministic',
              *extra, '--cfg-options', *options])


def final_weights(work_dir: Path, epoch: int) -> dict:
    checkpoint = torch.load(work_dir / f'epoch_{epoch}.pth', map_location='cpu', weights_only=True)
    return checkpoint['state_dict']


def test_resume_matches_uninterrupted_run(tmp_path, skeleton3d_pkl):
    train(tmp_path / 'straight', skeleton3d_pkl, 3)
    train(tmp_path / 'resumed', skeleton3d_pkl, 2)
    train(tmp_path / 'resumed', skeleton3d_pkl, 3, '--resume')

    straight = final_weights(tmp_path / 'straight', 3)
    resumed = final_weights(tmp_path / 'resumed', 3)
    assert straight.keys() == resumed.keys()
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key
    # the runs did train: epoch-3 weights differ from epoch 2
    epoch2 = final_weights(tmp_path / 'resumed', 2)
    assert any(not torch.equal(epoch2[key], resumed[key]) for key in resumed)


def test_resume_without_checkpoint_starts_fresh(tmp_path, skeleton3d_pkl):
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', tmp_path, '--resume', '--cfg-options',
                     *tiny_run_options(skeleton3d_pkl), 'train_cfg.max_epochs=1'])
    assert 'no checkpoint in' in proc.stdout
    assert (tmp_path / 'epoch_1.pth').is_file()


def test_resume_from_missing_path_fails_clearly(tmp_path):
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', tmp_path, '--resume',
                     tmp_path / 'nope.pth'], expect_ok=False)
    assert proc.returncode != 0
    assert 'nope.pth: no such checkpoint' in proc.stderr
