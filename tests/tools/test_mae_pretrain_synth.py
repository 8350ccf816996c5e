"""VideoMAE pretraining runs end to end through tools/train.py: configs/mae/vit_synth.py as
it stands (model, pipeline, optimiser) on gen_synth.py's videos lowers its reconstruction loss,
and broken videos in the list are skipped and counted in the run's log instead of ending it.

The parts are tested on their own elsewhere: the model learns on a fixed batch
(tests/models/test_video_mae.py), every config builds and runs a step on a shrunk model
(tests/test_configs.py), RobustVideoDataset skips and counts broken videos
(tests/datasets/test_video_loading.py). This test checks that they fit together, on the
fewest clips and steps that show it.
"""
import json
import shutil

from tests.helpers import run_tool

CONFIG = 'configs/mae/vit_synth.py'
EPOCHS = 8  # 30 training clips, batch 16: 2 steps an epoch


def test_vit_synth_pretraining_lowers_the_loss(tmp_path, synth_videos):
    data_dir = tmp_path / 'synth_video'
    shutil.copytree(synth_videos, data_dir)  # a copy: two of its videos are broken here
    train_list = (data_dir / 'synth_videos_xsub_train.txt').read_text().splitlines()
    broken = [data_dir / 'videos' / line.split()[0] for line in train_list[:2]]
    broken[0].write_bytes(broken[0].read_bytes()[:300])  # truncated
    broken[1].write_bytes(b'not a video')
    work_dir = tmp_path / 'work'
    options = [f'train_dataloader.dataset.ann_file={data_dir}/synth_videos_xsub_train.txt',
               f'train_dataloader.dataset.data_prefix.video={data_dir}/videos',
               f'train_cfg.max_epochs={EPOCHS}',
               # a record per epoch, its mean loss
               'default_hooks.logger.interval=2', 'log_processor.window_size=2',
               # one warm-up epoch, then cosine to the end
               'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',
               f'param_scheduler.1.T_max={EPOCHS - 1}', f'param_scheduler.1.end={EPOCHS}']
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--seed', '0',
                     '--cfg-options', *options])
    scalars = next(work_dir.rglob('vis_data/scalars.json')).read_text().splitlines()
    losses = [record['loss'] for record in map(json.loads, scalars) if 'loss' in record]
    assert len(losses) == EPOCHS
    assert losses[-1] <= 0.7 * losses[0], losses
    assert (work_dir / f'epoch_{EPOCHS}.pth').is_file()
    log = proc.stdout + proc.stderr
    for path in broken:
        assert str(path) in log, log[-3000:]
    assert 'skipping a video (2 skipped so far in this process)' in log
