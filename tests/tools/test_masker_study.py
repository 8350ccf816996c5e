"""tools/analysis/masker_study.py on 40 tiny videos: every masker's config differs from the
pretraining config in its masker only, the pretrainings really use that masker, the baselines
run once for all maskers, and the table reports what the protocol measured."""
import json

from mmengine.config import Config

from tests.helpers import REPO_ROOT, run_tool


def test_study_pretrains_each_masker_and_shares_the_baselines(tmp_path, synth_videos):
    data = synth_videos
    configs = {}
    for name in ('vit_synth', 'vit_synth_ft'):
        cfg = Config.fromfile(str(REPO_ROOT / f'configs/dmae/{name}.py'))
        for loader in ('train_dataloader', 'val_dataloader'):
            if cfg.get(loader):
                cfg[loader].dataset.ann_file = f'{data}/synth_videos_xsub_{loader[:-11]}.txt'
                cfg[loader].dataset.data_prefix.video = f'{data}/videos'
        if cfg.train_dataloader.dataset.type == 'PoseVideoDataset':
            cfg.train_dataloader.dataset.pose_file = f'{data}/synth_videos.pkl'
        configs[name] = tmp_path / f'{name}.py'
        cfg.dump(str(configs[name]))
    work_dir = tmp_path / 'study'
    command = ['tools/analysis/masker_study.py', configs['vit_synth'], configs['vit_synth_ft'],
               '--maskers', 'tube', 'directed_keep', '--pretrain-epochs', '3', '--steps',
               'pretrain', 'probe', '--work-dir', work_dir]
    proc = run_tool(command)

    base = Config.fromfile(str(configs['vit_synth']))
    for name, masker in (('tube', 'TubeMasker'), ('directed_keep', 'DirectedMasker')):
        cfg = Config.fromfile(str(work_dir / 'configs' / f'{name}.py'))
        assert cfg.model.masker.type == masker
        assert cfg.train_cfg.max_epochs == 3 and cfg.param_scheduler[1].end == 3
        assert cfg.train_dataloader == base.train_dataloader and cfg.model.backbone == \
            base.model.backbone
        # the config the run wrote to its own log file (WORK_DIR/<time>/<time>.log)
        run_logs = [path.read_text() for path in (work_dir / name).glob('**/*/*.log')]
        assert any(f"type='{masker}'" in log for log in run_logs)
        assert (work_dir / f'masks_{name}').is_dir()
    assert (work_dir / 'masks.png').is_file()
    baseline = json.loads((work_dir / 'baseline' / 'results.json').read_text())
    assert set(baseline) == {'probe_random'}  # once, not once per masker
    for name in ('tube', 'directed_keep'):
        assert set(json.loads((work_dir / name / 'results.json').read_text())) == \
            {'pretrain', 'probe_pretrained'}
    table = (work_dir / 'results.md').read_text()
    assert table in proc.stdout
    tube = json.loads((work_dir / 'tube' / 'results.json').read_text())['probe_pretrained']
    assert '| tube: VideoMAE tube masking | ' in table
    assert f'{100 * tube["knn_top1"]:.1f}% | {100 * tube["linear_top1"]:.1f}% | not run |' \
        in table
    assert '| none (random init / from scratch) | - |' in table
