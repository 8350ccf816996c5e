"""Speed of posetools against the reference it replaces, measured in the same run.

    python tools/analysis/benchmark.py skeleton-pipeline [--samples 200] [--frames 300]
    python tools/analysis/benchmark.py heatmap [--samples 20] [--frames 48] [--persons 2]
    python tools/analysis/benchmark.py posec3d-pipeline [CONFIG] [--batches 10] [--steps 2]
    python tools/analysis/benchmark.py mae [--arch s] [--img-size 112] [--batch-size 4]
    python tools/analysis/benchmark.py masking [CONFIG] [--batch-size 16] [--samples 32]
    python tools/analysis/benchmark.py pose [--sizes 340 720] [--frames 50] [--videos 16]

Each topic times the reference (mmaction2) and posetools on identical inputs, checks
that the outputs agree, and prints a table with the speed-up ratio; ``masking`` times each
masker against the train step it is part of, and the saliency transform against its pipeline;
``pose`` (``benchmark_pose.py``) times each pose extraction backend against mmaction2's.
"""
import argparse
import copy
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

import mmengine
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.runner import Runner

import benchmark_pose  # the sibling script (tools/analysis/ is sys.path[0])
import posetools  # noqa: F401  (registers posetools modules, applies compat)
from posetools.datasets.synth import SynthActionGenerator, write_video_dataset
from posetools.models.videomae_checkpoint import convert as convert_videomae
from posetools.registry import MASKERS


