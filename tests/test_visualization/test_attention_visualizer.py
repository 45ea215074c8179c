"""AttentionVisualizer: heatmaps, Fig. 2 zone colours, palettes, rows."""
import cv2
import numpy as np
import pytest
import torch
from mmseg.registry import VISUALIZERS

from seenet_mm.metainfo import voc_palette
from seenet_mm.visualization import ZONE_COLOURS, AttentionVisualizer


@pytest.fixture
def vis():
    return VISUALIZERS.build(dict(type='AttentionVisualizer',
                                  name='vis_test'))


def test_heatmap_is_opencv_jet_in_rgb(vis):
    att = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    ref = cv2.applyColorMap((att * 255).astype(np.uint8), cv2.COLORMAP_JET)
    assert np.array_equal(vis.heatmap(att), ref[..., ::-1])
    # values outside [0, 1] are clipped
    assert np.array_equal(vis.heatmap(att * 3 - 1)[0, 0],
                          vis.heatmap(np.zeros((1, 1)))[0, 0])


def test_zones_use_the_colours_of_fig2(vis):
    tern = np.array([[0, 1], [-1, 1]])
    out = vis.zones(tern)
    assert out[0, 0].tolist() == list(ZONE_COLOURS[0])
    assert out[0, 1].tolist() == list(ZONE_COLOURS[1])
    assert out[1, 0].tolist() == list(ZONE_COLOURS[-1])


def test_label_map_palette_and_ignore(vis):
    label = np.array([[0, 1], [15, 255]], np.uint8)
    pal = np.array(voc_palette(), np.uint8).reshape(256, 3)
    assert np.array_equal(vis.label_map(label), pal[label])
    assert vis.label_map(None, (2, 3)).shape == (2, 3, 3)
    # a dataset palette replaces the first colours, 255 keeps VOC's
    vis.set_dataset_meta(classes=['bg', 'a'], palette=[[1, 2, 3],
                                                       [4, 5, 6]])
    out = vis.label_map(label)
    assert out[0, 0].tolist() == [1, 2, 3] and out[0, 1].tolist() == [4, 5, 6]
    assert out[1, 1].tolist() == pal[255].tolist()


def test_row_and_snapshot_layout(vis):
    img = np.zeros((4, 4, 3), np.uint8)
    img[..., 0] = 10
    maps = torch.zeros(3, 2, 2)
    maps[1, 0, 0] = 5.0
    tern = torch.tensor([[[0., 1.], [-1., 1.]]])
    row = vis.draw_snapshot(img, maps, torch.tensor([0., 1, 0]), tern,
                            maps.clone(), norm='max')
    assert row.shape == (4, 4 * 4 + 3 * 2, 3)
    assert row[0, 0].tolist() == [10, 0, 0]
    assert row[0, 4].tolist() == [255, 255, 255]  # separator
    t_panel = row[:, 12:16]
    assert t_panel[0, 0].tolist() == list(ZONE_COLOURS[0])
    assert t_panel[3, 0].tolist() == list(ZONE_COLOURS[-1])
    assert t_panel[0, 3].tolist() == list(ZONE_COLOURS[1])
    m_a = row[:, 6:10]
    assert not np.array_equal(m_a[0, 0], m_a[3, 3])  # the peak shows
    # a class the image does not have is not drawn
    other = vis.draw_snapshot(img, maps, torch.tensor([1., 0, 0]),
                              norm='max')
    assert other.shape == (4, 4 * 2 + 2, 3)
    assert np.array_equal(other[:, 6:10], vis.heatmap(np.zeros((4, 4))))


def test_gallery_row_has_six_panels_grey_when_missing(vis):
    img = np.zeros((3, 5, 3), np.uint8)
    row = vis.draw_gallery_row(img, np.ones((3, 5)), None, np.zeros((3, 5)),
                               None, np.zeros((3, 5), np.uint8))
    assert row.shape == (3, 6 * 5 + 5 * vis.sep, 3)
    m_b = row[:, 2 * (5 + vis.sep):2 * (5 + vis.sep) + 5]
    assert (m_b == 128).all()


def test_it_is_a_seg_visualizer_for_mmseg_tools(vis):
    from mmseg.visualization import SegLocalVisualizer
    assert isinstance(vis, SegLocalVisualizer)
