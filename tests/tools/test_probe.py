"""tools/analysis/probe.py: the encoder it probes is the checkpoint's, its features are the
encoder's on the val pipeline, and checkpoints that do not fit are refused by name."""
import importlib.util
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from posetools.registry import DATASETS, MODELS
from tests.helpers import REPO_ROOT, run_tool

spec = importlib.util.spec_from_file_location('probe', REPO_ROOT / 'tools/analysis/probe.py')
probe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(probe)


@pytest.fixture(scope='module')
def tiny_cfg(tmp_path_factory) -> Config:
    """vit_synth_ft.py on 30 generated 'pixel' videos (20 train, 10 val)."""
    data = tmp_path_factory.mktemp('synth_video')
    run_tool(['tools/data/gen_synth.py', '--out-dir', data, '--num-samples', '30',
              '--min-frames', '44', '--max-frames', '48', '--videos'])
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/mae/vit_synth_ft.py'))
    cfg.merge_from_dict({
        'train_dataloader.dataset.ann_file': f'{data}/synth_videos_xsub_train.txt',
        'train_dataloader.dataset.data_prefix.video': f'{data}/videos',
        'val_dataloader.dataset.ann_file': f'{data}/synth_videos_xsub_val.txt',
        'val_dataloader.dataset.data_prefix.video': f'{data}/videos'})
    init_default_scope('posetools')
    return cfg


def pretrained_checkpoint(path, embed_dims: int = 128) -> dict:
    """A vit_synth.py VideoMAE state dict with random weights, saved like mmengine does."""
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/mae/vit_synth.py'))
    cfg.model.backbone.embed_dims = embed_dims
    cfg.model.neck.in_dims = embed_dims
    torch.manual_seed(embed_dims)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(meta=dict(epoch=1), state_dict=model.state_dict()), str(path))
    return model.backbone.state_dict()


def test_encoder_is_the_checkpoints(tiny_cfg, tmp_path):
    weights = pretrained_checkpoint(tmp_path / 'pretrain.pth')
    encoder = probe.build_encoder(tiny_cfg, str(tmp_path / 'pretrain.pth'), seed=0)
    assert encoder.out_type == 'tokens' and not encoder.training
    for name, value in encoder.state_dict().items():
        assert torch.equal(value, weights[name]), name
    random_a = probe.build_encoder(tiny_cfg, 'random', seed=0).state_dict()
    random_b = probe.build_encoder(tiny_cfg, 'random', seed=0).state_dict()
    assert all(torch.equal(random_a[k], random_b[k]) for k in random_a)
    assert not torch.equal(random_a['blocks.0.mlp.0.weight'], weights['blocks.0.mlp.0.weight'])


def test_features_are_the_mean_token_over_val_clips(tiny_cfg, tmp_path):
    pretrained_checkpoint(tmp_path / 'pretrain.pth')
    encoder = probe.build_encoder(tiny_cfg, str(tmp_path / 'pretrain.pth'), seed=0)
    preprocessor = MODELS.build(tiny_cfg.model.data_preprocessor)
    feats, labels = probe.extract_features(tiny_cfg, 'val', encoder, preprocessor)
    dataset = DATASETS.build(tiny_cfg.val_dataloader.dataset)
    assert feats.shape == (len(dataset), 128) and labels.tolist() == [
        dataset.get_data_info(i)['label'] for i in range(len(dataset))]
    sample = dataset[0]
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1, 1)
    clips = (sample['inputs'].float() - mean) / std  # (2 clips, C, T, H, W)
    with torch.no_grad():
        expected = encoder(clips).mean(dim=1).mean(dim=0)
    torch.testing.assert_close(feats[0], expected, rtol=1e-4, atol=1e-5)


def test_probe_cli_writes_results(tiny_cfg, tmp_path):
    pretrained_checkpoint(tmp_path / 'pretrain.pth')
    tiny_cfg.dump(str(tmp_path / 'tiny_ft.py'))
    proc = run_tool(['tools/analysis/probe.py', tmp_path / 'tiny_ft.py', tmp_path / 'pretrain.pth',
                     '--k', '5', '--out', tmp_path / 'probe.json'])
    result = json.loads((tmp_path / 'probe.json').read_text())
    assert set(result) >= {'knn_top1', 'linear_top1', 'k'} and result['k'] == 5
    # every top-1 is a share of the 10 val clips
    assert len(open(tiny_cfg.val_dataloader.dataset.ann_file).readlines()) == 10
    for key in ('knn_top1', 'linear_top1'):
        assert abs(result[key] * 10 - round(result[key] * 10)) < 1e-6
    assert f'k-NN (k=5) top-1 {result["knn_top1"]:.4f}' in proc.stdout


def test_checkpoints_that_do_not_fit_are_refused(tiny_cfg, tmp_path):
    pretrained_checkpoint(tmp_path / 'small.pth', embed_dims=64)
    with pytest.raises(ValueError, match=r'small\.pth: the backbone\.\* weights do not fit'):
        probe.build_encoder(tiny_cfg, str(tmp_path / 'small.pth'), seed=0)
    torch.save(dict(state_dict=dict(head_weight=torch.zeros(2))), str(tmp_path / 'head.pth'))
    with pytest.raises(ValueError, match=r'head\.pth: no backbone\.\* weights'):
        probe.build_encoder(tiny_cfg, str(tmp_path / 'head.pth'), seed=0)
    with pytest.raises(FileNotFoundError, match='missing.pth: no such checkpoint'):
        probe.build_encoder(tiny_cfg, str(tmp_path / 'missing.pth'), seed=0)
