"""Renaming VideoMAE checkpoints (official MCG-NJU/VideoMAE, mmaction2 ``vit_mae``) for posetools.

Official pretraining (``encoder.*``, ``decoder.*``, ``encoder_to_decoder``, ``mask_token``)
becomes ``VideoMAE`` (``backbone.*`` with the encoder ``norm``, ``neck.*``); official
fine-tuning (``patch_embed.*``, ``blocks.*``, ``fc_norm``, ``head``) and mmaction2's
``VisionTransformer`` (``backbone.patch_embed.projection``, FFN ``mlp.layers``,
``cls_head.fc_cls``) become ``mmaction.Recognizer3D`` with ``VideoViT`` and
``mmaction.TimeSformerHead``. VideoMAE's fixed sine-cosine position table is rebuilt, not
stored: a stored table is checked against it and a learned one is refused.
"""
from typing import Dict, Tuple

import torch

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
                          'backbone.patch_embed.projection.* keys '
                          f'(first keys: {sorted(keys)[:8]})')


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
