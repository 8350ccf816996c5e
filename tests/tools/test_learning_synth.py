"""The synth recipes learn SynthAction through tools/train.py and tools/test.py.

The slowest tests of the suite: shortened ``*_synth.py`` runs on a smaller SynthAction
(600 clips, 480 of them for training). The full recipes' numbers are in the configs' READMEs.
"""
import mmengine
import pytest

from tests.helpers import run_tool

NUM_CLASSES = 10
# config, annotation file written by gen_synth.py, epochs, minimum held-out top-1
RECIPES = {
    'skeleton_transformer': ('configs/skeleton_transformer/stt_synth.py', 'synth_ntu3d.pkl',
                             20, 0.6),
    'posec3d': ('configs/posec3d/slowonly_r50_synth.py', 'synth_coco2d.pkl', 8, 0.3),
}


@pytest.mark.parametrize('recipe', sorted(RECIPES))
def test_synth_recipe_learns_well_above_chance(tmp_path, recipe):
    config, ann_name, epochs, min_top1 = RECIPES[recipe]
    data_dir = tmp_path / 'synth'
    run_tool(['tools/data/gen_synth.py', '--out-dir', data_dir, '--num-samples', '600',
              '--seed', '1'])
    ann_file = data_dir / ann_name
    options = ['--cfg-options', f'train_cfg.max_epochs={epochs}',
               f'train_cfg.val_interval={epochs}']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options.append(f'{loader}.dataset.ann_file={ann_file}')
    work_dir = tmp_path / 'work'
    run_tool(['tools/train.py', config, '--work-dir', work_dir, '--seed', '0', *options])

    dump = tmp_path / 'predictions.pkl'
    proc = run_tool(['tools/test.py', config, work_dir / f'epoch_{epochs}.pth', '--work-dir',
                     work_dir, '--dump', dump, *options])
    top1 = float(proc.stdout.split('acc/top1: ')[1].split()[0])
    assert top1 >= min_top1, (f'top-1 {top1:.3f} on held-out performers '
                              f'(chance {1 / NUM_CLASSES})')

    # the dump holds one prediction per held-out sample, consistent with the printed top-1
    predictions = mmengine.load(str(dump))
    val_names = mmengine.load(str(ann_file))['split']['xsub_val']
    assert len(predictions) == len(val_names)
    correct = sum(int(p['pred_label'].item() == p['gt_label'].item()) for p in predictions)
    assert abs(correct / len(predictions) - top1) <= 5e-5  # test.py prints 4 decimals
