"""videomae_to_posetools.py: official and mmaction2 VideoMAE checkpoints into posetools models."""
import argparse
import importlib.util
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
import torch
from mmengine.registry import MODELS, init_default_scope

import posetools  # noqa: F401
from posetools.compat import CheckpointLoadError, load_from_local_weights_only
from tests.helpers import REPO_ROOT, run_tool

TOOL = 'tools/model_converters/videomae_to_posetools.py'


def official_blocks(prefix: str, dims: int, depth: int, make) -> Dict[str, torch.Tensor]:
    """VideoMAE's block names and shapes (modeling_pretrain.py / modeling_finetune.py)."""
    weights = {}
    for index in range(depth):
        block = f'{prefix}blocks.{index}.'
        for name, shape in [('norm1.weight', (dims, )), ('norm1.bias', (dims, )),
                            ('attn.q_bias', (dims, )), ('attn.v_bias', (dims, )),
                            ('attn.qkv.weight', (3 * dims, dims)),
                            ('attn.proj.weight', (dims, dims)), ('attn.proj.bias', (dims, )),
                            ('norm2.weight', (dims, )), ('norm2.bias', (dims, )),
                            ('mlp.fc1.weight', (4 * dims, dims)), ('mlp.fc1.bias', (4 * dims, )),
                            ('mlp.fc2.weight', (dims, 4 * dims)), ('mlp.fc2.bias', (dims, ))]:
            weights[block + name] = make(shape)
    return weights


def official_pretrain(dims: int, depth: int, decoder_dims: int, decoder_depth: int,
                      make=torch.randn) -> Dict[str, torch.Tensor]:
    weights = {'encoder.patch_embed.proj.weight': make((dims, 3, 2, 16, 16)),
               'encoder.patch_embed.proj.bias': make((dims, ))}
    weights.update(official_blocks('encoder.', dims, depth, make))
    weights.update({'encoder.norm.weight': make((dims, )), 'encoder.norm.bias': make((dims, )),
                    'encoder_to_decoder.weight': make((decoder_dims, dims)),
                    'mask_token': make((1, 1, decoder_dims))})
    weights.update(official_blocks('decoder.', decoder_dims, decoder_depth, make))
    weights.update({'decoder.norm.weight': make((decoder_dims, )),
                    'decoder.norm.bias': make((decoder_dims, )),
                    'decoder.head.weight': make((1536, decoder_dims)),
                    'decoder.head.bias': make((1536, ))})
    return weights


def official_finetune(dims: int, depth: int, num_classes: int,
                      make=torch.randn) -> Dict[str, torch.Tensor]:
    weights = {'patch_embed.proj.weight': make((dims, 3, 2, 16, 16)),
               'patch_embed.proj.bias': make((dims, ))}
    weights.update(official_blocks('', dims, depth, make))
    weights.update({'fc_norm.weight': make((dims, )), 'fc_norm.bias': make((dims, )),
                    'head.weight': make((num_classes, dims)), 'head.bias': make((num_classes, ))})
    return weights


def convert(tmp_path: Path, weights: Dict, *options, expect_ok: bool = True):
    src, dst = tmp_path / 'official.pth', tmp_path / 'converted.pth'
    torch.save(dict(model=weights, epoch=799), src)
    proc = run_tool([TOOL, src, dst, *options], expect_ok=expect_ok)
    return proc, (load_from_local_weights_only(dst)['state_dict'] if expect_ok else None)


@pytest.mark.parametrize('config, weights', [
    ('configs/mae/vit_b_k400.py', lambda: official_pretrain(768, 12, 384, 4, torch.zeros)),
    ('configs/mae/vit_b_k400_ft.py', lambda: official_finetune(768, 12, 400, torch.zeros)),
])
def test_vit_b_checkpoints_fill_the_configs_exactly(tmp_path, config, weights):
    """Every official ViT-B tensor has a place in the config's model, and every place is filled."""
    proc, converted = convert(tmp_path, weights(), '--config', config)
    assert 'official-' in proc.stdout
    assert len(converted) == len(weights())


