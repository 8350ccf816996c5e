"""Distributed data parallel training of models on the CPU (gloo), where mmengine passes GPU ids."""
import torch
from mmengine.model import MMDistributedDataParallel

from posetools.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that drops ``device_ids`` for CPU modules.

    ``Runner.wrap_model`` (mmengine 0.10.7) always passes ``device_ids=[LOCAL_RANK]``,
    which torch's DDP rejects for a module on the CPU. Use it through
    ``model_wrapper_cfg = dict(type='posetools.CPUDistributedDataParallel')``;
    ``tools/train.py`` sets that automatically on machines without a GPU
    (:func:`posetools.engine.launch.setup_launcher`, with
    :func:`posetools.compat.init_cpu_distributed` for the process group).
    """

    def __init__(self, module: torch.nn.Module, device_ids=None, **kwargs) -> None:
        on_cpu = all(p.device.type == 'cpu' for p in module.parameters())
        super().__init__(module=module, device_ids=None if on_cpu else device_ids, **kwargs)
