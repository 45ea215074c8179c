"""Test-time dense-CRF post-processing around any mmseg segmentor."""
from __future__ import annotations

from typing import List, Optional

import mmcv
import numpy as np
import torch
from mmengine.model import BaseTTAModel
from mmengine.structures import PixelData
from mmseg.registry import MODELS

from ...crf import dense_crf


@MODELS.register_module()
class SegCRFModel(BaseTTAModel):
    """Runs the segmentor ``module`` (with ``tta=True`` on every augmented
    view of a ``tta_pipeline`` batch, averaging their softmax as
    ``SegTTAModel`` does), then a dense CRF on the probabilities at the
    original resolution, with the original image (read from ``img_path``).

    Built on ``BaseTTAModel`` so that mmengine loads a segmentor checkpoint
    into ``module``: its ``load_state_dict`` unwraps one TTA model, which is
    why this class averages the views itself rather than wrapping a
    ``SegTTAModel``.

    Args:
        module: the segmentor config.
        crf: arguments of :func:`seenet_mm.crf.dense_crf` (default:
            DeepLab's parameters).
        tta: the batches come from a ``TestTimeAug`` pipeline.
    """

    def __init__(self, module: dict, crf: Optional[dict] = None,
                 tta: bool = False,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        self.crf = dict(crf or {})
        self.tta = tta

    def merge_preds(self, data_samples_list):  # pragma: no cover
        raise NotImplementedError('SegCRFModel merges in test_step')

    def _probs(self, data) -> List:
        if self.tta:
            # data: dict of lists, one entry per augmented view
            num_views = len(data[next(iter(data))])
            views = [self.module.test_step(
                {k: v[i] for k, v in data.items()})
                for i in range(num_views)]
            samples = views[-1]
            probs = []
            for j in range(len(samples)):
                p = sum(v[j].seg_logits.data.softmax(0) for v in views)
                probs.append(p / num_views)
            return list(zip(samples, probs))
        samples = self.module.test_step(data)
        return [(s, s.seg_logits.data.softmax(0)) for s in samples]

    def test_step(self, data) -> list:
        out = []
        for sample, prob in self._probs(data):
            image = mmcv.imread(sample.img_path, channel_order='rgb')
            refined = dense_crf(image, prob.detach().float().cpu().numpy(),
                                 **self.crf)
            pred = torch.from_numpy(np.asarray(refined.argmax(0)))[None]
            sample.set_data({'pred_sem_seg': PixelData(
                data=pred.to(prob.device))})
            out.append(sample)
        return out
