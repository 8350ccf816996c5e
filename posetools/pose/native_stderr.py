"""Drop known notices that native (C++) libraries write straight to file descriptor 2.

MediaPipe's C++ side logs through absl before any absl initialisation, so its notices go
to the process's stderr whatever Python's logging or ``GLOG_minloglevel`` say. Python's
``sys.stderr`` cannot filter them: the file descriptor itself has to be captured.
"""
import contextlib
import os
import sys
import tempfile
import threading
from typing import Iterator, Sequence

# one capture of file descriptor 2 at a time: two threads swapping it would lose it
_CAPTURE_LOCK = threading.Lock()


@contextlib.contextmanager
def native_stderr_without(notices: Sequence[str]) -> Iterator[None]:
    """Capture file descriptor 2 while the block runs; then re-emit what was written to it,
    except the lines that contain one of ``notices``.

    Everything else (Python's own stderr output included) comes out after the block, in its
    order, so nothing but the named notices is lost.

    Args:
        notices (Sequence[str]): Substrings of the lines to drop.
    """
    with _CAPTURE_LOCK, tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode(errors='replace').splitlines(True)
                    if not any(notice in line for notice in notices)]
            if kept:
                sys.stderr.write(''.join(kept))
                sys.stderr.flush()
