"""Layer-wise learning-rate decay for ViT fine-tuning (BEiT / MAE / VideoMAE)."""
import re
from typing import Dict, List, Optional

import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.optim import DefaultOptimWrapperConstructor

from posetools.registry import OPTIM_WRAPPER_CONSTRUCTORS

BLOCK_NAME = re.compile(r'^backbone\.blocks\.(\d+)\.')
EMBEDDING_PREFIXES = ('backbone.patch_embed', 'backbone.pos_embed', 'backbone.cls_token')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Scale each ViT layer's learning rate by ``decay_rate ** (depth + 1 - layer_id)``.

    Layer ids as in VideoMAE's fine-tuning: 0 for the patch and position embeddings,
    ``i + 1`` for ``backbone.blocks.i``, ``depth + 1`` for everything after the blocks
    (``fc_norm``, the head), which keeps the base learning rate. Weight decay is off for
    1-D parameters (norms, biases, q/v biases, layer scales) and for parameters named in
    ``no_decay_names``, as VideoMAE's ``get_parameter_groups``.

    ``paramwise_cfg`` keys: ``decay_rate`` (e.g. 0.75, required), ``num_layers`` (the
    backbone depth; default: ``len(model.backbone.blocks)``), ``no_decay_names`` (substrings,
    default ``('pos_embed', 'cls_token', 'mask_token')``).
    """

    def add_params(self, params: List[Dict], module: nn.Module, prefix: str = '',
                   is_dcn_module: Optional[bool] = None) -> None:
        """Fill ``params`` with one group per (layer, decay / no decay)."""
        decay_rate = self.paramwise_cfg.get('decay_rate')
        if decay_rate is None:
            raise ValueError('LayerDecayOptimWrapperConstructor needs paramwise_cfg.decay_rate')
        blocks = getattr(getattr(module, 'backbone', None), 'blocks', None)
        num_layers = self.paramwise_cfg.get('num_layers', len(blocks) if blocks else None)
        if num_layers is None:
            raise ValueError('LayerDecayOptimWrapperConstructor needs model.backbone.blocks or '
                             'paramwise_cfg.num_layers')
        no_decay_names = tuple(self.paramwise_cfg.get(
            'no_decay_names', ('pos_embed', 'cls_token', 'mask_token')))
        groups: Dict[str, Dict] = {}
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            decay = not (param.ndim == 1 or name.endswith('.bias')
                         or any(key in name for key in no_decay_names))
            layer_id = self.layer_id(name, num_layers)
            group_name = f'layer_{layer_id}_{"decay" if decay else "no_decay"}'
            if group_name not in groups:
                scale = decay_rate**(num_layers + 1 - layer_id)
                groups[group_name] = dict(params=[], lr=self.base_lr * scale, lr_scale=scale,
                                          weight_decay=self.base_wd if decay else 0.,
                                          group_name=group_name)
            groups[group_name]['params'].append(param)
        MMLogger.get_current_instance().info(
            f'layer-wise lr decay {decay_rate} over {num_layers} blocks: '
            + ', '.join(f'{key} x{group["lr_scale"]:.4g} ({len(group["params"])})'
                        for key, group in sorted(groups.items())))
        params.extend(groups.values())

    @staticmethod
    def layer_id(name: str, num_layers: int) -> int:
        """0 for embeddings, i + 1 for ``backbone.blocks.i``, ``num_layers + 1`` otherwise."""
        if name.startswith(EMBEDDING_PREFIXES):
            return 0
        match = BLOCK_NAME.match(name)
        return int(match.group(1)) + 1 if match else num_layers + 1