def test_official_pretrain_tensors_land_in_their_modules(tmp_path):
    torch.manual_seed(0)
    official = official_pretrain(64, 2, 32, 1)
    _, converted = convert(tmp_path, official)
    init_default_scope('posetools')
    model = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VideoViT', img_size=32, num_frames=4, embed_dims=64, depth=2,
                      num_heads=4, out_type='tokens'),
        neck=dict(type='MAEDecoder', num_tokens=8, in_dims=64, embed_dims=32, depth=1,
                  num_heads=4),
        head=dict(type='MAEPixelHead'), masker=dict(type='TubeMasker', mask_ratio=0.5)))
    model.load_state_dict(converted, strict=True)
    pairs = [(model.backbone.patch_embed.weight, 'encoder.patch_embed.proj.weight'),
             (model.backbone.blocks[1].attn.q_bias, 'encoder.blocks.1.attn.q_bias'),
             (model.backbone.blocks[1].mlp[2].weight, 'encoder.blocks.1.mlp.fc2.weight'),
             (model.backbone.blocks[0].ln_2.bias, 'encoder.blocks.0.norm2.bias'),
             (model.backbone.norm.weight, 'encoder.norm.weight'),
             (model.neck.decoder_embed.weight, 'encoder_to_decoder.weight'),
             (model.neck.mask_token, 'mask_token'),
             (model.neck.blocks[0].attn.qkv.weight, 'decoder.blocks.0.attn.qkv.weight'),
             (model.neck.pred.bias, 'decoder.head.bias')]
    for param, key in pairs:
        assert torch.equal(param.detach(), official[key]), key


def test_official_finetune_weights_give_mmaction_vision_transformer_outputs(tmp_path):
    """The official fine-tuned model, run by mmaction2's port of it, and ours agree."""
    torch.manual_seed(0)
    official = official_finetune(64, 2, 5)
    official = {key: value * 0.05 if value.dim() > 1 else value * 0.1 + ('weight' in key)
                for key, value in official.items()}  # a well-scaled network
    _, converted = convert(tmp_path, official)
    init_default_scope('posetools')
    common = dict(img_size=32, num_frames=4, embed_dims=64, depth=2, num_heads=4)
    head = dict(type='mmaction.TimeSformerHead', num_classes=5, in_channels=64,
                loss_cls=dict(type='mmaction.CrossEntropyLoss'))
    preprocessor = dict(type='mmaction.ActionDataPreprocessor', format_shape='NCTHW')
    ours = MODELS.build(dict(type='mmaction.Recognizer3D', data_preprocessor=preprocessor,
                             backbone=dict(type='VideoViT', **common), cls_head=head)).eval()
    ours.load_state_dict(converted, strict=True)
    theirs = MODELS.build(dict(type='mmaction.Recognizer3D', data_preprocessor=preprocessor,
                               backbone=dict(type='mmaction.VisionTransformer', **common),
                               cls_head=head)).eval()
    # mmaction2's names for the official ones (its VisionTransformer is a port of VideoMAE's)
    prefixes = {'patch_embed.proj.': 'backbone.patch_embed.projection.',
                'blocks.': 'backbone.blocks.', 'fc_norm.': 'backbone.fc_norm.',
                'head.': 'cls_head.fc_cls.'}
    mmaction_weights = {}
    for key, value in official.items():
        prefix = next(old for old in prefixes if key.startswith(old))
        key = prefixes[prefix] + key[len(prefix):]
        key = key.replace('mlp.fc1.', 'mlp.layers.0.0.').replace('mlp.fc2.', 'mlp.layers.1.')
        mmaction_weights[key] = value
    missing, unexpected = theirs.load_state_dict(mmaction_weights, strict=False)
    assert missing == ['backbone.pos_embed'] and unexpected == []  # the fixed table buffer
    clips = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        difference = ours.cls_head(ours.backbone(clips)) - theirs.cls_head(theirs.backbone(clips))
    assert difference.abs().max() <= 1e-5


