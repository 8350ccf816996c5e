"""Check ``--cfg-options`` keys before they are merged, so that a typo is not silently added.

mmengine's ``Config.merge_from_dict`` adds any key it is given: ``load_form=CKPT`` becomes a
new top-level entry that nothing reads, and the run trains from scratch. A top-level key that
neither the config nor the mmengine Runner knows is an error; a nested key missing from a
dict of the config that closely resembles one of its keys is a warning (adding new nested
keys is legitimate: a constructor argument the config leaves at its default).
"""
import difflib
import inspect
import logging
import re
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from mmengine.config import Config
from mmengine.config.config import BASE_KEY
from mmengine.logging import print_log
from mmengine.runner import Runner

# A top-level key read by the Runner: ``cfg.get('key'`` / ``cfg['key']`` in its source.
_RUNNER_CFG_READ = re.compile(r"(?<![\w.])(?:self\.)?cfg(?:\.get\(\s*|\[)['\"](\w+)['\"]")
# Read by ``Config.fromfile`` itself (mmengine has no constant for it).
_CUSTOM_IMPORTS = 'custom_imports'
# difflib similarity above which a new nested key is taken for a typo of an existing one:
# max_epoch/max_epochs 0.95, ende/end 0.86, but attn_drop_rate/drop_rate (both real
# arguments of a backbone) 0.78
NESTED_TYPO_CUTOFF = 0.8


class ConfigOptionError(ValueError):
    """A ``--cfg-options`` key that nothing reads."""


def runner_config_keys() -> FrozenSet[str]:
    """The top-level config keys mmengine's Runner reads, derived from its code.

    They are the parameters of ``Runner.__init__`` (``Runner.from_cfg`` passes the config
    entries of the same names) and the keys its methods read from the config
    (``model_wrapper_cfg``, ``compile``, ``find_unused_parameters``, ...), plus the keys
    ``Config.fromfile`` reads (``_base_``, ``custom_imports``).
    """
    parameters = set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
    read = set(_RUNNER_CFG_READ.findall(inspect.getsource(Runner)))
    return frozenset(parameters | read | {BASE_KEY, _CUSTOM_IMPORTS})


def _did_you_mean(key: str, candidates: List[str], prefix: str = '',
                  cutoff: float = 0.6) -> str:
    """`` (did you mean PREFIXMATCH?)`` for the closest candidate, or ``''``."""
    matches = difflib.get_close_matches(key, candidates, n=1, cutoff=cutoff)
    return f' (did you mean {prefix}{matches[0]}?)' if matches else ''


def _nested_warning(cfg: Config, option: str) -> Optional[str]:
    """The warning for ``option`` (``a.b.c``) if it adds a key that resembles an existing one.

    The path is followed through the config's dicts and lists (``pipeline.2.clip_len``);
    where a dict lacks the next key and one of its keys is a close match
    (:data:`NESTED_TYPO_CUTOFF`), that is the warning. A path that leaves the config's
    structure in any other way is not checked.
    """
    top, *parts = option.split('.')
    if top not in cfg:
        return None  # a Runner key the config lacks: nothing to compare with
    node: Any = cfg[top]
    for depth, part in enumerate(parts, start=1):
        if isinstance(node, dict):
            if part not in node:
                parent = '.'.join([top, *parts[:depth - 1]])
                hint = _did_you_mean(part, [str(key) for key in node], f'{parent}.',
                                     NESTED_TYPO_CUTOFF)
                if not hint:
                    return None
                return (f'--cfg-options {option}: {parent} has no key {part!r}{hint}; '
                        'it is added as a new key')
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return None


def find_option_problems(cfg: Config, options: Dict[str, Any]) -> Tuple[List[str], List[str]]:
    """The errors and the warnings of ``options`` (``--cfg-options``) against ``cfg``.

    Args:
        cfg (Config): The config before the options are merged.
        options (dict): The parsed ``--cfg-options``, dotted keys to values.

    Returns:
        tuple[list[str], list[str]]: One message per unknown top-level key (errors) and one
        per nested key that looks like a typo of an existing one (warnings).
    """
    known = sorted(set(cfg.keys()) | runner_config_keys())
    errors, warnings = [], []
    for option in options:
        top = option.split('.')[0]
        if top not in known:
            errors.append(f'--cfg-options {option}: neither the config nor the mmengine '
                          f'Runner knows the key {top!r}{_did_you_mean(top, known)}')
            continue
        warning = _nested_warning(cfg, option)
        if warning is not None:
            warnings.append(warning)
    return errors, warnings


def check_cfg_options(cfg: Config, options: Dict[str, Any]) -> None:
    """Log a warning per likely-typo nested key; raise if a top-level key is unknown.

    Args:
        cfg (Config): The config before the options are merged.
        options (dict): The parsed ``--cfg-options``.

    Raises:
        ConfigOptionError: A top-level key neither the config nor the Runner knows; the
            message names each such key with the closest known key, if any.
    """
    errors, warnings = find_option_problems(cfg, options)
    for warning in warnings:
        print_log(warning, logger='current', level=logging.WARNING)
    if errors:
        raise ConfigOptionError('; '.join(errors))
