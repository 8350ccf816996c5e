"""The one place for workarounds of upstream problems (DESIGN.md, "Dependencies").

Each workaround is applied once, by :func:`apply_all` when ``posetools`` is imported,
and is idempotent. Each has a test in ``tests/test_compat.py`` that fails without it.

1. mmaction2 1.2.0 wheels omit ``mmaction/models/localizers/drn``
   (open-mmlab/mmaction2#2714): :func:`install_drn_placeholder`.
2. torch >= 2.6 loads checkpoints with ``weights_only=True`` and mmengine 0.10.7's resume
   fails on its own message-hub objects (open-mmlab/mmengine#1655):
   :func:`allow_mmengine_checkpoint_globals` allow-lists exactly those types.
   mmengine's local-file loader calls ``torch.load`` without ``weights_only`` (so the
   protection hangs on torch's default and ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``) and its
   errors do not name the file: :func:`load_from_local_weights_only` replaces it.
3. Distributed training on CPU-only machines: mmengine's ``init_dist`` calls
   ``torch.cuda.set_device`` and ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]``;
   :func:`init_cpu_distributed` and :class:`CPUDistributedDataParallel` replace both.
"""
import importlib.util
import os
import os.path as osp
import pickle
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import MMDistributedDataParallel
from mmengine.runner import CheckpointLoader

from posetools.registry import MODEL_WRAPPERS

DRN_MODULE = 'mmaction.models.localizers.drn'


def install_drn_placeholder() -> bool:
    """Register a placeholder for mmaction2's missing ``localizers.drn`` package.

    Only acts when the installed mmaction2 really lacks the folder, so a fixed
    mmaction2 is used untouched. Must run before ``import mmaction.models``.

    Returns:
        bool: True if the placeholder was installed by this call.
    """
    if DRN_MODULE in sys.modules:
        return False
    mmaction_spec = importlib.util.find_spec('mmaction')
    if mmaction_spec is None or mmaction_spec.origin is None:
        return False
    drn_dir = Path(mmaction_spec.origin).parent / 'models' / 'localizers' / 'drn'
    if drn_dir.is_dir():
        return False

    class DRN:
        """Placeholder for mmaction2's DRN localizer, missing from the 1.2.0 wheel."""

        def __init__(self, *args, **kwargs) -> None:
            raise ImportError(
                'mmaction2 1.2.0 was installed without mmaction/models/localizers/drn '
                '(open-mmlab/mmaction2#2714); install mmaction2 from source to use DRN.')

    package = types.ModuleType(DRN_MODULE)
    package.__path__ = []  # a package, so that `drn.drn` resolves below it
    module = types.ModuleType(f'{DRN_MODULE}.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[DRN_MODULE] = package
    sys.modules[f'{DRN_MODULE}.drn'] = module
    return True


def history_buffer_statistic(owner: type, name: str):
    """Stand-in for ``getattr`` while unpickling an mmengine ``HistoryBuffer``.

    A pickled ``HistoryBuffer`` stores its statistics methods (``min``, ``mean``, ...)
    as ``getattr(HistoryBuffer, name)``. Allow-listing ``builtins.getattr`` itself would
    let a malicious checkpoint reach any attribute (``__globals__`` and from there
    ``eval``), so the pickled name ``builtins.getattr`` is bound to this function,
    which resolves only public methods defined on ``HistoryBuffer`` itself and
    statistics registered with ``HistoryBuffer.register_statistics``.
    """
    own_method = isinstance(vars(HistoryBuffer).get(name), types.FunctionType)
    statistic = (own_method and not name.startswith('_')) or (
        name in HistoryBuffer._statistics_methods)
    if owner is not HistoryBuffer or not statistic:
        raise pickle.UnpicklingError(
            f'checkpoint asks for getattr({owner!r}, {name!r}); only HistoryBuffer statistics '
            'are allowed in weights_only loading')
    return getattr(HistoryBuffer, name)


def mmengine_checkpoint_globals() -> list:
    """The non-tensor globals mmengine 0.10.7 puts into a checkpoint's ``message_hub``.

    ``HistoryBuffer`` holds numpy arrays of logged scalars and references its
    statistics methods through ``getattr`` (see :func:`history_buffer_statistic`);
    ``meta`` and the runtime info hold numpy scalars (e.g. ``np.float64``) whose
    pickles reference the reconstruct helpers and dtype classes below.
    """
    numpy_scalar_types = [np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_]
    return [
        HistoryBuffer,
        (history_buffer_statistic, 'builtins.getattr'),
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *numpy_scalar_types,
        *(type(np.dtype(scalar)) for scalar in numpy_scalar_types),
    ]


def allow_mmengine_checkpoint_globals() -> None:
    """Allow-list mmengine's checkpoint contents for ``torch.load(weights_only=True)``.

    Never falls back to ``weights_only=False``: arbitrary pickles stay refused.
    """
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())


