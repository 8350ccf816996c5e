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
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

import posetools  # noqa: F401  (registers posetools modules)
from posetools.compat import CheckpointLoadError, load_from_local_weights_only
from posetools.models.videomae_checkpoint import ConversionError, convert, unwrap


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
    """Load with posetools' one checkpoint loader (``weights_only``, errors naming the file);
    official checkpoints may also hold their argparse args.

    Raises:
        FileNotFoundError: No such file.
        CheckpointLoadError: Not a torch checkpoint, truncated or corrupt, or holding objects
            outside the allow-list (named).
    """
    return load_from_local_weights_only(str(path), map_location='cpu',
                                        extra_safe_globals=[argparse.Namespace])


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
    except (FileNotFoundError, CheckpointLoadError) as error:  # the message names the file
        print(f'error: {error}', file=sys.stderr)
        return 1
    args.dst.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(state_dict=state_dict, meta=dict(converted_from=str(args.src),
                                                     source_format=fmt)), str(args.dst))
    print(f'{args.src} ({fmt}, {len(state_dict)} tensors) -> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