def ntu_like_samples(count: int, max_frames: int, seed: int) -> List[Dict]:
    """Random 3D skeleton annotations shaped like NTU's: 1-2 persons, empty frames."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        frames = int(rng.integers(max_frames // 2, max_frames + 1))
        persons = 1 + int(rng.random() < 0.3)
        keypoint = rng.normal(size=(persons, frames, 25, 3)).astype(np.float32)
        keypoint[:, rng.random(frames) < 0.05] = 0
        samples.append(dict(frame_dir=f'sample{index}', label=0, total_frames=frames,
                            keypoint=keypoint, start_index=0, modality='Pose'))
    return samples


def seconds_per_sample(function: Callable[[Dict], Dict], samples: List[Dict],
                       repeats: int) -> float:
    """Best-of-``repeats`` mean time of ``function`` over fresh copies of ``samples``."""
    best = float('inf')
    for _ in range(repeats):
        inputs = copy.deepcopy(samples)
        start = time.perf_counter()
        for sample in inputs:
            function(sample)
        best = min(best, (time.perf_counter() - start) / len(samples))
    return best


def stt_pipeline(prenormalize: str, clip_len: int) -> Compose:
    return Compose([
        dict(type=prenormalize),
        dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
        dict(type='mmaction.UniformSampleFrames', clip_len=clip_len),
        dict(type='mmaction.PoseDecode'),
        dict(type='mmaction.FormatGCNInput', num_person=2),
        dict(type='mmaction.PackActionInputs'),
    ])


def print_table(rows: List[tuple]) -> None:
    print(f'| {"what":<40} | {"mmaction2 ms":>12} | {"posetools ms":>12} | {"speed-up":>8} |')
    print(f'| {"-" * 40} | {"-" * 12}:| {"-" * 12}:| {"-" * 8}:|')
    for name, reference, ours in rows:
        print(f'| {name:<40} | {reference * 1e3:12.3f} | {ours * 1e3:12.3f} | '
              f'{reference / ours:7.1f}x |')


def skeleton_pipeline(args: argparse.Namespace) -> None:
    """PreNormalize3D alone and the whole skeleton-transformer training pipeline."""
    init_default_scope('posetools')
    samples = ntu_like_samples(args.samples, args.frames, args.seed)
    reference, ours = Compose([dict(type='mmaction.PreNormalize3D')]), Compose(
        [dict(type='PreNormalize3D')])
    for sample in samples[:20]:
        expected, got = reference(copy.deepcopy(sample)), ours(copy.deepcopy(sample))
        if not np.array_equal(expected['keypoint'], got['keypoint']):
            raise AssertionError(f"outputs differ on {sample['frame_dir']}")
    rows = [(f'PreNormalize3D (T<={args.frames})', seconds_per_sample(reference, samples, 3),
             seconds_per_sample(ours, samples, 3))]
    rows.append((f'stt train pipeline (clip_len {args.clip_len})',
                 seconds_per_sample(stt_pipeline('mmaction.PreNormalize3D', args.clip_len),
                                    samples, 3),
                 seconds_per_sample(stt_pipeline('PreNormalize3D', args.clip_len), samples, 3)))
    print(f'{args.samples} NTU-like samples, 1-2 persons, up to {args.frames} frames, '
          'time per sample (best of 3):')
    print_table(rows)


# COCO-17p keypoints of a standing person, in person heights, centred on the hips
COCO_TEMPLATE = np.array([(0, -.42), (.03, -.45), (-.03, -.45), (.07, -.43), (-.07, -.43),
                          (.12, -.3), (-.12, -.3), (.16, -.12), (-.16, -.12), (.18, .03),
                          (-.18, .03), (.08, .05), (-.08, .05), (.09, .28), (-.09, .28),
                          (.1, .5), (-.1, .5)])


def coco_2d_samples(count: int, frames: int, persons: int, size: int,
                    seed: int) -> List[Dict]:
    """Moving COCO-17p persons in a ``size`` x ``size`` image, as PoseC3D feeds its heatmaps.

    Person heights are 45-90% of the image (PoseCompact crops to the persons), joints
    jitter per frame, a few go past the border, scores are uniform in [0, 1) with 5%
    of them below mmaction2's 1e-4 threshold.
    """
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        height = rng.uniform(0.45, 0.9, size=(persons, 1, 1, 1)) * size
        path = np.cumsum(rng.normal(scale=0.01 * size, size=(persons, frames, 1, 2)), axis=1)
        centre = rng.uniform(0.3, 0.7, size=(persons, 1, 1, 2)) * size + path
        pose = COCO_TEMPLATE + rng.normal(scale=0.04, size=(persons, frames, 17, 2))
        keypoint = (centre + pose * height).astype(np.float32)
        score = rng.random((persons, frames, 17)).astype(np.float32)
        score[rng.random(score.shape) < 0.05] = 0
        samples.append(dict(frame_dir=f'sample{index}', keypoint=keypoint,
                            keypoint_score=score, img_shape=(size, size)))
    return samples


def heatmap(args: argparse.Namespace) -> None:
    """GeneratePoseTarget (PoseConv3D heatmap volumes) for joints and for limbs."""
    init_default_scope('posetools')
    samples = coco_2d_samples(args.samples, args.frames, args.persons, args.size, args.seed)
    rows = []
    for name, kwargs in (('joints', dict(with_kp=True, with_limb=False)),
                         ('limbs', dict(with_kp=False, with_limb=True))):
        kwargs.update(sigma=args.sigma, use_score=True)
        reference = Compose([dict(type='mmaction.GeneratePoseTarget', **kwargs)])
        ours = Compose([dict(type='GeneratePoseTarget', **kwargs)])
        for sample in samples:
            expected, got = reference(copy.deepcopy(sample)), ours(copy.deepcopy(sample))
            difference = np.abs(expected['imgs'] - got['imgs']).max()
            if expected['imgs'].shape != got['imgs'].shape or not difference <= 1e-5:
                raise AssertionError(f"{name} heatmaps differ on {sample['frame_dir']}: "
                                     f"{expected['imgs'].shape} vs {got['imgs'].shape}, "
                                     f'max abs difference {difference}')
        # each volume is dropped after its call, as a data loader does once it is batched:
        # keeping all of them alive would add the cost of faulting in fresh memory (about
        # 4 ms per 10 MB volume on a VM) to both implementations
        rows.append((f"{name} {tuple(got['imgs'].shape)}",
                     seconds_per_sample(lambda sample: reference(dict(sample)), samples, 3),
                     seconds_per_sample(lambda sample: ours(dict(sample)), samples, 3)))
    print(f'GeneratePoseTarget on {args.samples} COCO-like samples, {args.persons} persons, '
          f'{args.frames} frames, {args.size}x{args.size}, sigma {args.sigma}, output shape '
          '(T, C, H, W), time per sample (best of 3):')
    print_table(rows)


def write_coco_2d_pkl(path: Path, count: int, frames: int, persons: int, size: int,
                      seed: int) -> Path:
    """``coco_2d_samples`` as an mmaction2 2D pose pkl whose every sample is in xsub_train."""
    annotations = coco_2d_samples(count, frames, persons, size, seed)
    for ann in annotations:
        ann.update(label=0, total_frames=frames, original_shape=(size, size))
    names = [ann['frame_dir'] for ann in annotations]
    mmengine.dump(dict(split=dict(xsub_train=names), annotations=annotations), str(path))
    return path


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

    Timing from the start keeps batches that workers prefetch while the first one is
    built from inflating the rate; with enough batches the start-up cost is small.
    """
    start, samples = time.perf_counter(), 0
    loader = iter(Runner.build_dataloader(copy.deepcopy(loader_cfg), seed=0))
    for _ in range(batches):
        samples += len(next(loader)['inputs'])
    return samples / (time.perf_counter() - start)


