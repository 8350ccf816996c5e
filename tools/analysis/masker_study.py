"""Which masking teaches the encoder most? Every masker pretrained under one budget, then probed
and fine-tuned with tools/analysis/pretrain_protocol.py's protocol.

    python tools/analysis/masker_study.py configs/dmae/vit_synth.py configs/dmae/vit_synth_ft.py
    python tools/analysis/masker_study.py PRETRAIN_CFG FINETUNE_CFG --maskers tube directed_mask \\
        --pretrain-epochs 8 --seeds 0 1 2 --work-dir DIR

For every masker, PRETRAIN_CFG with only ``model.masker`` replaced (the same data, pipeline,
model and schedule; ``--pretrain-epochs`` shortens the schedule for all alike) is written to
``DIR/configs/<masker>.py`` and run through the protocol's ``pretrain``, ``probe`` and
``low-label`` steps in ``DIR/<masker>``. The random encoder's probe and the low-label runs from
scratch do not depend on the masker: they run once, in ``DIR/baseline``. Everything resumes
from the results.json files. ``DIR/results.md`` gets the table of every masker run in DIR
(by this call or an earlier one), ``DIR/masks.png`` the masks of this call's maskers on one
training clip, and ``DIR/masks_<masker>/`` each masker's picture and GIF
(tools/analysis/visualize_masks.py).
"""
import argparse
import os
import os.path as osp
import statistics
import subprocess
import sys
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
from PIL import Image
# the sibling scripts (tools/analysis/ is sys.path[0])
from pretrain_protocol import load_results
from visualize_masks import draw_mask, load_sample

from posetools.visualization import clip_frames, masks_comparison

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# name: (what it does, the masker config); all mask 90% of the tokens
MASKERS: Dict[str, tuple] = {
    'tube': ('VideoMAE tube masking', dict(type='TubeMasker', mask_ratio=0.9)),
    'random': ('random masking (MAE-ST)', dict(type='RandomMasker', mask_ratio=0.9)),
    'directed_mask': ('people masked preferentially (directed, alpha 0.8)',
                      dict(type='DirectedMasker', mask_ratio=0.9, alpha=0.8,
                           mode='mask_salient')),
    'directed_keep': ('people kept visible (directed, alpha 0.8)',
                      dict(type='DirectedMasker', mask_ratio=0.9, alpha=0.8,
                           mode='keep_salient')),
    'directed_keep_track': ('people kept visible, one spatial mask that follows them '
                            '(directed, alpha 0.8, tube track)',
                            dict(type='DirectedMasker', mask_ratio=0.9, alpha=0.8,
                                 mode='keep_salient', tube='track')),
    'motion': ('moving tokens masked preferentially (frame differences, alpha 0.8)',
               dict(type='MotionMasker', mask_ratio=0.9, alpha=0.8, mode='mask_salient')),
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pretrain_config', help='a VideoMAE config whose pipeline gives the '
                        'saliency, e.g. configs/dmae/vit_synth.py')
    parser.add_argument('finetune_config', help='e.g. configs/dmae/vit_synth_ft.py')
    parser.add_argument('--maskers', nargs='+', choices=list(MASKERS), default=list(MASKERS))
    parser.add_argument('--pretrain-epochs', type=int,
                        help='shorten every pretraining to this many epochs (its schedule '
                        'must be a warm-up then a cosine, as vit_synth.py\'s)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--pretrain-seed', type=int, default=0,
                        help='seed of every pretraining (--seeds are the fine-tunings\')')
    parser.add_argument('--label-share', type=float, default=0.1)
    parser.add_argument('--low-label-epochs', type=int, default=12)
    parser.add_argument('--steps', nargs='+', choices=('pretrain', 'probe', 'low-label'),
                        default=['pretrain', 'probe', 'low-label'],
                        help='protocol steps to run now (e.g. every probe first, the '
                        'fine-tunings in a second call)')
    parser.add_argument('--picture-index', type=int, default=0,
                        help='training clip whose masks are drawn')
    parser.add_argument('--work-dir', default='work_dirs/masker_study')
    parser.add_argument('--train-options', nargs=argparse.REMAINDER, default=[],
                        help='appended to every tools/train.py call (keep it last)')
    args = parser.parse_args(argv)
    for path in (args.pretrain_config, args.finetune_config):
        if not osp.isfile(path):
            parser.error(f'{path}: no such config')
    return args


def write_masker_config(args: argparse.Namespace, name: str) -> str:
    """PRETRAIN_CFG with masker ``name`` (and the shortened schedule), dumped for the record."""
    cfg = Config.fromfile(args.pretrain_config)
    cfg.model.masker = MASKERS[name][1]
    if args.pretrain_epochs:
        epochs = args.pretrain_epochs
        warmup_end = cfg.param_scheduler[0]['end']
        if epochs <= warmup_end:
            raise SystemExit(f'--pretrain-epochs {epochs}: {args.pretrain_config} warms up for '
                             f'{warmup_end} epochs, so the budget must be longer')
        cfg.train_cfg.max_epochs = epochs
        cfg.param_scheduler[1].update(end=epochs, T_max=epochs - warmup_end)
    path = osp.join(args.work_dir, 'configs', f'{name}.py')
    os.makedirs(osp.dirname(path), exist_ok=True)
    cfg.dump(path)
    return path