@pytest.mark.parametrize('change, message', [
    (lambda w: w.update({'encoder.extra.weight': torch.zeros(2)}),
     r"1 unexpected keys for a official-pretrain checkpoint: \['encoder.extra.weight'\]"),
    (lambda w: w.update({'encoder.pos_embed': torch.randn(1, 8, 64)}),
     'encoder.pos_embed .* is a learned position embedding'),
    (lambda w: w.pop('mask_token'), r"missing keys \['neck.mask_token'\]"),
])
def test_bad_checkpoints_name_the_keys(tmp_path, change, message):
    weights = official_pretrain(64, 2, 32, 1, torch.zeros)
    change(weights)
    config = tmp_path / 'tiny.py'
    config.write_text(
        f"_base_ = ['{REPO_ROOT}/configs/mae/vit_b_k400.py']\n"
        + 'model = dict(backbone=dict(img_size=32, num_frames=4, embed_dims=64, depth=2, '
        'num_heads=4), neck=dict(num_tokens=8, in_dims=64, embed_dims=32, depth=1, '
        'num_heads=4))\n')
    proc, _ = convert(tmp_path, weights, '--config', config, expect_ok=False)
    assert proc.returncode == 1
    assert 'official.pth: ' in proc.stderr
    assert re.search(message, proc.stderr), proc.stderr


def converter_module():
    spec = importlib.util.spec_from_file_location('videomae_to_posetools', REPO_ROOT / TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_official_checkpoint_with_its_argparse_args_converts(tmp_path, monkeypatch, capsys):
    """Official VideoMAE checkpoints hold their training args (argparse.Namespace): allowed
    for this file only (in this process: the CLI is run by the other tests)."""
    weights = official_pretrain(64, 2, 32, 1, torch.zeros)
    src, dst = tmp_path / 'official.pth', tmp_path / 'converted.pth'
    torch.save(dict(model=weights, args=argparse.Namespace(model='vit_b')), src)
    monkeypatch.setattr(sys, 'argv', [TOOL, str(src), str(dst)])
    assert converter_module().main() == 0
    assert 'official-pretrain' in capsys.readouterr().out
    assert len(load_from_local_weights_only(dst)['state_dict']) == len(weights)


class RunsACommand:
    """Pickles as a call of ``os.system``; only ever pickled here (the command does nothing)."""

    def __reduce__(self):
        return os.system, ('true', )


def write_checkpoints(folder: Path) -> Dict[str, Path]:
    """A checkpoint of random bytes, a truncated real one and a malicious pickle."""
    paths = {name: folder / f'{name}.pth' for name in ('random', 'truncated', 'malicious')}
    paths['random'].write_bytes(np.random.default_rng(0).integers(0, 256, 4096,
                                                                  np.uint8).tobytes())
    torch.save(dict(model=official_pretrain(64, 2, 32, 1, torch.zeros)), paths['truncated'])
    data = paths['truncated'].read_bytes()
    paths['truncated'].write_bytes(data[:len(data) // 2])
    paths['malicious'].write_bytes(pickle.dumps(dict(model={}, hook=RunsACommand()),
                                                protocol=2))
    return paths


@pytest.mark.parametrize('name, problem', [
    ('random', ' is not a torch checkpoint, or is truncated or corrupt (Unsupported operand'),
    ('truncated', ' is truncated or corrupt (RuntimeError: PytorchStreamReader'),
    ('malicious', ': refused to load: it holds posix.system, outside the allow-list'),
])
def test_converter_loads_through_the_one_safe_loader(tmp_path, name, problem):
    """Issue 14, item 2: the converter's reads are posetools' loader's, errors and all."""
    src = write_checkpoints(tmp_path)[name]
    with pytest.raises(CheckpointLoadError) as error:
        converter_module().load(src)
    assert str(error.value).startswith(f'{src}{problem}'), error.value
    assert 'weights_only` set to `False' not in str(error.value)


def test_unloadable_checkpoint_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    """Not a torch traceback without the file name: the CLI on a malicious file, main() on a
    missing one."""
    src = write_checkpoints(tmp_path)['malicious']
    proc = run_tool([TOOL, src, tmp_path / 'out.pth'], expect_ok=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: {src}: refused to load: it holds posix.system, outside the allow-list of '
        'weights_only loading (posetools never loads a checkpoint with weights_only=False)')
    missing = tmp_path / 'missing.pth'
    monkeypatch.setattr(sys, 'argv', [TOOL, str(missing), str(tmp_path / 'out.pth')])
    assert converter_module().main() == 1
    assert capsys.readouterr().err == f'error: {missing} can not be found.\n'
    assert not (tmp_path / 'out.pth').exists()
