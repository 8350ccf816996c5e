"""End a command-line tool on a user's mistake with one line, not a traceback."""
import os.path as osp
import sys
from typing import Callable

from posetools.compat import CheckpointLoadError
from posetools.utils.config_options import ConfigOptionError

# Mistakes in what the user gave the tool; each message names the file or the key.
USER_ERRORS = (FileNotFoundError, CheckpointLoadError, ConfigOptionError)


def exit_on_user_error(main: Callable[[], object]) -> None:
    """Run ``main``; a :data:`USER_ERRORS` exception ends the process with one line.

    The line, ``<tool>: error: <message>``, goes to stderr and the exit status is 1
    (as ``sys.exit(message)``). Other exceptions keep their traceback: they are bugs.
    """
    try:
        main()
    except USER_ERRORS as error:
        sys.exit(f'{osp.basename(sys.argv[0])}: error: {error}')
