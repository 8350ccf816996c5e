"""Drawings of skeletons, heatmap volumes and masks."""
