"""Test-time dense-CRF post-processing around any mmseg segmentor."""
from __future__ import annotations

import weakref
from typing import List, Optional

import mmcv
import numpy as np
import torch
from mmengine.model import BaseTTAModel
from mmengine.structures import PixelData
from mmseg.registry import MODELS

from ...crf import CRFPool, check_workers


@MODELS.register_module()
class SegCRFModel(BaseTTAModel):
    """Runs the segmentor ``module`` (with ``tta=True`` on every augmented
    view of a ``tta_pipeline`` batch, averaging their softmax as
    ``SegTTAModel`` does), then a dense CRF on the probabilities at the
    original resolution, with the original image (read from ``img_path``).

    The network runs on one image at a time, whatever the batch size (mmseg's
    test preprocessing cannot stack images of different sizes, and the
    predictions stay the same as with a batch of one); with
    ``crf_workers > 1`` the CRFs of a batch run in a :class:`CRFPool` of
    that many processes, each started as soon as its image's forward pass
    is done, so a test batch of several images keeps the workers busy
    (``tools/test.py --crf-workers`` raises the batch size). The label maps
    are the same with any number of workers.

    Built on ``BaseTTAModel`` so that mmengine loads a segmentor checkpoint
    into ``module``: its ``load_state_dict`` unwraps one TTA model, which is
    why this class averages the views itself rather than wrapping a
    ``SegTTAModel``.

    Args:
        module: the segmentor config.
        crf: arguments of :func:`seenet_mm.crf.dense_crf` (default:
            DeepLab's parameters).
        tta: the batches come from a ``TestTimeAug`` pipeline.
        crf_workers: processes running the CRFs (1: in this process).
    """

    def __init__(self, module: dict, crf: Optional[dict] = None,
                 tta: bool = False, crf_workers: int = 1,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        self.crf = dict(crf or {})
        self.tta = tta
        self.crf_workers = check_workers(crf_workers)
        self._crf_pool: Optional[CRFPool] = None

    def __getstate__(self) -> dict:
        # the worker processes stay with this object (copies start their own)
        state = super().__getstate__()
        state['_crf_pool'] = None
        return state

    def crf_pool(self) -> CRFPool:
        """The model's :class:`CRFPool`, started on first use and closed
        when the model is freed or the interpreter exits."""
        if self._crf_pool is None:
            self._crf_pool = CRFPool(self.crf_workers, self.crf)
            weakref.finalize(self, self._crf_pool.close)
        return self._crf_pool

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

    def _split(self, data) -> list:
        """The batch ``data`` as one batch per image."""
        first = next(iter(data.values()))
        if self.tta:  # data[key][view][image]
            return [{k: [[view[j]] for view in v] for k, v in data.items()}
                    for j in range(len(first[0]))]
        return [{k: [v[j]] for k, v in data.items()}
                for j in range(len(first))]

    def test_step(self, data) -> list:
        pool = self.crf_pool()
        jobs = []
        for one in self._split(data):
            for sample, prob in self._probs(one):
                image = mmcv.imread(sample.img_path, channel_order='rgb')
                jobs.append((sample, prob.device, pool.submit(
                    image, prob.detach().float().cpu().numpy())))
        out = []
        for sample, device, labels in jobs:
            pred = torch.from_numpy(np.asarray(labels.result()))[None]
            sample.set_data({'pred_sem_seg': PixelData(data=pred.to(device))})
            out.append(sample)
        return out
