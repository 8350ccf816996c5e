"""CPUDistributedDataParallel: DDP for CPU modules, found by configs as before its move."""
import subprocess
import sys

import torch

from posetools.engine import cpu_ddp
from tests.helpers import REPO_ROOT


def test_cpu_ddp_wrapper_drops_device_ids_for_cpu_modules(monkeypatch):
    captured = {}

    def fake_ddp_init(self, module, device_ids=None, **kwargs):
        captured['device_ids'] = device_ids
        torch.nn.Module.__init__(self)

    monkeypatch.setattr(cpu_ddp.MMDistributedDataParallel, '__init__', fake_ddp_init)
    cpu_ddp.CPUDistributedDataParallel(torch.nn.Linear(2, 2), device_ids=[0])
    assert captured['device_ids'] is None


def test_configs_find_the_wrapper_by_its_scoped_name():
    """As ``Runner.wrap_model`` builds ``model_wrapper_cfg``, in a process that imported only
    ``posetools`` (tools/train.py): the registry imports ``posetools.engine`` itself."""
    code = ('import posetools\n'
            'from mmengine.registry import MODEL_WRAPPERS\n'
            "print(MODEL_WRAPPERS.get('posetools.CPUDistributedDataParallel').__module__)\n")
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ['posetools.engine.cpu_ddp']