def train_samples_per_second(cfg: Config, loader_cfg: Dict, steps: int) -> float:
    """Samples/s of the config's model and optimiser in ``train_step`` on real batches."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    loader = iter(Runner.build_dataloader(copy.deepcopy(loader_cfg), seed=0))
    batches = [next(loader) for _ in range(steps + 1)]
    model.train_step(batches[0], optim_wrapper)
    start = time.perf_counter()
    for batch in batches[1:]:
        model.train_step(batch, optim_wrapper)
    return sum(len(batch['inputs']) for batch in batches[1:]) / (time.perf_counter() - start)


def posec3d_pipeline(args: argparse.Namespace) -> None:
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


VIT_ARCHS = {'s': (384, 12, 6), 'b': (768, 12, 12), 'l': (1024, 24, 16)}  # D, depth, heads


def clips_per_second(step: Callable[[], None], clips: int, steps: int) -> float:
    """Clips/s of ``steps`` calls of ``step`` after one untimed warm-up call."""
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return clips * steps / (time.perf_counter() - start)


def classifier_train_step(model: torch.nn.Module, clips: torch.Tensor,
                          labels: torch.Tensor) -> Callable[[], None]:
    """One AdamW step of a recogniser's backbone + head with cross-entropy."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model.cls_head(model.backbone(clips)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def mae_pretrain_step(model: torch.nn.Module, clips: torch.Tensor,
                      encode_all: bool) -> Callable[[], None]:
    """One AdamW step of VideoMAE; ``encode_all`` runs the encoder on every token first."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step() -> None:
        mask = model.masker(clips.shape[0], model.backbone.grid_size, clips.device)
        if encode_all:  # the same model without MAE's saving: encode, then keep the visible
            tokens = model.backbone(clips)
            visible = tokens[~mask].reshape(clips.shape[0], -1, tokens.shape[-1])
        else:
            visible = model.backbone(clips, mask)
        loss = model.head.loss(model.neck(visible, mask), clips, mask)['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def mae(args: argparse.Namespace) -> None:
    """Fine-tuning ViT against mmaction2's VisionTransformer; MAE pretraining step at 0.9."""
    init_default_scope('posetools')
    device = torch.device(args.device)
    dims, depth, heads = VIT_ARCHS[args.arch]
    common = dict(img_size=args.img_size, num_frames=args.frames, embed_dims=dims, depth=depth,
                  num_heads=heads)
    recognizer = dict(
        type='mmaction.Recognizer3D',
        data_preprocessor=dict(type='mmaction.ActionDataPreprocessor', format_shape='NCTHW'),
        cls_head=dict(type='mmaction.TimeSformerHead', num_classes=400, in_channels=dims,
                      loss_cls=dict(type='mmaction.CrossEntropyLoss')))
    torch.manual_seed(args.seed)
    theirs = MODELS.build(dict(recognizer, backbone=dict(type='mmaction.VisionTransformer',
                                                         **common))).to(device)
    ours = MODELS.build(dict(recognizer, backbone=dict(type='VideoViT', **common))).to(device)
    ours.load_state_dict(convert_videomae(theirs.state_dict())[0], strict=True)
    clips = torch.randn(args.batch_size, 3, args.frames, args.img_size, args.img_size,
                        device=device)
    labels = torch.randint(0, 400, (args.batch_size, ), device=device)
    with torch.no_grad():
        difference = (ours.eval().cls_head(ours.backbone(clips))
                      - theirs.eval().cls_head(theirs.backbone(clips))).abs().max().item()
    if not difference <= 1e-4:
        raise AssertionError(f'fine-tuning outputs differ by {difference}')
    rows = [('fine-tune train step',
             clips_per_second(classifier_train_step(theirs.train(), clips, labels),
                              args.batch_size, args.steps),
             clips_per_second(classifier_train_step(ours.train(), clips, labels),
                              args.batch_size, args.steps))]
    grid_tokens = (args.frames // 2) * (args.img_size // 16)**2
    pretrain = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VideoViT', out_type='tokens', **common),
        neck=dict(type='MAEDecoder', num_tokens=grid_tokens, in_dims=dims, embed_dims=dims // 2,
                  depth=4, num_heads=max(heads // 2, 1)),
        head=dict(type='MAEPixelHead'),
        masker=dict(type='TubeMasker', mask_ratio=args.mask_ratio))).to(device).train()
    rows.append((f'pretrain step, mask {args.mask_ratio}',
                 clips_per_second(mae_pretrain_step(pretrain, clips, True), args.batch_size,
                                  args.steps),
                 clips_per_second(mae_pretrain_step(pretrain, clips, False), args.batch_size,
                                  args.steps)))
    print(f'ViT-{args.arch.upper()} ({dims}-d, {depth} blocks), {args.frames} x {args.img_size}'
          f' x {args.img_size} clips, batch {args.batch_size}, {device}, clips/s over '
          f'{args.steps} AdamW steps (fine-tuning outputs equal: max abs difference '
          f'{difference:.1e}):')
    print(f'| {"clips/s":<28} | {"reference":>36} | {"posetools":>28} | {"speed-up":>8} |')
    print(f'| {"-" * 28} | {"-" * 36}:| {"-" * 28}:| {"-" * 8}:|')
    references = ('mmaction2 VisionTransformer', 'encoder on all tokens')
    for (name, reference, ours_rate), reference_name in zip(rows, references):
        print(f'| {name:<28} | {f"{reference:.2f} ({reference_name})":>36} | '
              f'{f"{ours_rate:.2f}":>28} | {ours_rate / reference:7.2f}x |')


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


def milliseconds(function: Callable[[], object], repeats: int) -> float:
    """Mean milliseconds of ``function`` over ``repeats`` calls after one warm-up call."""
    return 1e3 / clips_per_second(function, 1, repeats)


def masking(args: argparse.Namespace) -> None:
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
        step = milliseconds(lambda: model.train_step(batch, optim_wrapper), args.steps)
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
        time_ms = milliseconds(lambda: masker(len(clips), grid, clips.device, saliency=salient,
                                              videos=clips), args.repeats)
        print(f'| {name:<30} | {time_ms:12.3f} | {100 * time_ms / step:20.2f}% |')
    print(f'| {"train step (reference)":<30} | {step:12.1f} | {"100.00%":>21} |')
    print(f'\n| {"per sample":<30} | {"ms":>12} | {"share of the pipeline":>21} |')
    print(f'| {"-" * 30} | {"-" * 12}:| {"-" * 21}:|')
    print(f'| {"PoseSaliency":<30} | {1e3 * saliency:12.3f} | '
          f'{100 * saliency / whole:20.2f}% |')
    print(f'| {"whole pipeline (reference)":<30} | {1e3 * whole:12.3f} | {"100.00%":>21} |')


TOPICS = {
    'skeleton-pipeline': skeleton_pipeline,
    'heatmap': heatmap,
    'posec3d-pipeline': posec3d_pipeline,
    'mae': mae,
    'masking': masking,
    'pose': benchmark_pose.pose,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    topics = parser.add_subparsers(dest='topic', required=True)
    pipeline = topics.add_parser('skeleton-pipeline', help=skeleton_pipeline.__doc__)
    pipeline.add_argument('--samples', type=int, default=200)
    pipeline.add_argument('--frames', type=int, default=300, help='longest clip (NTU: 300)')
    pipeline.add_argument('--clip-len', type=int, default=100)
    pipeline.add_argument('--seed', type=int, default=0)
    heatmaps = topics.add_parser('heatmap', help=heatmap.__doc__)
    heatmaps.add_argument('--samples', type=int, default=20)
    heatmaps.add_argument('--frames', type=int, default=48, help='clip length (PoseC3D: 48)')
    heatmaps.add_argument('--persons', type=int, default=2)
    heatmaps.add_argument('--size', type=int, default=56, help='heatmap side (PoseC3D: 56)')
    heatmaps.add_argument('--sigma', type=float, default=0.6)
    heatmaps.add_argument('--seed', type=int, default=0)
    posec3d = topics.add_parser('posec3d-pipeline', help=posec3d_pipeline.__doc__)
    posec3d.add_argument('config', nargs='?',
                         default='configs/posec3d/slowonly_r50_ntu60_xsub.py')
    posec3d.add_argument('--ann-file', help='a real 2D pkl (split xsub_train is read from '
                         'the config); default: generated COCO-like samples')
    posec3d.add_argument('--samples', type=int, default=64)
    posec3d.add_argument('--frames', type=int, default=100, help='frames per generated clip')
    posec3d.add_argument('--persons', type=int, default=2)
    posec3d.add_argument('--image-size', type=int, default=480)
    posec3d.add_argument('--batch-size', type=int, help="default: the config's")
    posec3d.add_argument('--batches', type=int, default=10, help='timed batches per loader')
    posec3d.add_argument('--steps', type=int, default=2, help='timed train steps')
    posec3d.add_argument('--seed', type=int, default=0)
    mae_parser = topics.add_parser('mae', help=mae.__doc__)
    mae_parser.add_argument('--arch', choices=sorted(VIT_ARCHS), default='s')
    mae_parser.add_argument('--img-size', type=int, default=112, help='VideoMAE: 224')
    mae_parser.add_argument('--frames', type=int, default=16)
    mae_parser.add_argument('--batch-size', type=int, default=4)
    mae_parser.add_argument('--steps', type=int, default=3)
    mae_parser.add_argument('--mask-ratio', type=float, default=0.9)
    mae_parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    mae_parser.add_argument('--seed', type=int, default=0)
    masking_parser = topics.add_parser('masking', help=masking.__doc__)
    masking_parser.add_argument('config', nargs='?', default='configs/dmae/vit_synth.py')
    masking_parser.add_argument('--data-root', help='a SynthAction video set (default: '
                                '--samples clips generated in a temporary folder)')
    masking_parser.add_argument('--samples', type=int, default=32)
    masking_parser.add_argument('--batch-size', type=int, default=16)
    masking_parser.add_argument('--steps', type=int, default=3, help='timed train steps')
    masking_parser.add_argument('--repeats', type=int, default=50, help='timed masker calls')
    masking_parser.add_argument('--seed', type=int, default=0)
    benchmark_pose.add_parser(topics)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    TOPICS[args.topic](args)


if __name__ == '__main__':
    main()
