"""The synth recipes learn SynthAction through tools/train.py and tools/test.py.

The slowest tests of the suite: shortened ``*_synth.py`` runs on a smaller SynthAction
(600 clips, 480 of them for training) that stop at the first epoch whose held-out top-1 reaches
the threshold, then tools/test.py on that epoch's checkpoint. The full recipes' numbers are in
the configs' READMEs.
"""
from pathlib import Path

import mmengine
import pytest
from mmengine.config import Config

from tests.helpers import REPO_ROOT, run_tool

NUM_CLASSES = 10
# config, annotation file written by gen_synth.py, most epochs, minimum held-out top-1
RECIPES = {
    'skeleton_transformer': ('configs/skeleton_transformer/stt_synth.py', 'synth_ntu3d.pkl',
                             20, 0.6),
    'posec3d': ('configs/posec3d/slowonly_r50_synth.py', 'synth_coco2d.pkl', 8, 0.3),
}


def write_early_stopping_config(config: str, ann_file: Path, max_epochs: int, min_top1: float,
                                path: Path) -> Path:
    """Write ``config`` reading ``ann_file`` that validates after every epoch exactly as
    tools/test.py tests and stops at the first epoch whose top-1 reaches ``min_top1``
    (at ``max_epochs`` at the latest); return ``path``.

    Validation is RNG-neutral (RNGStateHook), so the epochs trained are those of a run
    without it.
    """
    cfg = Config.fromfile(str(REPO_ROOT / config))
    for loader in ('train_dataloader', 'test_dataloader'):
        cfg[loader].dataset.ann_file = str(ann_file)
    cfg.val_dataloader = cfg.test_dataloader  # the test pipeline's clips, views and batches
    cfg.train_cfg.update(max_epochs=max_epochs, val_interval=1)
    cfg.default_hooks.checkpoint.interval = 1  # last_checkpoint: the epoch it stopped at
    # the hook stops above its threshold, the test passes at min_top1 itself; patience never
    # runs out: below the threshold training goes on to max_epochs
    cfg.custom_hooks.append(dict(type='EarlyStoppingHook', monitor='acc/top1', rule='greater',
                                 stopping_threshold=min_top1 - 1e-6, patience=max_epochs))
    cfg.dump(str(path))
    return path


@pytest.mark.parametrize('recipe', sorted(RECIPES))
def test_synth_recipe_learns_well_above_chance(tmp_path, synth_action, recipe):
    config, ann_name, max_epochs, min_top1 = RECIPES[recipe]
    ann_file = synth_action / ann_name
    config = write_early_stopping_config(config, ann_file, max_epochs, min_top1,
                                         tmp_path / f'{recipe}.py')
    work_dir = tmp_path / 'work'
    run_tool(['tools/train.py', config, '--work-dir', work_dir, '--seed', '0'])

    checkpoint = Path((work_dir / 'last_checkpoint').read_text().strip())
    dump = tmp_path / 'predictions.pkl'
    proc = run_tool(['tools/test.py', config, checkpoint, '--work-dir', work_dir,
                     '--dump', dump])
    top1 = float(proc.stdout.split('acc/top1: ')[1].split()[0])
    assert top1 >= min_top1, (f'top-1 {top1:.3f} on held-out performers after '
                              f'{checkpoint.stem} (chance {1 / NUM_CLASSES})')

    # the dump holds one prediction per held-out sample, consistent with the printed top-1
    predictions = mmengine.load(str(dump))
    val_names = mmengine.load(str(ann_file))['split']['xsub_val']
    assert len(predictions) == len(val_names)
    correct = sum(int(p['pred_label'].item() == p['gt_label'].item()) for p in predictions)
    assert abs(correct / len(predictions) - top1) <= 5e-5  # test.py prints 4 decimals
