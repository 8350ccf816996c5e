"""Does a pretraining help? Supervised baselines, pretraining, probes and low-label fine-tuning.

    python tools/analysis/pretrain_protocol.py configs/mae/vit_synth.py \\
        configs/mae/vit_synth_ft.py --supervised-config configs/mae/vit_synth_scratch.py \\
        --frame-config configs/mae/vit_synth_frame.py
    python tools/analysis/pretrain_protocol.py PRETRAIN_CFG FINETUNE_CFG --seeds 0 1 2 \\
        --label-share 0.1 --frame-config configs/mae/vit_synth_frame.py --work-dir DIR

Every training is ``tools/train.py`` with the mmengine Runner, as a user would run it; the steps
(each skipped when its result is already in ``DIR/results.json``, so an interrupted run
continues):

1. ``supervised``: ``--supervised-config`` (default: FINETUNE_CFG) from scratch on all labels
   (wall time and held-out top-1);
2. ``frame``: the one-frame model of ``--frame-config`` from scratch on all labels, the baseline
   that shows whether the classes need motion;
3. ``pretrain``: PRETRAIN_CFG (no labels) -> its last checkpoint;
4. ``probe``: ``tools/analysis/probe.py`` k-NN and linear top-1 of the pretrained and of a
   randomly initialised encoder (frozen features);
5. ``low-label``: FINETUNE_CFG on a fixed class-balanced ``--label-share`` of the training list,
   from the pretrained encoder and from scratch, once per ``--seeds`` seed (the seed sets the
   initialisation of what is new and the data order; the label subset is the same).

``DIR/results.md`` gets the table (mean and sample std over seeds), ``DIR/results.json`` the
numbers. Held-out top-1 is the last validation of each run (``acc/top1`` in its scalars).
With ``--baseline-dir``, what does not depend on the pretraining (steps 1 and 2, the random
encoder's probe and the low-label runs from scratch) is kept there instead, so protocols of
several pretrainings share it (``tools/analysis/masker_study.py``).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from glob import glob
from typing import Dict, List, Optional

import numpy as np
from mmengine.config import Config

from posetools.engine.launch import latest_checkpoint

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STEPS = ('supervised', 'frame', 'pretrain', 'probe', 'low-label')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pretrain_config', help='self-supervised config, e.g. vit_synth.py')
    parser.add_argument('finetune_config', help='classification config whose backbone takes '
                        'the pretrained encoder, e.g. vit_synth_ft.py')
    parser.add_argument('--supervised-config', help='from-scratch recipe of the supervised '
                        'baseline (default: finetune_config)')
    parser.add_argument('--frame-config', help='one-frame baseline config (step skipped if '
                        'not given)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--pretrain-seed', type=int, default=0,
                        help='seed of the pretraining (--seeds are the fine-tunings\')')
    parser.add_argument('--label-share', type=float, default=0.1,
                        help='share of the training labels for the low-label fine-tuning')
    parser.add_argument('--low-label-epochs', type=int, default=12,
                        help='epochs of each low-label fine-tuning (FINETUNE_CFG\'s '
                        'param_scheduler must be a warm-up then a cosine, which end with them)')
    parser.add_argument('--steps', nargs='+', choices=STEPS, default=list(STEPS))
    parser.add_argument('--work-dir', help='default: work_dirs/protocol_<pretrain config name>')
    parser.add_argument('--baseline-dir', help='where the runs that do not depend on the '
                        'pretraining are kept and reused (default: the work dir)')
    parser.add_argument('--train-options', nargs=argparse.REMAINDER, default=[],
                        help='appended to every tools/train.py call (keep it last)')
    args = parser.parse_args(argv)
    for path in (args.pretrain_config, args.finetune_config, args.supervised_config,
                 args.frame_config):
        if path is not None and not osp.isfile(path):
            parser.error(f'{path}: no such config')
    if not 0 < args.label_share <= 1:
        parser.error(f'--label-share must be in (0, 1], got {args.label_share}')
    return args


class Protocol:
    """Runs the steps, keeping every result in ``results.json`` as soon as it is known."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        name = osp.splitext(osp.basename(args.pretrain_config))[0]
        self.work_dir = args.work_dir or osp.join('work_dirs', f'protocol_{name}')
        os.makedirs(self.work_dir, exist_ok=True)
        self.baseline_dir = args.baseline_dir or self.work_dir
        os.makedirs(self.baseline_dir, exist_ok=True)
        self.stores = {directory: load_results(directory)
                       for directory in {self.work_dir, self.baseline_dir}}

    @property
    def results(self) -> Dict:
        """Every result known, the baselines' and this pretraining's."""
        return {**self.stores[self.baseline_dir], **self.stores[self.work_dir]}

    def dir_of(self, key: str) -> str:
        """The directory that keeps ``key``'s run and result."""
        return self.baseline_dir if is_baseline(key) else self.work_dir

    def record(self, key: str, result: Dict) -> None:
        """Keep ``result`` and write its results.json atomically."""
        directory = self.dir_of(key)
        self.stores[directory][key] = result
        path = osp.join(directory, 'results.json')
        with open(path + '.tmp', 'w', encoding='utf-8') as file:
            json.dump(self.stores[directory], file, indent=2)
        os.replace(path + '.tmp', path)

    def train(self, key: str, config: str, options: List[str], seed: int = 0) -> Dict:
        """Train with tools/train.py in ``work_dir/key`` unless ``key`` has a result.

        Returns:
            ``{'top1': last held-out top-1 or None, 'seconds': wall time, 'work_dir': ...}``.
        """
        if key in self.results:
            print(f'[protocol] {key}: done before ({self.results[key]})')
            return self.results[key]
        work_dir = osp.join(self.dir_of(key), key)
        command = [sys.executable, osp.join(REPO_ROOT, 'tools/train.py'), config,
                   '--work-dir', work_dir, '--seed', str(seed)]
        if options:
            command += ['--cfg-options'] + options
        command += self.args.train_options
        print(f'[protocol] {key}: {" ".join(command)}', flush=True)
        start = time.time()
        log_path = osp.join(self.dir_of(key), f'{key}.log')
        with open(log_path, 'w', encoding='utf-8') as log:
            proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
        if proc.returncode:
            raise SystemExit(f'[protocol] {key} failed (exit {proc.returncode}); see {log_path}')
        result = dict(top1=last_top1(work_dir), seconds=round(time.time() - start, 1),
                      work_dir=work_dir)
        print(f'[protocol] {key}: {result}', flush=True)
        self.record(key, result)
        return result

    def run(self) -> None:
        """Run the chosen steps in order, then write the table."""
        args = self.args
        scratch = ['model.backbone.init_cfg=None']
        if 'supervised' in args.steps:
            self.train('supervised', args.supervised_config or args.finetune_config, scratch)
        if 'frame' in args.steps and args.frame_config:
            self.train('frame', args.frame_config, scratch)
        checkpoint = None
        if {'pretrain', 'probe', 'low-label'} & set(args.steps):
            pretrain = self.train('pretrain', args.pretrain_config, [], args.pretrain_seed)
            checkpoint = latest_checkpoint(pretrain['work_dir'])
            if checkpoint is None:
                raise SystemExit(f'[protocol] {pretrain["work_dir"]}: the pretraining saved '
                                 'no checkpoint')
        if 'probe' in args.steps:
            for name, weights in (('probe_pretrained', checkpoint), ('probe_random', 'random')):
                if name not in self.results:
                    self.record(name, run_probe(args.finetune_config, weights,
                                                osp.join(self.dir_of(name), f'{name}.json')))
        if 'low-label' in args.steps:
            subset = self.write_label_subset()
            epochs = args.low_label_epochs  # the schedule: warm-up epoch, then cosine
            data = [f'train_dataloader.dataset.ann_file={subset}',
                    f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
                    f'param_scheduler.1.end={epochs}', f'param_scheduler.1.T_max={epochs - 1}']
            for seed in args.seeds:
                self.train(f'low_label_pretrained_seed{seed}', args.finetune_config,
                           data + [f'model.backbone.init_cfg.checkpoint={checkpoint}'], seed)
                self.train(f'low_label_scratch_seed{seed}', args.finetune_config,
                           data + scratch, seed)
        table = self.table()
        with open(osp.join(self.work_dir, 'results.md'), 'w', encoding='utf-8') as file:
            file.write(table)
        print(table)

    def write_label_subset(self) -> str:
        """A class-balanced ``--label-share`` of the training list (fixed, seed 0)."""
        cfg = Config.fromfile(self.args.finetune_config)
        ann_file = cfg.train_dataloader.dataset.ann_file
        with open(ann_file, encoding='utf-8') as file:
            lines = [line for line in file if line.strip()]
        by_label = defaultdict(list)
        for line in lines:
            by_label[line.split()[-1]].append(line)
        rng = np.random.default_rng(0)
        chosen = []
        for label in sorted(by_label, key=int):
            group = by_label[label]
            count = max(1, round(self.args.label_share * len(group)))
            chosen += [group[i] for i in sorted(rng.choice(len(group), count, replace=False))]
        path = osp.abspath(osp.join(self.baseline_dir, f'train_{self.args.label_share:g}.txt'))
        with open(path, 'w', encoding='utf-8') as file:
            file.writelines(chosen)
        print(f'[protocol] low-label list: {len(chosen)} of {len(lines)} clips -> {path}')
        return path

    def table(self) -> str:
        """The results as a markdown table."""
        res = self.results
        rows = ['| run | held-out top-1 | wall time |', '| --- | ---: | ---: |']

        def row(name: str, key: str) -> None:
            if key in res:
                rows.append(f'| {name} | {100 * res[key]["top1"]:.1f}% | '
                            f'{res[key]["seconds"] / 60:.1f} min |')

        row('supervised from scratch, all labels', 'supervised')
        row('one frame from scratch, all labels', 'frame')
        if 'pretrain' in res:
            rows.append(f'| pretraining (no labels) | - | {res["pretrain"]["seconds"] / 60:.1f} '
                        'min |')
        for name, key in (('pretrained', 'probe_pretrained'), ('random init', 'probe_random')):
            if key in res:
                rows.append(f'| k-NN / linear probe, {name} encoder | '
                            f'{100 * res[key]["knn_top1"]:.1f}% / '
                            f'{100 * res[key]["linear_top1"]:.1f}% | - |')
        share = f'{100 * self.args.label_share:g}% labels'
        for init in ('pretrained', 'scratch'):
            runs = [res[key] for key in sorted(res) if key.startswith(f'low_label_{init}_seed')]
            if runs:
                top1 = [100 * run['top1'] for run in runs]
                spread = f' +- {statistics.stdev(top1):.1f}' if len(top1) > 1 else ''
                rows.append(f'| fine-tuned from {init}, {share}, {len(runs)} seeds '
                            f'({", ".join(f"{t:.1f}" for t in top1)}) | '
                            f'{statistics.mean(top1):.1f}%{spread} | '
                            f'{statistics.mean(r["seconds"] for r in runs) / 60:.1f} min each |')
        return '\n'.join(rows) + '\n'


