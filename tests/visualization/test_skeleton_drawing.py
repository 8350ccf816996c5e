"""posetools.visualization.skeleton: the COCO-17 and NTU-25 topologies and their drawing."""
import matplotlib
import numpy as np

from posetools.structures.skeletons import COCO17_LIMBS, NTU25_BONES, NTU25_MIRROR
from posetools.visualization import (COCO17, NTU25, draw_skeleton, draw_skeleton_on_image,
                                     topology_for)

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def test_topologies_and_their_sides():
    assert topology_for(17) is COCO17 and topology_for(25) is NTU25 and topology_for(5) is None
    assert COCO17.num_joints == 17 and COCO17.edges == COCO17_LIMBS  # the heatmap limbs
    assert NTU25.num_joints == 25 and NTU25.edges == NTU25_BONES
    for topology in (COCO17, NTU25):
        assert not topology.left & topology.right
    assert {NTU25_MIRROR[j] for j in NTU25.left} == set(NTU25.right)  # mirror images
    assert COCO17.edge_color(5, 7) == 'tab:red' and COCO17.edge_color(6, 8) == 'tab:blue'
    assert COCO17.edge_color(0, 5) == 'gray' and COCO17.edge_color(11, 12) == 'gray'


def test_draw_skeleton_on_axes_skips_invisible_joints():
    points = np.random.default_rng(0).random((17, 2))
    fig, ax = plt.subplots()
    draw_skeleton(ax, points, COCO17)
    assert len(ax.lines) == len(COCO17.edges) + 1  # bones and one line of joint markers
    visible = np.ones(17, bool)
    visible[[0, 9]] = False  # drops bones (0, 1), (0, 2), (0, 5), (0, 6) and (7, 9)
    ax.clear()
    draw_skeleton(ax, points, COCO17, visible=visible)
    assert len(ax.lines) == len(COCO17.edges) - 5 + 1
    assert len(ax.lines[-1].get_xdata()) == 15
    plt.close(fig)


def test_draw_skeleton_on_image_draws_the_bones_and_nothing_invisible():
    image = np.full((40, 40, 3), 255, np.uint8)
    points = np.full((17, 2), 20.)
    points[5], points[7] = (5., 10.), (30., 10.)  # left upper arm: a horizontal red bone
    visible = np.zeros(17, bool)
    visible[[5, 7]] = True
    out = draw_skeleton_on_image(image, points, COCO17, visible=visible)
    assert (image == 255).all()  # the input is untouched
    red = out[10, 12:24]
    assert (red[:, 0] > red[:, 2] + 60).all()  # tab:red
    assert (out[25:] == 255).all() and (out[:, 35:] == 255).all()
    assert (draw_skeleton_on_image(image, points, COCO17,
                                   visible=np.zeros(17, bool)) == 255).all()
