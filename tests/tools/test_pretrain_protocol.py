"""tools/analysis/pretrain_protocol.py end to end on 40 tiny videos, one epoch per training:
every step runs tools/train.py or probe.py for real, the table reports what they measured,
and a second call reuses the results instead of training again."""
import json
import re

from mmengine.config import Config

from tests.helpers import REPO_ROOT, run_tool


def test_protocol_runs_every_step_and_resumes(tmp_path, synth_videos):
    data = synth_videos
    paths = {'train_dataloader.dataset.ann_file': f'{data}/synth_videos_xsub_train.txt',
             'val_dataloader.dataset.ann_file': f'{data}/synth_videos_xsub_val.txt',
             'train_dataloader.dataset.data_prefix.video': f'{data}/videos',
             'val_dataloader.dataset.data_prefix.video': f'{data}/videos',
             'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1}
    configs = {}
    for name in ('vit_synth', 'vit_synth_ft', 'vit_synth_frame'):
        cfg = Config.fromfile(str(REPO_ROOT / f'configs/mae/{name}.py'))
        cfg.merge_from_dict({key: value for key, value in paths.items()
                             if key.split('.')[0] in cfg and cfg[key.split('.')[0]]})
        configs[name] = tmp_path / f'{name}.py'
        cfg.dump(str(configs[name]))
    work_dir = tmp_path / 'protocol'
    command = ['tools/analysis/pretrain_protocol.py', configs['vit_synth'],
               configs['vit_synth_ft'], '--frame-config', configs['vit_synth_frame'],
               '--seeds', '0', '1', '--pretrain-seed', '3', '--label-share', '0.25',
               '--low-label-epochs', '2',
               '--work-dir', work_dir]
    proc = run_tool(command)
    results = json.loads((work_dir / 'results.json').read_text())
    assert set(results) == {'supervised', 'frame', 'pretrain', 'probe_pretrained',
                            'probe_random', 'low_label_pretrained_seed0',
                            'low_label_scratch_seed0', 'low_label_pretrained_seed1',
                            'low_label_scratch_seed1'}
    # every top-1 is a share of the val clips
    num_val = len((data / 'synth_videos_xsub_val.txt').read_text().splitlines())
    for key, result in results.items():
        for metric in ('top1', 'knn_top1', 'linear_top1'):
            if result.get(metric) is not None:  # the pretraining has no top-1
                count = result[metric] * num_val
                assert abs(count - round(count)) < 1e-6, (key, metric, result)
    # the low-label runs train on a class-balanced quarter of the training list
    train = (data / 'synth_videos_xsub_train.txt').read_text().splitlines()
    subset = (work_dir / 'train_0.25.txt').read_text().splitlines()
    assert set(subset) <= set(train)
    for label in {line.split()[1] for line in train}:
        in_class = sum(line.split()[1] == label for line in train)
        assert sum(line.split()[1] == label for line in subset) == max(1, round(in_class / 4))
    assert re.search(r'\n\s+seed: 3\n', (work_dir / 'pretrain.log').read_text())
    assert re.search(r'\n\s+seed: 1\n', (work_dir / 'low_label_scratch_seed1.log').read_text())
    log = (work_dir / 'low_label_pretrained_seed0.log').read_text()
    epochs = set(re.findall(r'Epoch\(train\)\s+\[(\d+)\]', log))
    assert epochs == {'1', '2'}  # --low-label-epochs 2
    pretrained = results['pretrain']['work_dir'] + '/epoch_1.pth'
    assert f'load backbone. in model from: {pretrained}' in log
    assert 'load backbone.' not in (work_dir / 'low_label_scratch_seed0.log').read_text()
    table = (work_dir / 'results.md').read_text()
    assert table in proc.stdout
    assert f'| supervised from scratch, all labels | {100 * results["supervised"]["top1"]:.1f}%' \
        in table
    assert 'fine-tuned from pretrained, 25% labels, 2 seeds' in table

    again = run_tool(command)
    assert again.stdout.count('done before') == 7
