"""MaskVisualizationHook: every `interval` iterations it draws the mask the training step
used, for the first clip of the batch, with the saliency that directed it, and logs it to the
visualizer; it draws no random numbers."""
import random
import uuid
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from PIL import Image
from torch.utils.data import Dataset

from posetools.engine import MaskVisualizationHook
from posetools.engine import mask_visualization_hook as hook_module
from posetools.models.maskers import motion_saliency
from posetools.registry import MODELS

GRID = (4, 4, 4)  # 8 frames of 32 x 32 in 2 x 8 x 8 tubelets


def tiny_mae(masker: dict) -> torch.nn.Module:
    """A one-block VideoMAE on 8 x 32 x 32 clips."""
    init_default_scope('posetools')
    return MODELS.build(dict(
        type='VideoMAE',
        data_preprocessor=dict(type='mmaction.ActionDataPreprocessor', mean=[120.] * 3,
                               std=[60.] * 3, format_shape='NCTHW'),
        backbone=dict(type='VideoViT', img_size=32, patch_size=8, tubelet_size=2,
                      num_frames=8, embed_dims=16, depth=1, num_heads=2, out_type='tokens'),
        neck=dict(type='MAEDecoder', num_tokens=64, in_dims=16, embed_dims=16, depth=1,
                  num_heads=2, out_dims=2 * 8 * 8 * 3),
        head=dict(type='MAEPixelHead', patch_size=8, tubelet_size=2, norm_pix=False),
        masker=masker))


def sample(index: int, saliency: bool) -> dict:
    """A packed sample: a (1, 3, 8, 32, 32) uint8 clip, with a saliency if asked."""
    rng = np.random.default_rng(index)
    data_sample = ActionDataSample()
    if saliency:
        data_sample.set_metainfo(dict(saliency=rng.random(GRID).astype(np.float32)))
    return dict(inputs=torch.from_numpy(rng.integers(0, 256, (1, 3, 8, 32, 32), np.uint8)),
                data_samples=data_sample)


def train_forward(model: torch.nn.Module, batch: dict) -> None:
    """The masking part of a training step: the model draws and keeps its mask."""
    model.train()
    model(**model.data_preprocessor(batch, True), mode='loss')


class RecordingVisualizer:
    """Keeps what add_image gets."""

    def __init__(self) -> None:
        self.images = []

    def add_image(self, name: str, image: np.ndarray, step: int = 0) -> None:
        self.images.append((name, image, step))


@pytest.mark.parametrize('masker', ['DirectedMasker', 'MotionMasker', 'TubeMasker'])
def test_logs_the_steps_mask_every_interval_without_random_draws(monkeypatch, masker):
    model = tiny_mae(dict(type=masker, mask_ratio=0.75))
    drawn = []
    monkeypatch.setattr(hook_module, 'mask_figure',
                        lambda *args, **kwargs: drawn.append((args, kwargs)) or
                        np.zeros((4, 4, 3), np.uint8))
    hook = MaskVisualizationHook(interval=3)
    runner = SimpleNamespace(model=model, iter=0, visualizer=RecordingVisualizer())
    hook.before_train(runner)
    batches = []
    for it in range(7):
        batch = [sample(2 * it + k, saliency=masker == 'DirectedMasker') for k in range(2)]
        batch = dict(inputs=[s['inputs'] for s in batch],
                     data_samples=[s['data_samples'] for s in batch])
        train_forward(model, batch)
        runner.iter = it
        states = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
        hook.after_train_iter(runner, it, batch)
        assert torch.equal(torch.get_rng_state(), states[0])
        assert (np.random.get_state()[1] == states[1]).all() and random.getstate() == states[2]
        if (it + 1) % 3 == 0:
            batches.append((batch, model.last_mask.clone()))
    assert [(name, step) for name, _, step in runner.visualizer.images] == [('masks', 3),
                                                                          ('masks', 6)]
    assert len(drawn) == 2
    for (args, kwargs), (batch, mask), step in zip(drawn, batches, (3, 6)):
        frames, shown_mask, saliency = args
        assert (frames == batch['inputs'][0][0].permute(1, 2, 3, 0).numpy()).all()
        assert (shown_mask == mask[0].view(GRID).numpy()).all()
        if masker == 'DirectedMasker':
            assert (saliency == batch['data_samples'][0].saliency).all()
        elif masker == 'MotionMasker':
            videos = (batch['inputs'][0].float() - 120.) / 60.
            assert np.allclose(saliency, motion_saliency(videos, GRID)[0].numpy())
        else:
            assert saliency is None
        assert kwargs['title'].startswith(f'training iteration {step}:')


def test_refuses_a_model_without_masks_and_a_bad_interval():
    with pytest.raises(TypeError, match='masker, last_mask'):
        MaskVisualizationHook().before_train(SimpleNamespace(model=torch.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match='interval must be >= 1'):
        MaskVisualizationHook(interval=0)


class ClipDataset(Dataset):
    """Packed 8 x 32 x 32 clips with a saliency."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> dict:
        return sample(index, saliency=True)


def test_a_training_run_writes_the_pictures(tmp_path):
    runner = Runner(
        model=tiny_mae(dict(type='DirectedMasker', mask_ratio=0.75, alpha=1.)),
        work_dir=str(tmp_path),
        experiment_name=uuid.uuid4().hex,
        train_dataloader=dict(dataset=ClipDataset(), batch_size=2, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=False),
                              collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(by_epoch=False, max_iters=4),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        custom_hooks=[dict(type='MaskVisualizationHook', interval=2)],
        default_hooks=dict(checkpoint=None),
        visualizer=dict(type='Visualizer', name=uuid.uuid4().hex,
                        vis_backends=[dict(type='LocalVisBackend')]),
        default_scope='posetools',
        randomness=dict(seed=0))
    runner.train()
    written = sorted(path.name for path in tmp_path.rglob('vis_image/*.png'))
    assert written == ['masks_2.png', 'masks_4.png']
    with Image.open(next(tmp_path.rglob('masks_4.png'))) as image:
        assert image.mode == 'RGB' and min(image.size) > 300
