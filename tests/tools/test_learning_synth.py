"""The skeleton transformer learns SynthAction through tools/train.py and tools/test.py.

The slowest test of the suite: a shortened stt_synth.py run on a smaller SynthAction.
"""
import mmengine

from tests.helpers import run_tool

CONFIG = 'configs/skeleton_transformer/stt_synth.py'
NUM_CLASSES = 10


def test_stt_synth_learns_well_above_chance(tmp_path):
    data_dir = tmp_path / 'synth'
    run_tool(['tools/data/gen_synth.py', '--out-dir', data_dir, '--num-samples', '600',
              '--seed', '1'])
    ann_file = data_dir / 'synth_ntu3d.pkl'
    options = ['--cfg-options', 'train_cfg.max_epochs=20', 'train_cfg.val_interval=20']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options.append(f'{loader}.dataset.ann_file={ann_file}')
    work_dir = tmp_path / 'work'
    run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--seed', '0', *options])

    dump = tmp_path / 'predictions.pkl'
    proc = run_tool(['tools/test.py', CONFIG, work_dir / 'epoch_20.pth', '--work-dir', work_dir,
                     '--dump', dump, *options])
    top1 = float(proc.stdout.split('acc/top1: ')[1].split()[0])
    assert top1 >= 0.6, f'top-1 {top1:.3f} on held-out performers (chance {1 / NUM_CLASSES})'

    # the dump holds one prediction per held-out sample, consistent with the printed top-1
    predictions = mmengine.load(str(dump))
    val_names = mmengine.load(str(ann_file))['split']['xsub_val']
    assert len(predictions) == len(val_names)
    correct = sum(int(p['pred_label'].item() == p['gt_label'].item()) for p in predictions)
    assert abs(correct / len(predictions) - top1) < 1e-6
