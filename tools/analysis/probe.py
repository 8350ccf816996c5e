"""k-NN and linear probes of a video encoder's frozen features on a labelled video config.

    python tools/analysis/probe.py configs/mae/vit_synth_ft.py work_dirs/vit_synth/epoch_40.pth
    python tools/analysis/probe.py configs/mae/vit_synth_ft.py random      # untrained encoder
    python tools/analysis/probe.py CONFIG CKPT --out probe.json --k 20

CONFIG is a classification config whose ``model.backbone`` is the encoder (e.g.
``VideoViT``) and whose ``train_dataloader`` / ``val_dataloader`` datasets are labelled; both
splits go through the val pipeline (no augmentation). CHECKPOINT is a pretraining or a
fine-tuning checkpoint (its ``backbone.*`` weights are loaded, every one must fit) or
``random`` for the encoder's own initialisation. The feature of a clip is the mean of the
encoder's tokens after its last norm (``norm`` of a pretraining encoder, ``fc_norm`` after the
mean of a fine-tuned one), averaged over the clips the val pipeline samples.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader
from tqdm import tqdm

from posetools.compat import load_from_local_weights_only
from posetools.evaluation.probes import knn_top1, linear_probe_top1
from posetools.registry import DATASETS, MODELS


def parse_args(argv=None) -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='labelled video classification config')
    parser.add_argument('checkpoint', help="checkpoint with backbone.* weights, or 'random'")
    parser.add_argument('--k', type=int, default=20, help='k-NN neighbours (default 20)')
    parser.add_argument('--seed', type=int, default=0,
                        help="seed of the 'random' encoder's initialisation")
    parser.add_argument('--out', help='also write the results to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. train_dataloader.dataset.ann_file=...')
    return parser.parse_args(argv)


def build_encoder(cfg: Config, checkpoint: str, seed: int) -> torch.nn.Module:
    """The config's backbone with the checkpoint's ``backbone.*`` weights, in eval mode.

    Args:
        cfg: The config (``model.backbone`` is built without its ``init_cfg``).
        checkpoint: A checkpoint path, or ``'random'`` for the backbone's own init.
        seed: Seed of torch's generator before a ``'random'`` init.

    Returns:
        The encoder, ``out_type='avg'`` if the checkpoint holds ``fc_norm`` (fine-tuned),
        else ``'tokens'`` (pretrained or random).
    """
    backbone_cfg = cfg.model.backbone.copy()
    backbone_cfg.pop('init_cfg', None)
    if checkpoint == 'random':
        torch.manual_seed(seed)
        backbone_cfg['out_type'] = 'tokens'
        encoder = MODELS.build(backbone_cfg)
        encoder.init_weights()
        return encoder.eval()
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'{checkpoint}: no such checkpoint')
    state = load_from_local_weights_only(checkpoint, map_location='cpu')
    state = state.get('state_dict', state)
    weights = {key[len('backbone.'):]: value for key, value in state.items()
               if key.startswith('backbone.')}
    if not weights:
        raise ValueError(f'{checkpoint}: no backbone.* weights (keys start with '
                         f'{sorted({key.split(".")[0] for key in state})})')
    backbone_cfg['out_type'] = 'avg' if 'fc_norm.weight' in weights else 'tokens'
    encoder = MODELS.build(backbone_cfg)
    own = encoder.state_dict()
    problems = [f'missing {sorted(set(own) - set(weights))}',
                f'unexpected {sorted(set(weights) - set(own))}',
                'mis-shaped ' + str([f'{key} {tuple(weights[key].shape)} != '
                                     f'{tuple(own[key].shape)}' for key in own
                                     if key in weights and weights[key].shape != own[key].shape])]
    if any(not problem.endswith('[]') for problem in problems):
        raise ValueError(f'{checkpoint}: the backbone.* weights do not fit the config\'s '
                         f'{backbone_cfg["type"]}: ' + '; '.join(problems))
    encoder.load_state_dict(weights)
    return encoder.eval()


@torch.no_grad()
def extract_features(cfg: Config, split: str, encoder: torch.nn.Module,
                     preprocessor: torch.nn.Module) -> Tuple[torch.Tensor, torch.Tensor]:
    """(N, D) features and (N, ) labels of a split through the val pipeline.

    Args:
        cfg: The config.
        split: ``'train'`` or ``'val'`` (which dataloader's dataset).
        encoder: The frozen encoder.
        preprocessor: The model's data preprocessor (normalises the clips).
    """
    dataset_cfg = cfg[f'{split}_dataloader'].dataset.copy()
    dataset_cfg.update(pipeline=cfg.val_dataloader.dataset.pipeline, test_mode=True)
    dataset = DATASETS.build(dataset_cfg)
    loader = DataLoader(dataset, batch_size=16, shuffle=False, collate_fn=pseudo_collate)
    feats, labels = [], []
    for batch in tqdm(loader, desc=f'features of {split} ({len(dataset)} videos)',
                      unit='batch', file=sys.stdout, disable=None):
        data = preprocessor(batch, training=False)
        clips = data['inputs']  # (N, clips, C, T, H, W)
        tokens = encoder(clips.flatten(0, 1))  # (N * clips, L, D) or (N * clips, D)
        feat = tokens if tokens.dim() == 2 else tokens.mean(dim=1)
        feats.append(feat.reshape(clips.shape[0], clips.shape[1], -1).mean(dim=1))
        labels.extend(int(sample.gt_label) for sample in data['data_samples'])
    return torch.cat(feats), torch.tensor(labels)


def probe(cfg: Config, checkpoint: str, k: int = 20, seed: int = 0) -> Dict[str, float]:
    """k-NN and linear-probe top-1 on the val split with features of the train split.

    Returns:
        ``{'knn_top1': ..., 'linear_top1': ...}`` (shares in [0, 1]).
    """
    init_default_scope(cfg.get('default_scope', 'posetools'))
    encoder = build_encoder(cfg, checkpoint, seed)
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    train = extract_features(cfg, 'train', encoder, preprocessor)
    val = extract_features(cfg, 'val', encoder, preprocessor)
    return dict(knn_top1=knn_top1(*train, *val, k=k),
                linear_top1=linear_probe_top1(*train, *val))


def main(argv=None) -> Dict[str, float]:
    """Run the probes and print (and optionally write) the results."""
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise SystemExit(f'{args.config}: no such config')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    results = probe(cfg, args.checkpoint, k=args.k, seed=args.seed)
    print(f'{args.checkpoint}: k-NN (k={args.k}) top-1 {results["knn_top1"]:.4f}, '
          f'linear top-1 {results["linear_top1"]:.4f}')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w', encoding='utf-8') as file:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint, k=args.k,
                           **results), file, indent=2)
    return results


if __name__ == '__main__':
    main()