def is_baseline(key: str) -> bool:
    """Whether the result ``key`` does not depend on the pretraining."""
    return key in ('supervised', 'frame', 'probe_random') or key.startswith('low_label_scratch')


def load_results(directory: str) -> Dict:
    """``directory/results.json``, or {} before the first result."""
    path = osp.join(directory, 'results.json')
    if not osp.isfile(path):
        return {}
    with open(path, encoding='utf-8') as file:
        return json.load(file)


def last_top1(work_dir: str) -> Optional[float]:
    """The last ``acc/top1`` in the newest run's scalars.json, or None without validation."""
    files = sorted(glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        return None
    top1 = None
    with open(files[-1], encoding='utf-8') as file:
        for line in file:
            top1 = json.loads(line).get('acc/top1', top1)
    return top1


def run_probe(config: str, checkpoint: str, out: str) -> Dict[str, float]:
    """tools/analysis/probe.py in a subprocess (its own threads and memory), results to out."""
    command = [sys.executable, osp.join(REPO_ROOT, 'tools/analysis/probe.py'), config,
               checkpoint, '--out', out]
    print(f'[protocol] probe: {" ".join(command)}', flush=True)
    start = time.time()
    subprocess.run(command, check=True)
    with open(out, encoding='utf-8') as file:
        result = json.load(file)
    return dict(knn_top1=result['knn_top1'], linear_top1=result['linear_top1'],
                seconds=round(time.time() - start, 1))


if __name__ == '__main__':
    Protocol(parse_args()).run()
