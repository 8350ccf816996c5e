"""The one place for workarounds of upstream problems (DESIGN.md, "Dependencies").

Each workaround is applied once, by :func:`apply_all` when ``posetools`` is imported,
and is idempotent. Each has a test in ``tests/test_compat.py`` that fails without it.

1. mmaction2 1.2.0 wheels omit ``mmaction/models/localizers/drn``
   (open-mmlab/mmaction2#2714): :func:`install_drn_placeholder`.
2. torch >= 2.6 loads checkpoints with ``weights_only=True`` and mmengine 0.10.7's resume
   fails on its own message-hub objects (open-mmlab/mmengine#1655):
   :func:`allow_mmengine_checkpoint_globals` allow-lists exactly those types.
   mmpose 1.x checkpoints add ``uint8`` arrays (:func:`allow_mmpose_checkpoint_globals`).
   mmengine's local-file loader calls ``torch.load`` without ``weights_only`` (so the
   protection hangs on torch's default and ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``) and its
   errors do not name the file: :func:`load_from_local_weights_only` replaces it, and is the
   one loader of every checkpoint read in posetools.
3. Distributed training on CPU-only machines: mmengine's ``init_dist`` calls
   ``torch.cuda.set_device`` and ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]``;
   :func:`init_cpu_distributed` and the model wrapper
   :class:`posetools.engine.cpu_ddp.CPUDistributedDataParallel` replace both.
4. mmcv-lite (no compiled ops) warns on every import of ``mmcv.cnn.bricks.transformer``
   that ``MultiScaleDeformableAttention`` is missing, an op posetools never uses:
   :func:`ignore_mmcv_lite_ops_warning` ignores exactly that warning.
"""
import contextlib
import importlib.util
import os
import os.path as osp
import pickle
import pickletools
import re
import subprocess
import sys
import types
import warnings
import zipfile
from pathlib import Path
from typing import List, Sequence

import numpy as np
import torch
import torch.distributed as dist
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import CheckpointLoader

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


def mmpose_checkpoint_globals() -> list:
    """What mmpose 1.x checkpoints hold beyond :func:`mmengine_checkpoint_globals`.

    Their ``meta['dataset_meta']`` holds the keypoint and skeleton colours as ``uint8``
    arrays, whose pickles name the ``uint8`` scalar type and its dtype class.
    """
    return [np.uint8, type(np.dtype(np.uint8))]


def allow_mmpose_checkpoint_globals() -> None:
    """Allow-list :func:`mmpose_checkpoint_globals` (for the ``mm`` pose backend)."""
    torch.serialization.add_safe_globals(mmpose_checkpoint_globals())


class CheckpointLoadError(RuntimeError):
    """A checkpoint file that cannot be read (not a torch checkpoint, truncated or corrupt)
    or that holds objects outside the allow-list of ``weights_only`` loading."""


_REFUSED_GLOBAL = re.compile(
    r'GLOBAL (\S+) (?:was not an allowed global|whose module \S+ is blocked)')
"""Torch's weights-only unpickler refusing a global (a class or function named in the pickle)."""
_REFUSED_OBJECT = ('Can only create new object', 'Can only build', 'Trying to call reduce for',
                   'must be imported to load', 'Only persistent_load of storage')
"""Parts of its messages that refuse an object built from allowed globals."""
_DOTTED_NAME = re.compile(r'[A-Za-z_]\w*(\.[A-Za-z_]\w*)*')
_ZIP_MAGIC = b'PK\x03\x04'
"""The first bytes of torch's (zip) checkpoint format."""


def _unpickler_reason(error: pickle.UnpicklingError) -> str:
    """The weights-only unpickler's own message, without torch's advice around it.

    ``torch.load`` re-raises the unpickler's error with advice (among it: rerun with
    ``weights_only=False``) and suppresses the original, which stays the new error's
    ``__context__``; without it the advice is cut from the text.
    """
    if isinstance(error.__context__, pickle.UnpicklingError):
        text = str(error.__context__)
    else:
        text = str(error).split('\n\nCheck the documentation of torch.load')[0]
        text = text.replace(getattr(torch.serialization, 'UNSAFE_MESSAGE', '\0'), '')
        text = text.split('WeightsUnpickler error:')[-1].replace('Weights only load failed.', '')
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ''


