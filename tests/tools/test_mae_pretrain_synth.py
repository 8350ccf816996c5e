"""VideoMAE pretraining on SynthAction videos lowers its reconstruction loss (tools/train.py),
and a few broken videos in the list are skipped and counted instead of ending the run."""
import json

from tests.helpers import run_tool

CONFIG = 'configs/mae/vit_synth.py'


def test_vit_synth_pretraining_lowers_the_loss(tmp_path):
    data_dir = tmp_path / 'synth'
    run_tool(['tools/data/gen_synth.py', '--out-dir', data_dir, '--num-samples', '240',
              '--seed', '1', '--videos'])
    train_list = (data_dir / 'synth_videos_xsub_train.txt').read_text().splitlines()
    broken = [data_dir / 'videos' / line.split()[0] for line in train_list[:2]]
    broken[0].write_bytes(broken[0].read_bytes()[:300])  # truncated
    broken[1].write_bytes(b'not a video')
    work_dir = tmp_path / 'work'
    options = [f'train_dataloader.dataset.ann_file={data_dir}/synth_videos_xsub_train.txt',
               f'train_dataloader.dataset.data_prefix.video={data_dir}/videos',
               'train_cfg.max_epochs=4', 'default_hooks.logger.interval=4',
               # one warm-up epoch, then cosine, for this 4-epoch run
               'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',
               'param_scheduler.1.T_max=3', 'param_scheduler.1.end=4']
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--seed', '0',
                     '--cfg-options', *options])
    scalars = next(work_dir.rglob('vis_data/scalars.json')).read_text().splitlines()
    losses = [record['loss'] for record in map(json.loads, scalars) if 'loss' in record]
    assert len(losses) >= 8  # 192 training clips, batch 16, 4 epochs, a record every 4 steps
    assert losses[-1] <= 0.7 * losses[0], losses
    assert (work_dir / 'epoch_4.pth').is_file()
    log = proc.stdout + proc.stderr
    for path in broken:
        assert str(path) in log, log[-3000:]
    assert 'skipping a video (2 skipped so far in this process)' in log
