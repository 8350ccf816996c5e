"""``benchmark.py posec3d-pipeline``: samples/s of a PoseC3D config's training data pipeline
with mmaction2's and with posetools' heatmaps, next to its train step."""
import argparse
import copy
import tempfile
from pathlib import Path
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner import Runner

from posetools.benchmark.inputs import write_coco_2d_pkl
from posetools.benchmark.timer import time_calls

__all__ = ['add_parser', 'run']


def with_heatmap_type(pipeline: List[Dict], heatmap_type: str) -> List[Dict]:
    """A copy of ``pipeline`` whose GeneratePoseTarget step is ``heatmap_type``."""
    pipeline = copy.deepcopy(pipeline)
    steps = [step for step in pipeline if step['type'].endswith('GeneratePoseTarget')]
    if len(steps) != 1:
        raise ValueError(f'expected one GeneratePoseTarget step, found {len(steps)}')
    steps[0]['type'] = heatmap_type
    return pipeline


def loader_samples_per_second(loader_cfg: Dict, batches: int) -> float:
    """Samples/s of a data loader over its first ``batches`` batches, worker start included.

    The loader is built and read in one timed call without warm-up: timing from the start
    keeps batches that workers prefetch while the first one is built from inflating the
    rate; with enough batches the start-up cost is small.
    """
    samples = []

    def read_batches(_: int) -> None:
        loader = iter(Runner.build_dataloader(copy.deepcopy(loader_cfg), seed=0))
        samples[:] = [len(next(loader)['inputs']) for _ in range(batches)]

    timing = time_calls(read_batches, calls=1, warmup=0)
    return sum(samples) / timing.seconds


def train_samples_per_second(cfg: Config, loader_cfg: Dict, steps: int) -> float:
    """Samples/s of the config's model and optimiser in ``train_step`` on real batches,
    after one untimed step."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    loader = iter(Runner.build_dataloader(copy.deepcopy(loader_cfg), seed=0))
    batches = [next(loader) for _ in range(steps)]
    timing = time_calls(lambda index: model.train_step(batches[index], optim_wrapper), steps)
    return sum(len(batch['inputs']) for batch in batches) / (timing.seconds * steps)


def run(args: argparse.Namespace) -> None:
    """The whole PoseC3D training data pipeline, 0 and 2 workers, next to the train step."""
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'posetools'))
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    dataset = loader_cfg['dataset']
    while 'dataset' in dataset:  # RepeatDataset and other wrappers
        dataset = dataset['dataset']
    with tempfile.TemporaryDirectory() as tmp:
        if args.ann_file is None:
            dataset['ann_file'] = str(write_coco_2d_pkl(
                Path(tmp) / 'coco_2d.pkl', args.samples, args.frames, args.persons,
                args.image_size, args.seed))
            dataset['split'] = 'xsub_train'
        else:
            dataset['ann_file'] = args.ann_file
        if args.batch_size is not None:
            loader_cfg['batch_size'] = args.batch_size
        loader_cfg.update(persistent_workers=False)
        pipeline = dataset['pipeline']
        rows = []
        for workers in (0, 2):
            loader_cfg['num_workers'] = workers
            rates = []
            for heatmap_type in ('mmaction.GeneratePoseTarget', 'posetools.GeneratePoseTarget'):
                dataset['pipeline'] = with_heatmap_type(pipeline, heatmap_type)
                rates.append(loader_samples_per_second(loader_cfg, args.batches))
            rows.append((f'data pipeline, {workers} workers', *rates))
        dataset['pipeline'] = with_heatmap_type(pipeline, 'posetools.GeneratePoseTarget')
        loader_cfg['num_workers'] = 0
        train_rate = train_samples_per_second(cfg, loader_cfg, args.steps)
    source = args.ann_file or (f'{args.samples} generated COCO-like samples, {args.persons} '
                               f'persons, {args.frames} frames')
    print(f'{args.config} train pipeline on {source}, batch {loader_cfg["batch_size"]}, '
          f'{torch.get_num_threads()} torch threads:')
    print(f'| {"samples/s":<36} | {"mmaction2 heatmaps":>18} | {"posetools heatmaps":>18} | '
          f'{"speed-up":>8} |')
    print(f'| {"-" * 36} | {"-" * 18}:| {"-" * 18}:| {"-" * 8}:|')
    for name, reference, ours in rows:
        print(f'| {name:<36} | {reference:18.1f} | {ours:18.1f} | {ours / reference:7.1f}x |')
    print(f'| {"train step (model + optimiser)":<36} | {"-":>18} | {train_rate:18.1f} | '
          f'{"-":>8} |')


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``posec3d-pipeline`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('posec3d-pipeline', help=run.__doc__)
    parser.add_argument('config', nargs='?', default='configs/posec3d/slowonly_r50_ntu60_xsub.py')
    parser.add_argument('--ann-file', help='a real 2D pkl (split xsub_train is read from '
                        'the config); default: generated COCO-like samples')
    parser.add_argument('--samples', type=int, default=64)
    parser.add_argument('--frames', type=int, default=100, help='frames per generated clip')
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--image-size', type=int, default=480)
    parser.add_argument('--batch-size', type=int, help="default: the config's")
    parser.add_argument('--batches', type=int, default=10, help='timed batches per loader')
    parser.add_argument('--steps', type=int, default=2, help='timed train steps')
    parser.add_argument('--seed', type=int, default=0)
    parser.set_defaults(run=run)
    return parser
