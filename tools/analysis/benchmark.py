"""Speed of posetools against the reference it replaces, measured in the same run.

    python tools/analysis/benchmark.py skeleton-pipeline [--samples 200] [--frames 300]
    python tools/analysis/benchmark.py heatmap [--samples 20] [--frames 48] [--persons 2]
    python tools/analysis/benchmark.py posec3d-pipeline [CONFIG] [--batches 10] [--steps 2]
    python tools/analysis/benchmark.py mae [--arch s] [--img-size 112] [--batch-size 4]
    python tools/analysis/benchmark.py masking [CONFIG] [--batch-size 16] [--samples 32]
    python tools/analysis/benchmark.py pose [--sizes 340 720] [--frames 50] [--videos 16]

Each topic times the reference (mmaction2) and posetools on identical inputs, checks
that the outputs agree, and prints a table with the speed-up ratio; ``masking`` times each
masker against the train step it is part of, and the saliency transform against its pipeline;
``pose`` times each pose extraction backend against mmaction2's. The topics are the modules
of ``posetools/benchmark/``; all of them time with ``posetools.benchmark.timer.time_calls``.
"""
import argparse
from typing import List, Optional

from posetools.benchmark import (heatmap, mae, masking, pose, posec3d_pipeline,
                                 skeleton_pipeline)

TOPICS = (skeleton_pipeline, heatmap, posec3d_pipeline, mae, masking, pose)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The topic's arguments; ``args.run(args)`` runs it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    topics = parser.add_subparsers(dest='topic', required=True)
    for topic in TOPICS:
        topic.add_parser(topics)
    return parser.parse_args(argv)


def main() -> None:
    """Run the topic named on the command line."""
    args = parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
