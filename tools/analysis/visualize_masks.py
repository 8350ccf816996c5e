"""Draw a config's token mask on one training clip: a PNG grid and a GIF.

Takes sample ``--index`` of the config's train dataset through its pipeline, normalises it
with the model's data preprocessor, draws a mask with ``model.masker`` (given the sample's
saliency, if the pipeline makes one, and the clip) and writes into ``--out`` (by default
``work_dirs/visualize_masks/<recipe folder>_<config name>/``) ``sample<N>_<masker>.png``: rows
of the frames (with the keypoints and boxes the pipeline moved with them, if any), the
masked tokens greyed, the visible tokens only and the saliency; and ``sample<N>_<masker>.gif``:
the clip with its mask (and saliency) side by side.

Example:
    python tools/analysis/visualize_masks.py configs/mae/vit_synth.py --index 3
    python tools/analysis/visualize_masks.py configs/mae/vit_synth.py \\
        --cfg-options model.masker.type=RandomMasker
"""
import argparse
import os.path as osp
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.runner import set_random_seed
from PIL import Image

from posetools.registry import MASKERS
from posetools.visualization import (clip_frames, directing_saliency, first_clip_inputs,
                                     mask_animation, mask_figure, saliency_label, save_gif)

PEOPLE_KEYS = ('keypoint', 'keypoint_score', 'gt_bboxes')
"""Pipeline results drawn on the frames: the last value each had before packing."""


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a video config with model.masker')
    parser.add_argument('--index', type=int, default=0, help='sample of the train dataset')
    parser.add_argument('--out', help='output folder (default: '
                        'work_dirs/visualize_masks/<recipe folder>_<config name>)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the augmentations and of a masker without its own')
    parser.add_argument('--fps', type=float, default=4., help='GIF frames per second')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries, e.g. model.masker.type=RandomMasker')
    return parser.parse_args(argv)


def load_sample(dataset_cfg: ConfigDict,
                index: int) -> Tuple[Dict, Dict[str, np.ndarray], str]:
    """Sample ``index`` of a dataset through its pipeline, one transform at a time.

    Returns:
        The packed results (``inputs`` (clips, C, T, H, W), ``data_samples``); of
        :data:`PEOPLE_KEYS`, the last value each had in the results (the poses after the
        geometric transforms; ``PoseSaliency`` drops the boxes once it has used them); and
        the sample's file name.
    """
    while 'dataset' in dataset_cfg:  # RepeatDataset and other wrappers
        dataset_cfg = dataset_cfg['dataset']
    dataset = DATASETS.build(dataset_cfg)
    if not 0 <= index < len(dataset):
        raise SystemExit(f'--index {index}: the train dataset has {len(dataset)} samples')
    results = dataset.get_data_info(index)
    name = osp.basename(results.get('filename', f'sample {index}'))
    people = {}
    for transform in dataset.pipeline.transforms:
        results = transform(results)
        if results is None:
            raise SystemExit(f'sample {index}: {transform.__class__.__name__} dropped it')
        people.update({key: np.asarray(results[key]) for key in PEOPLE_KEYS if key in results})
    if 'inputs' not in results or results['inputs'].dim() != 5:
        raise SystemExit(f'sample {index}: the pipeline does not pack (clips, C, T, H, W) '
                         "clips (end it with FormatShape('NCTHW') and PackActionInputs)")
    return results, people, name


def draw_mask(cfg: Config, packed: Dict) -> Tuple[torch.Tensor, Optional[torch.Tensor], object]:
    """The masker's mask of the sample's first clip, and the saliency to show with it.

    Returns:
        The (T', H', W') bool mask, the (T', H', W') saliency or None, and the masker.
    """
    with torch.device('meta'):  # only its token grid is needed: no weights
        grid_size = tuple(MODELS.build(cfg.model.backbone).grid_size)
    videos, saliency = first_clip_inputs(MODELS.build(cfg.model.data_preprocessor),
                                         packed['inputs'], packed['data_samples'], grid_size)
    try:
        masker = MASKERS.build(cfg.model.masker)
        mask = masker(1, grid_size, videos.device, saliency=saliency, videos=videos)
        shown = directing_saliency(masker, saliency, videos, grid_size)
    except ValueError as error:  # e.g. a directed masker without a saliency in the pipeline
        raise SystemExit(f"model.masker {cfg.model.masker['type']}: {error}") from error
    return (mask.view(grid_size), None if shown is None else shown[0].float(), masker)


def default_out_dir(config: str) -> str:
    """``work_dirs/visualize_masks/<recipe folder>_<config name>``: configs/mae/vit_synth.py and
    configs/dmae/vit_synth.py get their own folders."""
    folder = osp.basename(osp.dirname(osp.abspath(config)))
    return osp.join('work_dirs', 'visualize_masks',
                    f'{folder}_{osp.splitext(osp.basename(config))[0]}')

def main(argv: Optional[Sequence[str]] = None) -> List[Path]:
    """Write the PNG and the GIF; print and return their paths."""
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise SystemExit(f'{args.config}: no such config')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    if not cfg.get('model', {}).get('masker'):
        raise SystemExit(f'{args.config}: the config has no model.masker (not a masked-'
                         'autoencoder config), so there is no mask to draw')
    init_default_scope(cfg.get('default_scope', 'posetools'))
    set_random_seed(args.seed)
    packed, people, name = load_sample(cfg.train_dataloader.dataset, args.index)
    mask, saliency, masker = draw_mask(cfg, packed)
    frames = clip_frames(packed['inputs'][0])  # (T, H, W, 3)
    num_frames = len(frames)
    keypoints = people.get('keypoint')
    keypoints = None if keypoints is None else keypoints[:, :num_frames]
    scores = people.get('keypoint_score')
    scores = None if scores is None or keypoints is None else scores[:, :num_frames]
    boxes = people.get('gt_bboxes')
    boxes = None if boxes is None or boxes.ndim != 3 else boxes[:, :num_frames]
    saliency = None if saliency is None else saliency.numpy()
    figure = mask_figure(
        frames, mask.numpy(), saliency, keypoints, scores, boxes,
        title=f'{args.config}: train sample {args.index} ({name})\n{masker!r}',
        saliency_label=saliency_label(masker))
    out_dir = Path(args.out or default_out_dir(args.config))
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f'sample{args.index}_{masker.__class__.__name__}'
    Image.fromarray(figure).save(stem.with_suffix('.png'))
    save_gif(stem.with_suffix('.gif'),
             mask_animation(frames, mask.numpy(), saliency, keypoints, scores), args.fps)
    paths = [stem.with_suffix('.png'), stem.with_suffix('.gif')]
    for path in paths:
        print(f'wrote {path}')
    return paths


if __name__ == '__main__':
    main()
