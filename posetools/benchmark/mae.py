"""``benchmark.py mae``: clips/s of posetools' VideoViT against mmaction2's
VisionTransformer in a fine-tuning step, and of MAE's pretraining step against the same
model encoding every token."""
import argparse
from typing import Callable

import torch
from mmengine.registry import MODELS, init_default_scope

from posetools.benchmark.timer import time_calls
from posetools.models.videomae_checkpoint import convert as convert_videomae

__all__ = ['VIT_ARCHS', 'add_parser', 'run']

VIT_ARCHS = {'s': (384, 12, 6), 'b': (768, 12, 12), 'l': (1024, 24, 16)}  # D, depth, heads


def clips_per_second(step: Callable[[], None], clips: int, steps: int,
                     device: torch.device) -> float:
    """Clips/s of ``steps`` calls of ``step`` (``clips`` each) after one untimed call."""
    return clips / time_calls(lambda _: step(), steps, device=device).seconds


def classifier_train_step(model: torch.nn.Module, clips: torch.Tensor,
                          labels: torch.Tensor) -> Callable[[], None]:
    """One AdamW step of a recogniser's backbone + head with cross-entropy on ``clips``
    (N, 3, T, H, W) and ``labels`` (N, )."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model.cls_head(model.backbone(clips)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def mae_pretrain_step(model: torch.nn.Module, clips: torch.Tensor,
                      encode_all: bool) -> Callable[[], None]:
    """One AdamW step of VideoMAE on ``clips`` (N, 3, T, H, W); ``encode_all`` runs the
    encoder on every token first."""
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


def run(args: argparse.Namespace) -> None:
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
                              args.batch_size, args.steps, device),
             clips_per_second(classifier_train_step(ours.train(), clips, labels),
                              args.batch_size, args.steps, device))]
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
                                  args.steps, device),
                 clips_per_second(mae_pretrain_step(pretrain, clips, False), args.batch_size,
                                  args.steps, device)))
    print(f'ViT-{args.arch.upper()} ({dims}-d, {depth} blocks), {args.frames} x {args.img_size}'
          f' x {args.img_size} clips, batch {args.batch_size}, {device}, clips/s over '
          f'{args.steps} AdamW steps after one untimed step (fine-tuning outputs equal: max '
          f'abs difference {difference:.1e}):')
    print(f'| {"clips/s":<28} | {"reference":>36} | {"posetools":>28} | {"speed-up":>8} |')
    print(f'| {"-" * 28} | {"-" * 36}:| {"-" * 28}:| {"-" * 8}:|')
    references = ('mmaction2 VisionTransformer', 'encoder on all tokens')
    for (name, reference, ours_rate), reference_name in zip(rows, references):
        print(f'| {name:<28} | {f"{reference:.2f} ({reference_name})":>36} | '
              f'{f"{ours_rate:.2f}":>28} | {ours_rate / reference:7.2f}x |')


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``mae`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('mae', help=run.__doc__)
    parser.add_argument('--arch', choices=sorted(VIT_ARCHS), default='s')
    parser.add_argument('--img-size', type=int, default=112, help='VideoMAE: 224')
    parser.add_argument('--frames', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--mask-ratio', type=float, default=0.9)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--seed', type=int, default=0)
    parser.set_defaults(run=run)
    return parser
