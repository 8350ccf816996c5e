"""gen_synth.py writes what the synth configs read; print_config.py shows merged configs."""
from mmengine.config import Config

from posetools.datasets import ValidatedPoseDataset
from tests.helpers import REPO_ROOT, run_tool


def test_gen_synth_defaults_write_what_stt_synth_reads(tmp_path):
    proc = run_tool([REPO_ROOT / 'tools/data/gen_synth.py', '--num-samples', '40'], cwd=tmp_path)
    assert 'wrote data/synth/synth_ntu3d.pkl' in proc.stdout
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/skeleton_transformer/stt_synth.py'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[name].dataset
        assert (tmp_path / dataset.ann_file).is_file()
        loaded = ValidatedPoseDataset(
            str(tmp_path / dataset.ann_file), [], split=dataset.split,
            num_classes=dataset.num_classes, num_joints=dataset.num_joints)
        assert len(loaded) > 0
    assert (tmp_path / 'data/synth/synth_coco2d.pkl').is_file()


def test_print_config_applies_cfg_options():
    proc = run_tool(['tools/analysis/print_config.py',
                     'configs/skeleton_transformer/stt_ntu60_xsub.py',
                     '--cfg-options', 'train_cfg.max_epochs=3'])
    assert "default_scope = 'posetools'" in proc.stdout
    assert 'max_epochs=3' in proc.stdout
