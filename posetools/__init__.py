"""posetools: skeleton action recognition and pose-aware video MAE on mmengine.

Importing the package applies the upstream workarounds of :mod:`posetools.compat`
(before any ``mmaction.models`` import) and defines the ``posetools`` registry scope.
"""
from posetools import compat

compat.apply_all()

__version__ = '0.1.0'