class CheckpointLoadError(RuntimeError):
    """A checkpoint file that is truncated, corrupt or holds objects outside the allow-list."""


def load_from_local_weights_only(filename: str, map_location=None) -> dict:
    """mmengine's loader for local files, always with ``weights_only=True``.

    Errors name the file: a refused object (not in the allow-list) and a file that
    cannot be read (truncated by a kill, corrupt) raise :class:`CheckpointLoadError`.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As for :func:`torch.load`.

    Returns:
        dict: The loaded checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        if 'Weights only load failed' not in str(error):
            raise CheckpointLoadError(f'{filename} is truncated or corrupt: {error}') from error
        reason = str(error).split('WeightsUnpickler error: ')[-1].split('\n')[0]
        raise CheckpointLoadError(
            f'{filename}: refused to load a Python object outside the allow-list of '
            f'weights_only loading, and posetools never falls back to weights_only=False: '
            f'{reason}') from error
    except Exception as error:  # truncated zip, empty or garbage file: torch raises many types
        raise CheckpointLoadError(
            f'{filename} is truncated or corrupt ({type(error).__name__}: {error}); '
            'load an earlier checkpoint instead') from error


def use_weights_only_checkpoint_loader() -> None:
    """Make :func:`load_from_local_weights_only` mmengine's loader for local paths."""
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_weights_only, force=True)


def init_cpu_distributed(launcher: str) -> bool:
    """Initialise a gloo process group for ``launcher`` when no GPU is available.

    mmengine's ``init_dist`` unconditionally calls ``torch.cuda.set_device``; if the
    process group already exists, ``Runner`` skips it. For ``slurm`` the rank layout
    is read from the SLURM environment as mmengine would.

    Args:
        launcher (str): ``'none'``, ``'pytorch'`` (torchrun) or ``'slurm'``.

    Returns:
        bool: True if a process group was created by this call.
    """
    if launcher == 'none' or torch.cuda.is_available() or dist.is_initialized():
        return False
    if launcher == 'slurm':
        nodes = os.environ['SLURM_NODELIST']
        master = subprocess.check_output(
            ['scontrol', 'show', 'hostnames', nodes], text=True).split()[0]
        # as mmengine's slurm launcher: the first node is the master, whatever the submitting
        # shell exported; the port comes from the launcher (tools/slurm_train.sh picks one)
        os.environ['MASTER_ADDR'] = master
        os.environ.setdefault('MASTER_PORT', '29500')
        os.environ['RANK'] = os.environ['SLURM_PROCID']
        os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
        os.environ['LOCAL_RANK'] = os.environ['SLURM_LOCALID']
    elif launcher != 'pytorch':
        raise ValueError(f'launcher {launcher!r} is not supported on CPU; '
                         "use 'pytorch' (torchrun) or 'slurm'")
    dist.init_process_group(backend='gloo')
    return True


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that drops ``device_ids`` for CPU modules.

    ``Runner.wrap_model`` always passes ``device_ids=[LOCAL_RANK]``, which torch's
    DDP rejects for a module on the CPU. Use it through
    ``model_wrapper_cfg = dict(type='posetools.CPUDistributedDataParallel')``;
    ``tools/train.py`` sets that automatically on machines without a GPU.
    """

    def __init__(self, module: torch.nn.Module, device_ids=None, **kwargs) -> None:
        on_cpu = all(p.device.type == 'cpu' for p in module.parameters())
        super().__init__(module=module, device_ids=None if on_cpu else device_ids, **kwargs)


def apply_all() -> None:
    """Apply every import-time workaround (idempotent)."""
    install_drn_placeholder()
    allow_mmengine_checkpoint_globals()
    use_weights_only_checkpoint_loader()