_STRING_OPCODES = {'STRING', 'BINSTRING', 'SHORT_BINSTRING', 'UNICODE', 'BINUNICODE',
                   'SHORT_BINUNICODE', 'BINUNICODE8'}


def _pickle_globals(stream) -> List[str]:
    """The globals (``module.name``) a pickle names, read with :mod:`pickletools`: nothing
    is built or run. ``STACK_GLOBAL`` (protocol 4 on) takes its names from the two values
    pushed before it, which may come from the memo. A damaged stream gives the names before
    the damage."""
    names: List[str] = []
    memo: dict = {}
    pushed: list = []
    try:
        for opcode, arg, _ in pickletools.genops(stream):
            kind = opcode.name
            if kind in ('GLOBAL', 'INST'):
                names.append(arg.replace(' ', '.'))
            elif kind == 'STACK_GLOBAL' and len(pushed) >= 2 and all(
                    isinstance(value, str) for value in pushed[-2:]):
                names.append('.'.join(pushed[-2:]))
            if kind == 'MEMOIZE':
                memo[len(memo)] = pushed[-1] if pushed else None
            elif kind.endswith('PUT'):
                memo[arg] = pushed[-1] if pushed else None
            elif kind.endswith('GET'):
                pushed.append(memo.get(arg))
            elif kind not in ('PROTO', 'FRAME', 'MARK', 'STOP'):
                pushed.append(arg if kind in _STRING_OPCODES else None)
    except Exception:  # noqa: BLE001: torn or garbage: keep what was read
        pass
    return [name for name in names if _DOTTED_NAME.fullmatch(name)]


def _refused_globals(filename: str) -> List[str]:
    """The globals that the checkpoint's (first) pickle names outside the allow-list of
    weights-only loading (torch's own and :func:`torch.serialization.add_safe_globals`'),
    sorted; read statically (:func:`_pickle_globals`)."""
    try:
        if zipfile.is_zipfile(filename):  # torch's format: the object is archive/data.pkl
            with zipfile.ZipFile(filename) as archive:
                member = min((name for name in archive.namelist()
                              if name.endswith('data.pkl')), key=len)
                with archive.open(member) as stream:
                    names = _pickle_globals(stream)
        else:  # torch's legacy format: pickles one after the other
            with open(filename, 'rb') as stream:
                names = _pickle_globals(stream)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # no data.pkl, a torn archive
        return []
    try:  # torch's private lists, as torch.serialization.get_unsafe_globals_in_checkpoint
        from torch import _weights_only_unpickler as unpickler
        allowed = set(unpickler._get_allowed_globals()) | set(
            unpickler._get_user_allowed_globals())
    except (ImportError, AttributeError):  # another torch: only the unpickler's own word
        return []
    return sorted(set(names) - allowed)


def _unreadable(filename: str, reason: str) -> CheckpointLoadError:
    """The error for a file that is no checkpoint torch can read."""
    with open(filename, 'rb') as file:
        head = file.read(len(_ZIP_MAGIC))
    if not head:
        return CheckpointLoadError(f'{filename} is empty (0 bytes), not a torch checkpoint')
    # torch saves zip archives; anything else it reads as a pickle (its legacy format)
    what = 'is truncated or corrupt' if head == _ZIP_MAGIC else \
        'is not a torch checkpoint, or is truncated or corrupt'
    advice = '; load an earlier checkpoint instead' if head == _ZIP_MAGIC else ''
    return CheckpointLoadError(f'{filename} {what} ({reason}){advice}')