def run_protocol(args: argparse.Namespace, name: str, config: str) -> None:
    """pretrain_protocol.py's pretrain, probe and low-label steps for one masker."""
    command = [sys.executable, osp.join(REPO_ROOT, 'tools/analysis/pretrain_protocol.py'),
               config, args.finetune_config, '--steps', *args.steps,
               '--seeds', *map(str, args.seeds), '--pretrain-seed', str(args.pretrain_seed),
               '--label-share', str(args.label_share),
               '--low-label-epochs', str(args.low_label_epochs),
               '--work-dir', osp.join(args.work_dir, name),
               '--baseline-dir', osp.join(args.work_dir, 'baseline')]
    if args.train_options:
        command += ['--train-options'] + args.train_options
    print(f'[study] {name}: {" ".join(command)}', flush=True)
    subprocess.run(command, check=True)


def draw_masks(args: argparse.Namespace, name: str, config: str) -> None:
    """The masker's masks on training clip ``--picture-index`` (a PNG and a GIF)."""
    out = osp.join(args.work_dir, f'masks_{name}')
    subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools/analysis/visualize_masks.py'),
                    config, '--index', str(args.picture_index), '--out', out], check=True)


def compare_masks(args: argparse.Namespace, configs: Dict[str, str]) -> str:
    """``DIR/masks.png``: every masker's mask of training clip ``--picture-index``, a row each.

    The clip is augmented once (seed 0); each masker draws from the same saliency and clip.
    """
    cfg = Config.fromfile(configs[args.maskers[0]])
    init_default_scope(cfg.get('default_scope', 'posetools'))
    set_random_seed(0)
    packed, _, name = load_sample(cfg.train_dataloader.dataset, args.picture_index)
    rows = []
    for masker in args.maskers:
        set_random_seed(0)
        mask, _, _ = draw_mask(Config.fromfile(configs[masker]), packed)
        rows.append((masker.replace('_', '\n'), mask.numpy()))
    image = masks_comparison(clip_frames(packed['inputs'][0]), rows,
                             title=f'{args.pretrain_config}: training clip '
                             f'{args.picture_index} ({name}), masked tokens greyed')
    path = osp.join(args.work_dir, 'masks.png')
    Image.fromarray(image).save(path)
    return path


def summary(results: Dict, prefix: str) -> str:
    """``mean +- std (a, b, c)`` in percent of the top-1 of the runs named ``prefix*``."""
    top1 = [100 * results[key]['top1'] for key in sorted(results) if key.startswith(prefix)]
    if not top1:
        return 'not run'
    spread = f' +- {statistics.stdev(top1):.1f}' if len(top1) > 1 else ''
    return f'{statistics.mean(top1):.1f}%{spread} ({", ".join(f"{t:.1f}" for t in top1)})'


def table(args: argparse.Namespace) -> str:
    """One row per masker with results in ``--work-dir`` (this call's and earlier calls'),
    then the masker-free baselines."""
    share = f'{100 * args.label_share:g}%'
    rows = [f'| pretraining | minutes | k-NN | linear | fine-tuned, {share} labels, '
            f'{len(args.seeds)} seeds |', '| --- | ---: | ---: | ---: | ---: |']
    for name in MASKERS:
        res = load_results(osp.join(args.work_dir, name))
        if 'probe_pretrained' in res:
            rows.append(f'| {name}: {MASKERS[name][0]} | {res["pretrain"]["seconds"] / 60:.1f} | '
                        f'{probe_cells(res["probe_pretrained"])} | '
                        f'{summary(res, "low_label_pretrained")} |')
    base = load_results(osp.join(args.work_dir, 'baseline'))
    if 'probe_random' in base:
        rows.append(f'| none (random init / from scratch) | - | '
                    f'{probe_cells(base["probe_random"])} | {summary(base, "low_label_scratch")} |')
    return '\n'.join(rows) + '\n'


def probe_cells(probe: Dict) -> str:
    """The k-NN and linear probe cells."""
    return f'{100 * probe["knn_top1"]:.1f}% | {100 * probe["linear_top1"]:.1f}%'


def main() -> None:
    args = parse_args()
    configs = {name: write_masker_config(args, name) for name in args.maskers}
    print(f'[study] masks of every masker: {compare_masks(args, configs)}', flush=True)
    for name, config in configs.items():
        run_protocol(args, name, config)
        draw_masks(args, name, config)
    result = table(args)
    with open(osp.join(args.work_dir, 'results.md'), 'w', encoding='utf-8') as file:
        file.write(result)
    print(result)


if __name__ == '__main__':
    main()
