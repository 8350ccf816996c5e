"""tools/analysis/masker_study.py on 40 tiny videos: every masker's config differs from the
pretraining config in its masker only, the pretrainings really use that masker, the baselines
run once for all maskers, and the table reports what the protocol measured."""
import importlib
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


def test_table_keeps_the_maskers_of_earlier_calls(tmp_path, monkeypatch):
    """A study run one masker per call (as the 15-epoch runs were) reports them all, in the
    tool's masker order, with the numbers of each one's results.json."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / 'tools/analysis'))
    study = importlib.import_module('masker_study')
    measured = {'directed_mask': (0.325, 0.535, [0.39, 0.408, 0.401], 786.0),
                'directed_keep': (0.352, 0.595, [0.544, 0.506, 0.524], 720.0)}
    for name, (knn, linear, finetuned, seconds) in measured.items():
        results = {'pretrain': {'seconds': seconds},
                   'probe_pretrained': {'knn_top1': knn, 'linear_top1': linear}}
        results.update({f'low_label_pretrained_seed{seed}': {'top1': top1}
                        for seed, top1 in enumerate(finetuned)})
        (tmp_path / name).mkdir()
        (tmp_path / name / 'results.json').write_text(json.dumps(results))
    args = study.parse_args([str(REPO_ROOT / 'configs/dmae/vit_synth.py'),
                             str(REPO_ROOT / 'configs/dmae/vit_synth_ft.py'),
                             '--maskers', 'directed_keep', '--work-dir', str(tmp_path)])
    rows = study.table(args).splitlines()[2:]
    assert rows == [
        '| directed_mask: people masked preferentially (directed, alpha 0.8) | 13.1 | 32.5% | '
        '53.5% | 40.0% +- 0.9 (39.0, 40.8, 40.1) |',
        '| directed_keep: people kept visible (directed, alpha 0.8) | 12.0 | 35.2% | 59.5% | '
        '52.5% +- 1.9 (54.4, 50.6, 52.4) |']