def load_from_local_weights_only(filename: str, map_location=None,
                                 extra_safe_globals: Sequence = ()) -> dict:
    """Load a local checkpoint, always with ``weights_only=True``: posetools' one loader.

    It is mmengine's loader for local paths (:func:`use_weights_only_checkpoint_loader`),
    so ``Runner.resume``, ``load_checkpoint`` and ``tools/test.py`` use it; tools that read
    checkpoints themselves call it. Errors name the file and say which of two things is
    wrong, never advising ``weights_only=False``:

    - the file holds objects outside the allow-list: the refused globals are named (e.g.
      ``posix.system``), nothing of the file is run;
    - the file is not a torch checkpoint, or is truncated (a kill mid-write) or corrupt.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As for :func:`torch.load`.
        extra_safe_globals (Sequence): Globals allowed for this call only, beyond the
            allow-list of :func:`apply_all` (as for :func:`torch.serialization.safe_globals`).

    Returns:
        dict: The loaded checkpoint.

    Raises:
        FileNotFoundError: There is no such file.
        CheckpointLoadError: See above.
    """
    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    # safe_globals restores the whole allow-list on exit: entered only when there are extras
    extras = list(extra_safe_globals)
    with torch.serialization.safe_globals(extras) if extras else contextlib.nullcontext():
        try:
            return torch.load(filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as error:
            # the unpickler stops at the first refused global, or earlier at an opcode that
            # torch.save never writes (e.g. protocol 4's STACK_GLOBAL): name them all
            reason = _unpickler_reason(error)
            named = _REFUSED_GLOBAL.search(reason)
            names = _refused_globals(filename)  # in the context: the extra globals are allowed
            if named and _DOTTED_NAME.fullmatch(named.group(1)):
                names = sorted({*names, named.group(1)})
            # torch's error (still the __context__) advises weights_only=False: not shown
            if names:
                refused = ', '.join(names)
            elif any(marker in reason for marker in _REFUSED_OBJECT):
                refused = f'an object ({reason})'
            else:
                raise _unreadable(filename, reason or type(error).__name__) from None
            raise CheckpointLoadError(
                f'{filename}: refused to load: it holds {refused}, outside the allow-list of '
                'weights_only loading (posetools never loads a checkpoint with '
                'weights_only=False)') from None
        except Exception as error:  # noqa: BLE001: a torn zip, garbage, an empty file: many types
            raise _load_failure(filename, error) from error


def _load_failure(filename: str, error: Exception) -> CheckpointLoadError:
    """The error for an exception of ``torch.load`` other than the unpickler's."""
    lines = str(error).strip().splitlines()
    message = lines[0] if lines else ('unexpected end of file' if isinstance(error, EOFError)
                                      else '')
    if len(message) > 120:  # torch's zip reader adds sentences of advice
        message = message.split('. ')[0]
    detail = f'{type(error).__name__}: {message}' if message else type(error).__name__
    if 'deserialize object on' in message or 'device module is not registered' in message:
        return CheckpointLoadError(f'{filename}: its tensors were saved on a device that is '
                                   f'not here ({detail}); give a map_location such as "cpu"')
    return _unreadable(filename, detail)


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


def ignore_mmcv_lite_ops_warning() -> None:
    """Ignore mmcv-lite's UserWarning that ``MultiScaleDeformableAttention`` is missing.

    Only that message, from ``mmcv.cnn.bricks.transformer``; mmdet and mmpose, which do
    need compiled ops, fail with their own error (DESIGN.md, "Dependencies" 5). Must run
    before mmcv's transformer module is imported (``import mmaction.models`` imports it).
    """
    warnings.filterwarnings(
        'ignore', message=r'Fail to import ``MultiScaleDeformableAttention``',
        category=UserWarning, module=r'mmcv\.cnn\.bricks\.transformer$')


def apply_all() -> None:
    """Apply every import-time workaround (idempotent)."""
    install_drn_placeholder()
    ignore_mmcv_lite_ops_warning()
    allow_mmengine_checkpoint_globals()
    allow_mmpose_checkpoint_globals()
    use_weights_only_checkpoint_loader()
