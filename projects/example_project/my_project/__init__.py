"""An example user package that adds a backbone to posetools."""
from my_project.frame_mlp import FrameMLP

__all__ = ['FrameMLP']
