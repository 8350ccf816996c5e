"""`tools/dist_train.sh` trains one model with 2 CPU processes (torchrun + gloo)."""
import os
import subprocess
import sys
from pathlib import Path

import torch

from tests.helpers import REPO_ROOT

TINY_DDP_CONFIG = """
_base_ = ['{repo}/configs/skeleton_transformer/stt_ntu60_xsub.py']
custom_imports = dict(imports=['tests.tools.rank_weights_hook'], allow_failed_imports=False)
custom_hooks = [dict(type='RNGStateHook'), dict(type='SaveRankWeightsHook')]
model = dict(
    backbone=dict(num_frames=16, embed_dims=16, depth=1, num_heads=2, drop_path_rate=0.3),
    cls_head=dict(num_classes=4, in_channels=16))
loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, dataset=dict(ann_file='{ann}', num_classes=4))
val_dataloader = dict(**loader, dataset=dict(ann_file='{ann}', num_classes=4))
train_cfg = dict(max_epochs=2, val_interval=1)
"""


def test_two_cpu_processes_train_one_model(tmp_path, skeleton3d_pkl):
    config = tmp_path / 'tiny_ddp.py'
    config.write_text(TINY_DDP_CONFIG.format(repo=REPO_ROOT, ann=skeleton3d_pkl))
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir', str(tmp_path / 'wd'),
         '--seed', '3', '--cfg-options', 'train_dataloader.dataset.pipeline.2.clip_len=16',
         'val_dataloader.dataset.pipeline.2.clip_len=16'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHON=sys.executable))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]

    rank0 = torch.load(tmp_path / 'wd' / 'rank0_weights.pth', weights_only=True)
    rank1 = torch.load(tmp_path / 'wd' / 'rank1_weights.pth', weights_only=True)
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), key
    log = next(Path(tmp_path / 'wd').glob('*/*.log')).read_text()
    assert 'Distributed launcher: pytorch' in log
    # 6 training samples split over 2 ranks at batch 2: 2 iterations per epoch (3 on one
    # process), logged once, by rank 0
    assert log.count('Epoch(train) [2][2/2]') == 1
