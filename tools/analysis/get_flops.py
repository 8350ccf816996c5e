"""Parameters and FLOPs of a config's model, counted by mmengine's complexity counter.

    python tools/analysis/get_flops.py configs/posec3d/slowonly_r50_ntu60_xsub.py --shape 17 48 64 64

``--shape`` is one clip without the batch axis (C T H W for 3D CNNs); the model's
``extract_feat`` is measured, as mmaction2's get_flops.py does (multiply-adds, 1 clip).
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.registry import init_default_scope

from posetools.registry import MODELS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('--shape', type=int, nargs='+', required=True,
                        help='one input clip, e.g. 17 48 64 64 (C T H W)')
    parser.add_argument('--table', action='store_true', help='print the per-module table')
    return parser.parse_args()


def model_complexity(config_path: str, clip_shape: tuple) -> dict:
    """mmengine's complexity info of ``extract_feat`` on one zero clip of ``clip_shape``."""
    cfg = Config.fromfile(config_path)
    init_default_scope(cfg.get('default_scope', 'posetools'))
    model = MODELS.build(cfg.model).eval()
    model.forward = model.extract_feat
    inputs = torch.zeros((1, 1) + tuple(clip_shape))  # (batch, clips, *clip)
    return get_model_complexity_info(model, inputs=(inputs, ), show_arch=False)


def main() -> None:
    args = parse_args()
    info = model_complexity(args.config, tuple(args.shape))
    if args.table:
        print(info['out_table'])
    print(f"input clip {tuple(args.shape)}: {info['flops_str']} FLOPs (multiply-adds), "
          f"{info['params_str']} parameters ({info['params']:,})")


if __name__ == '__main__':
    main()
