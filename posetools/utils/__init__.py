"""Helpers of the command-line tools that are not registered modules."""
