"""gen_synth.py --videos writes videos, VideoDataset lists and per-frame annotations."""
import mmengine
from mmengine.registry import init_default_scope

from posetools.datasets import RobustVideoDataset
from tests.helpers import REPO_ROOT, run_tool


def test_gen_synth_videos(tmp_path):
    proc = run_tool([REPO_ROOT / 'tools/data/gen_synth.py', '--num-samples', '20',
                     '--min-frames', '16', '--max-frames', '20', '--videos',
                     '--video-size', '32', '32'], cwd=tmp_path)
    assert 'wrote 20 pixel videos of 32x32 to data/synth/videos' in proc.stdout
    synth = tmp_path / 'data/synth'
    skeletons = mmengine.load(str(synth / 'synth_coco2d.pkl'))
    videos = mmengine.load(str(synth / 'synth_videos.pkl'))
    assert videos['split'] == skeletons['split']
    label_of = {a['frame_dir']: a['label'] for a in skeletons['annotations']}
    frames_of = {a['frame_dir']: a['total_frames'] for a in skeletons['annotations']}
    for ann in videos['annotations']:
        assert ann['label'] == label_of[ann['frame_dir']]
        assert ann['keypoint'].shape[1] == ann['person_box'].shape[1] == frames_of[
            ann['frame_dir']]
    assert sorted(p.name for p in (synth / 'videos').iterdir()) == sorted(
        f'{name}.mp4' for name in label_of)

    init_default_scope('posetools')
    pipeline = [dict(type='VideoInit', min_frames=16),
                dict(type='mmaction.SampleFrames', clip_len=8, frame_interval=2),
                dict(type='mmaction.DecordDecode'),
                dict(type='mmaction.FormatShape', input_format='NCTHW'),
                dict(type='mmaction.PackActionInputs')]
    for split in ('xsub_train', 'xsub_val'):
        lines = (synth / f'synth_videos_{split}.txt').read_text().splitlines()
        names = skeletons['split'][split]
        assert [line.split()[0] for line in lines] == [f'{name}.mp4' for name in names]
        dataset = RobustVideoDataset(str(synth / f'synth_videos_{split}.txt'), pipeline,
                                     data_prefix=dict(video=str(synth / 'videos')),
                                     num_classes=10, test_mode=split == 'xsub_val')
        assert len(dataset) == len(lines)
        sample = dataset[0]
        assert tuple(sample['inputs'].shape) == (1, 3, 8, 32, 32)
        assert int(sample['data_samples'].gt_label) == int(lines[0].split()[1])


def test_gen_synth_rejects_odd_video_size(tmp_path):
    proc = run_tool([REPO_ROOT / 'tools/data/gen_synth.py', '--num-samples', '20', '--videos',
                     '--video-size', '31', '32'], cwd=tmp_path, expect_ok=False)
    assert proc.returncode == 2 and '--video-size needs even sizes' in proc.stderr
    assert not (tmp_path / 'data').exists()
