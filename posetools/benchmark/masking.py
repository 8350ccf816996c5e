"""``benchmark.py masking``: each masker's time per batch as a share of the train step it is
part of, and PoseSaliency's time per sample as a share of its pipeline."""
import argparse
import copy
import tempfile

import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DATASETS, MODELS, init_default_scope

from posetools.benchmark.timer import seconds_per_sample, time_calls
from posetools.datasets.synth import SynthActionGenerator, write_video_dataset
from posetools.registry import MASKERS

__all__ = ['MASKERS_TIMED', 'add_parser', 'run']

MASKERS_TIMED = {
    'tube': dict(type='TubeMasker', mask_ratio=0.9),
    'random': dict(type='RandomMasker', mask_ratio=0.9),
    'directed': dict(type='DirectedMasker', mask_ratio=0.9, alpha=0.8),
    'directed, tubes + background': dict(type='DirectedMasker', mask_ratio=0.9, alpha=0.8,
                                         mode='keep_salient', tube=True,
                                         min_background_visible=0.2),
    'motion': dict(type='MotionMasker', mask_ratio=0.9, alpha=0.8),
    'running cell 0.75': dict(type='RunningCellMasker', mask_ratio=0.75),
}


def run(args: argparse.Namespace) -> None:
    """Each masker's time per batch next to a train step; PoseSaliency next to the pipeline."""
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'posetools'))
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    with tempfile.TemporaryDirectory() as tmp:
        if args.data_root is None:  # a small SynthAction set, the synth configs' data
            write_video_dataset(SynthActionGenerator(num_samples=args.samples, seed=args.seed),
                                tmp)
        root = args.data_root or tmp
        dataset_cfg.update(ann_file=f'{root}/synth_videos_xsub_train.txt',
                           data_prefix=dict(video=f'{root}/videos'),
                           pose_file=f'{root}/synth_videos.pkl')
        dataset = DATASETS.build(dataset_cfg)
        infos = [dataset.get_data_info(i) for i in range(min(len(dataset), args.samples))]
        transforms = dataset.pipeline.transforms
        cut = next(i for i, t in enumerate(transforms) if type(t).__name__ == 'PoseSaliency')
        before = Compose(transforms[:cut])
        whole = seconds_per_sample(dataset.pipeline, infos, repeats=2)
        inputs = [before(copy.deepcopy(info)) for info in infos]
        saliency = seconds_per_sample(transforms[cut], inputs, repeats=2)
        torch.manual_seed(args.seed)
        model = MODELS.build(cfg.model)
        model.init_weights()
        optim_wrapper = build_optim_wrapper(model.train(), cfg.optim_wrapper)
        batch = pseudo_collate([dataset[i % len(dataset)] for i in range(args.batch_size)])
        device = next(model.parameters()).device
        step = 1e3 * time_calls(lambda _: model.train_step(batch, optim_wrapper), args.steps,
                                device=device).seconds
        data = model.data_preprocessor(batch, training=True)
        clips = data['inputs'].flatten(0, 1) if data['inputs'].dim() == 6 else data['inputs']
        grid = model.backbone.grid_size
        salient = model.saliency(data['data_samples'], grid)
    print(f'{args.config}: batch {args.batch_size}, token grid {grid}, '
          f'{torch.get_num_threads()} torch threads, {len(infos)} SynthAction clips')
    print(f'| {"masker":<30} | {"ms per batch":>12} | {"share of a train step":>21} |')
    print(f'| {"-" * 30} | {"-" * 12}:| {"-" * 21}:|')
    for name, masker_cfg in MASKERS_TIMED.items():
        masker = MASKERS.build(masker_cfg)
        time_ms = 1e3 * time_calls(
            lambda _: masker(len(clips), grid, clips.device, saliency=salient, videos=clips),
            args.repeats, device=clips.device).seconds
        print(f'| {name:<30} | {time_ms:12.3f} | {100 * time_ms / step:20.2f}% |')
    print(f'| {"train step (reference)":<30} | {step:12.1f} | {"100.00%":>21} |')
    print(f'\n| {"per sample":<30} | {"ms":>12} | {"share of the pipeline":>21} |')
    print(f'| {"-" * 30} | {"-" * 12}:| {"-" * 21}:|')
    print(f'| {"PoseSaliency":<30} | {1e3 * saliency:12.3f} | '
          f'{100 * saliency / whole:20.2f}% |')
    print(f'| {"whole pipeline (reference)":<30} | {1e3 * whole:12.3f} | {"100.00%":>21} |')


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``masking`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('masking', help=run.__doc__)
    parser.add_argument('config', nargs='?', default='configs/dmae/vit_synth.py')
    parser.add_argument('--data-root', help='a SynthAction video set (default: --samples '
                        'clips generated in a temporary folder)')
    parser.add_argument('--samples', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--steps', type=int, default=3, help='timed train steps')
    parser.add_argument('--repeats', type=int, default=50, help='timed masker calls')
    parser.add_argument('--seed', type=int, default=0)
    parser.set_defaults(run=run)
    return parser
