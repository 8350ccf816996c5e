"""Convert VideoMAE checkpoints (official MCG-NJU/VideoMAE or mmaction2 ``vit_mae``) for posetools.

    python tools/model_converters/videomae_to_posetools.py IN.pth OUT.pth [--config CONFIG]

Recognised inputs (the state dict may sit under ``model``, ``module`` or ``state_dict``):

- official pretraining: ``encoder.*``, ``decoder.*``, ``encoder_to_decoder``, ``mask_token``
  -> ``VideoMAE`` (``backbone.*`` with the encoder ``norm``, ``neck.*``);
- official fine-tuning: ``patch_embed.*``, ``blocks.*``, ``fc_norm``, ``head`` ->
  ``mmaction.Recognizer3D`` with ``VideoViT`` + ``mmaction.TimeSformerHead``;
- mmaction2 ``VisionTransformer`` (``backbone.patch_embed.projection``, FFN ``mlp.layers``,
  ``cls_head.fc_cls``) -> the same recogniser.

VideoMAE's fixed sine-cosine position table is not a weight in posetools (it is rebuilt);
a stored table is checked against it, and a learned one is refused. Every input key must
be mapped; with ``--config`` the result must also load into the config's model with no
missing or unexpected keys. Problems are reported with the keys' names.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

import posetools  # noqa: F401  (registers posetools modules)
from posetools.models.layers import sinusoid_table

BLOCK_RENAMES = (('.norm1.', '.ln_1.'), ('.norm2.', '.ln_2.'), ('.mlp.fc1.', '.mlp.0.'),
                 ('.mlp.fc2.', '.mlp.2.'), ('.mlp.layers.0.0.', '.mlp.0.'),
                 ('.mlp.layers.1.', '.mlp.2.'), ('.gamma_1', '.ls_1'), ('.gamma_2', '.ls_2'))
PREFIXES = {  # source format -> (source prefix, posetools prefix), first match wins
    'official-pretrain': (('encoder.patch_embed.proj.', 'backbone.patch_embed.'),
                          ('encoder.blocks.', 'backbone.blocks.'),
                          ('encoder.norm.', 'backbone.norm.'),
                          ('encoder_to_decoder.', 'neck.decoder_embed.'),
                          ('mask_token', 'neck.mask_token'),
                          ('decoder.blocks.', 'neck.blocks.'),
                          ('decoder.norm.', 'neck.norm.'),
                          ('decoder.head.', 'neck.pred.')),
    'official-finetune': (('patch_embed.proj.', 'backbone.patch_embed.'),
                          ('blocks.', 'backbone.blocks.'), ('norm.', 'backbone.norm.'),
                          ('fc_norm.', 'backbone.fc_norm.'), ('head.', 'cls_head.fc_cls.')),
    'mmaction2': (('backbone.patch_embed.projection.', 'backbone.patch_embed.'),
                  ('backbone.blocks.', 'backbone.blocks.'), ('backbone.norm.', 'backbone.norm.'),
                  ('backbone.fc_norm.', 'backbone.fc_norm.'), ('cls_head.', 'cls_head.')),
}
FIXED_TABLES = {'pos_embed', 'encoder.pos_embed', 'backbone.pos_embed'}


class ConversionError(ValueError):
    """The checkpoint cannot be converted; the message names the keys."""


def unwrap(checkpoint: Dict) -> Dict[str, torch.Tensor]:
    """The state dict inside a checkpoint (``model``, ``module``, ``state_dict`` or itself)."""
    for key in ('model', 'module', 'state_dict'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def source_format(state_dict: Dict[str, torch.Tensor]) -> str:
    """``official-pretrain``, ``official-finetune`` or ``mmaction2``."""
    keys = set(state_dict)
    if any(key.startswith('encoder.') for key in keys):
        return 'official-pretrain'
    if any(key.startswith('backbone.patch_embed.projection.') for key in keys):
        return 'mmaction2'
    if any(key.startswith('patch_embed.proj.') for key in keys):
        return 'official-finetune'
    raise ConversionError('not a VideoMAE checkpoint: no encoder.*, patch_embed.proj.* or '
                          f'backbone.patch_embed.projection.* keys (first keys: {sorted(keys)[:8]})')


def check_fixed_table(key: str, table: torch.Tensor) -> None:
    """A stored position table must be VideoMAE's fixed sine-cosine one."""
    tokens, dims = table.shape[-2:]
    if not torch.allclose(table.float().reshape(1, tokens, dims), sinusoid_table(tokens, dims),
                          atol=1e-5):
        raise ConversionError(f'{key} {tuple(table.shape)} is a learned position embedding, not '
                              "VideoMAE's fixed sine-cosine table: posetools' VideoViT "
                              "(pos_embed_type='sincos') cannot hold it")


def convert(state_dict: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], str]:
    """posetools state dict of a VideoMAE state dict, and the detected source format."""
    fmt = source_format(state_dict)
    converted, unmapped = {}, []
    for key, value in state_dict.items():
        if key in FIXED_TABLES:
            check_fixed_table(key, value)
            continue
        for old, new in PREFIXES[fmt]:
            if key.startswith(old):
                name = new + key[len(old):]
                for block_old, block_new in BLOCK_RENAMES:
                    name = name.replace(block_old, block_new)
                converted[name] = value
                break
        else:
            unmapped.append(key)
    if unmapped:
        raise ConversionError(f'{len(unmapped)} unexpected keys for a {fmt} checkpoint: '
                              f'{unmapped}')
    return converted, fmt


def check_against_config(state_dict: Dict[str, torch.Tensor], config: str) -> None:
    """The converted weights must fill the config's model exactly (names and shapes)."""
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'posetools'))
    expected = MODELS.build(cfg.model).state_dict()  # nothing is loaded before init_weights
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    wrong = [f'{key}: {tuple(state_dict[key].shape)} vs {tuple(expected[key].shape)}'
             for key in sorted(set(expected) & set(state_dict))
             if state_dict[key].shape != expected[key].shape]
    problems: List[str] = []
    if missing:
        problems.append(f'missing keys {missing}')
    if unexpected:
        problems.append(f'unexpected keys {unexpected}')
    if wrong:
        problems.append(f'shape mismatches {wrong}')
    if problems:
        raise ConversionError(f'converted weights do not fit {config}: ' + '; '.join(problems))


def load(path: Path) -> Dict:
    """Load with ``weights_only``; official checkpoints may also hold their argparse args."""
    if not path.is_file():
        raise FileNotFoundError(f'{path}: checkpoint not found')
    with torch.serialization.safe_globals([argparse.Namespace]):
        return torch.load(str(path), map_location='cpu', weights_only=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', type=Path, help='official VideoMAE or mmaction2 checkpoint')
    parser.add_argument('dst', type=Path, help='posetools checkpoint to write')
    parser.add_argument('--config', help='check that the result fits this config exactly')
    args = parser.parse_args()
    try:
        state_dict, fmt = convert(unwrap(load(args.src)))
        if args.config:
            check_against_config(state_dict, args.config)
    except ConversionError as error:
        print(f'{args.src}: {error}', file=sys.stderr)
        return 1
    args.dst.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(state_dict=state_dict, meta=dict(converted_from=str(args.src),
                                                     source_format=fmt)), str(args.dst))
    print(f'{args.src} ({fmt}, {len(state_dict)} tensors) -> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
