"""One visualizer for everything SeeNet draws (anchor: mmseg's
``SegLocalVisualizer``): attention heatmaps, the ternary mask T_A in the
colours of the paper's Fig. 2, label maps in the dataset palette, and rows
of panels (training snapshots, the gallery).

It is a ``SegLocalVisualizer``, so the seenet configs can name it as the
runner's visualizer and mmseg's ``SegVisualizationHook`` keeps working; the
snapshot hook hands its pictures to the visualizer's backends (local files,
TensorBoard, ... as configured).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from ..metainfo import VOC_CLASSES, voc_palette
from ..models.layers import fuse_attention

# Fig. 2 of the paper: erased (attention) zone yellow, potential zone in
# between, background zone dark.
ZONE_COLOURS: Dict[int, tuple] = {0: (255, 215, 0), 1: (70, 130, 180),
                                  -1: (20, 20, 20)}
BLANK = 128  # grey of an empty panel
SEPARATOR = 255  # white between panels


@VISUALIZERS.register_module()
class AttentionVisualizer(SegLocalVisualizer):
    """Draws attention maps, ternary masks and label maps (all RGB uint8).

    Args:
        classes: names of the label values (default: VOC's, background
            first).
        palette: ``[[r, g, b], ...]`` colours of the label values (default:
            the VOC palette); values beyond it keep VOC's colours (255 =
            ignore). ``set_dataset_meta`` sets both later.
        dataset_name: take classes and palette from mmseg's table instead.
        sep: width in pixels of the white line between panels.
        **kwargs: as ``SegLocalVisualizer`` (``name``, ``vis_backends``,
            ``save_dir``, ``classes``, ``alpha``).
    """

    def __init__(self, name: str = 'attention_visualizer',
                 classes: Optional[Sequence[str]] = None,
                 palette: Optional[Sequence] = None,
                 dataset_name: Optional[str] = None, sep: int = 2,
                 **kwargs) -> None:
        super().__init__(name=name, dataset_name=dataset_name, **kwargs)
        if dataset_name is None:  # default: VOC's names and colours
            voc = np.array(voc_palette(), np.uint8).reshape(256, 3)
            classes = list(classes or VOC_CLASSES)
            if palette is None:
                palette = voc[:len(classes)].tolist()
        self.set_dataset_meta(classes, palette, dataset_name)
        self.sep = sep

    # -- single panels -------------------------------------------------
    @staticmethod
    def heatmap(att: np.ndarray) -> np.ndarray:
        """``[H, W]`` in [0, 1] -> RGB jet colours ``[H, W, 3]``."""
        return cv2.cvtColor(cv2.applyColorMap(
            (np.clip(att, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET),
            cv2.COLOR_BGR2RGB)

    def overlay(self, image: np.ndarray, att: np.ndarray,
                alpha: float = 0.5) -> np.ndarray:
        """RGB image blended with the heatmap of ``att`` (same size)."""
        return cv2.addWeighted(np.ascontiguousarray(image), 1 - alpha,
                               self.heatmap(att), alpha, 0)

    @staticmethod
    def zones(ternary: np.ndarray) -> np.ndarray:
        """T_A ``[H, W]`` (0 erased, 1 potential, -1 background) in the
        colours of Fig. 2."""
        ternary = np.rint(np.asarray(ternary)).astype(np.int64)
        colour = np.zeros(ternary.shape + (3, ), np.uint8)
        for value, rgb in ZONE_COLOURS.items():
            colour[ternary == value] = rgb
        return colour

    def label_map(self, label: Optional[np.ndarray],
                  shape: Optional[Sequence[int]] = None) -> np.ndarray:
        """Class indices ``[H, W]`` in the palette; None gives a grey panel
        of ``shape``."""
        if label is None:
            return np.full(tuple(shape) + (3, ), BLANK, np.uint8)
        return self._palette_array()[np.asarray(label, np.uint8)]

    def _palette_array(self) -> np.ndarray:
        palette = (self.dataset_meta or {}).get('palette') or voc_palette()
        palette = np.asarray(palette, np.uint8).reshape(-1, 3)
        if len(palette) < 256:  # values beyond the classes (255 = ignore)
            full = np.array(voc_palette(), np.uint8).reshape(256, 3)
            full[:len(palette)] = palette
            palette = full
        return palette

    def row(self, panels: List[Optional[np.ndarray]]) -> np.ndarray:
        """Panels of equal height side by side (None -> a grey panel)."""
        h, w = next(p for p in panels if p is not None).shape[:2]
        sep = np.full((h, self.sep, 3), SEPARATOR, np.uint8)
        out = []
        for i, p in enumerate(panels):
            if i:
                out.append(sep)
            out.append(np.full((h, w, 3), BLANK, np.uint8) if p is None
                       else np.ascontiguousarray(p))
        return np.concatenate(out, axis=1)

    # -- composed pictures ---------------------------------------------
    def draw_snapshot(self, image: np.ndarray, maps_a: torch.Tensor,
                      labels: torch.Tensor,
                      ternary: Optional[torch.Tensor] = None,
                      maps_b: Optional[torch.Tensor] = None,
                      norm: str = 'minmax') -> np.ndarray:
        """One training view: image | M_A | T_A | M_B.

        Args:
            image: RGB uint8 ``[H, W, 3]`` (the network's input).
            maps_a, maps_b: class score maps ``[M, h, w]``.
            labels: multi-hot ``[M]``: the image's classes.
            ternary: T_A ``[1, h, w]``.
            norm: per-class normalisation of the maps.
        """
        h, w = image.shape[:2]

        def attention(maps: torch.Tensor) -> np.ndarray:
            fused = fuse_attention([maps[None].float()],
                                   labels[None].float(), norm)
            up = F.interpolate(fused, size=(h, w), mode='bilinear',
                               align_corners=False)[0]
            return up.amax(0).clamp(0, 1).cpu().numpy()

        panels = [image, self.heatmap(attention(maps_a))]
        if ternary is not None:
            tern = F.interpolate(ternary[None].float(), size=(h, w),
                                 mode='nearest')[0, 0]
            panels.append(self.zones(tern.cpu().numpy()))
        if maps_b is not None:
            panels.append(self.heatmap(attention(maps_b)))
        return self.row(panels)

    def draw_gallery_row(self, image: np.ndarray,
                         m_a: Optional[np.ndarray],
                         m_b: Optional[np.ndarray],
                         fused: Optional[np.ndarray],
                         label: Optional[np.ndarray],
                         gt: Optional[np.ndarray],
                         refined: Optional[Tuple[Optional[np.ndarray],
                                                 Optional[np.ndarray]]] = None
                         ) -> np.ndarray:
        """image | M_A | M_B | fused | proxy label | ground truth, and with
        ``refined = (label, boundary)`` | refined label | boundary map; maps
        are ``[H, W]`` in [0, 1], labels class indices (None: grey
        panel)."""
        shape = image.shape[:2]
        panels = [
            image,
            None if m_a is None else self.heatmap(m_a),
            None if m_b is None else self.heatmap(m_b),
            None if fused is None else self.heatmap(fused),
            self.label_map(label, shape), self.label_map(gt, shape)]
        if refined is not None:
            label_rw, boundary = refined
            panels += [self.label_map(label_rw, shape),
                       None if boundary is None else self.heatmap(boundary)]
        return self.row(panels)
