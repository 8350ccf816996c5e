"""mmengine's Runner with a console log that a person reads top to bottom."""
import logging
from collections import OrderedDict
from typing import Dict, Optional, Union

from mmengine.device import get_device
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from mmengine.utils.dl_utils import collect_env

# mmengine 0.10.7's own CheckpointHook uses its deprecated FileClient: these notices ask
# nothing of the user
UPSTREAM_NOTICES = ('"FileClient" will be deprecated in future',
                    '"HardDiskBackend" is the alias of "LocalBackend"')
# Details for the log file only: the Runner's hook-order table, the optimizer constructor's
# line per parameter with its own lr or decay (dozens of lines), and the Runner's note on
# SyncBN layers, which it logs for every model when not distributed
FILE_ONLY_PREFIXES = ('Hooks will be executed in the following order', 'paramwise_options -- ',
                      'Distributed training is not used, all SyncBatchNorm')
BUILD_DETAILS = 'PyTorch compiling details'
ONLY = 'posetools_only'  # LogRecord attribute: the one destination of a record
CONSOLE, FILE = 'console', 'file'


class UpstreamNoticeFilter(logging.Filter):
    """Drops the records of :data:`UPSTREAM_NOTICES`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(UPSTREAM_NOTICES)


class DestinationFilter(logging.Filter):
    """On the handler of ``destination``: drops the records meant for the other destination.

    A record meant for one destination only carries ``extra={ONLY: destination}``; the
    records of :data:`FILE_ONLY_PREFIXES` go to the log file only.
    """

    def __init__(self, destination: str) -> None:
        super().__init__()
        self.destination = destination

    def filter(self, record: logging.LogRecord) -> bool:
        only = getattr(record, ONLY, None)
        if only is None and self.destination == CONSOLE:
            return not str(record.msg).startswith(FILE_ONLY_PREFIXES)
        return only in (None, self.destination)


def environment_text(env: Dict[str, object], runtime: Dict[str, object]) -> str:
    """The environment block in mmengine's layout."""
    def lines(items: Dict[str, object]) -> str:
        return ''.join(f'\n    {key}: {value}' for key, value in items.items())

    dash_line = '-' * 60
    return (f'\n{dash_line}\nSystem environment:{lines(env)}\n\n'
            f'Runtime environment:{lines(runtime)}\n{dash_line}\n')


class PosetoolsRunner(Runner):
    """mmengine's ``Runner`` whose console log reads top to bottom; the log file keeps all.

    - The console shows the environment without PyTorch's build settings; the full
      environment, the config and :data:`FILE_ONLY_PREFIXES` (the hook order, the
      per-parameter optimizer settings) go to the log file only, which the console names
      (mmengine prints them all on the console, for the training and again for the test).
    - The runtime environment names the device and the number of processes instead of
      mmengine's ``GPU number`` (the world size, also on a CPU), and leaves ``dist_cfg``
      out when there is no process group (its nccl default is then unused).
    - :data:`UPSTREAM_NOTICES` are dropped.

    Relies on mmengine 0.10.7's ``Runner._log_env`` being the one place that logs the
    environment and the config.
    """

    def build_logger(self, log_level: Union[int, str] = 'INFO', log_file: Optional[str] = None,
                     **kwargs) -> MMLogger:
        """mmengine's logger with :class:`UpstreamNoticeFilter` and
        :class:`DestinationFilter` on its console and file handlers."""
        logger = super().build_logger(log_level, log_file, **kwargs)
        if not any(isinstance(each, UpstreamNoticeFilter) for each in logger.filters):
            logger.addFilter(UpstreamNoticeFilter())
        for handler in logger.handlers:
            if not any(isinstance(each, DestinationFilter) for each in handler.filters):
                handler.addFilter(DestinationFilter(
                    FILE if isinstance(handler, logging.FileHandler) else CONSOLE))
        return logger

    def _log_env(self, env_cfg: dict) -> None:
        """Log the environment and the config (see the class docstring)."""
        env = collect_env()
        runtime = OrderedDict(env_cfg)
        if not self.distributed:
            runtime.pop('dist_cfg', None)
        runtime.update(self._randomness_cfg)
        runtime.update({'seed': self.seed, 'Distributed launcher': self.launcher,
                        'Distributed training': self.distributed, 'Device': get_device(),
                        'Processes': self.world_size})
        self.logger.info(environment_text(env, runtime), extra={ONLY: FILE})
        brief_env = {key: value for key, value in env.items() if key != BUILD_DETAILS}
        self.logger.info(
            environment_text(brief_env, runtime)
            + 'Full environment, config, hook order and per-parameter optimizer settings: '
            f'{self.logger.log_file}',
            extra={ONLY: CONSOLE})
        if self.cfg:
            self.logger.info(f'Config:\n{self.cfg.pretty_text}', extra={ONLY: FILE})
