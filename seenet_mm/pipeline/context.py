"""Where the pipeline finds its tools and configs, and what one pass over
the stages reads and writes (its :class:`Context`)."""
from __future__ import annotations

import os.path as osp
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

from ..cli import repo_root


# the main job's seed sweep, 0.05 ... 0.95: wide enough that the best
# threshold lies inside it (erasing widens the maps; on the toy set the best
# lies near 0.8). tools/eval_seeds.py keeps the usual 0.05 ... 0.60.
DEFAULT_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


class PipelineError(Exception):
    """A stage failed or the job cannot start; the message is what the
    command line prints before it exits with status 1."""


def _configs(*names: str) -> Tuple[str, ...]:
    return tuple(osp.join(repo_root(), 'configs', n) for n in names)


def _folder(config: str) -> str:
    """The sibling of a toy config for the own-folder format."""
    stem, ext = osp.splitext(config)
    return stem + '_folder' + ext


# (attention, segmentation, affinity) configs: the toy models from the toy
# stand-in for ImageNet weights (made by the standin stage), and from
# scratch (the main job before the stand-in; toy-context: on the toy set
# with class-correlated context)
_TOY = _configs('toy/seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py',
                'toy/deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-'
                '96x96.py',
                'toy/irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py')
_TOY_SCRATCH = _configs('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py',
                        'toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-'
                        '96x96.py') + _TOY[2:]
_VOC = _configs('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py',
                'deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_voc12aug-'
                '321x321.py', 'irn/irn_vgg16_1xb32-3e_voc12aug-512x512.py')
_BY_LAYOUT = {
    'voc': {'toy': _TOY, 'toy-scratch': _TOY_SCRATCH,
            'toy-context': _TOY_SCRATCH, 'voc': _VOC},
    'folder': {
        'toy': tuple(map(_folder, _TOY)),
        'toy-scratch': tuple(map(_folder, _TOY_SCRATCH)),
        'toy-context': tuple(map(_folder, _TOY_SCRATCH)),
        'voc': _configs('seenet/seenet_vgg16_1xb16-25k_folder-224x224.py',
                        'deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_'
                        'folder-321x321.py',
                        'irn/irn_vgg16_1xb32-3e_folder-512x512.py'),
        # real photographs: CamVid cut into views with image-level labels
        # (converted by the data stage), from EfficientNet-Lite0 ImageNet
        # weights; no affinity network yet
        'camvid': _configs(
            'camvid/seenet_efficientnet-lite0-d16_1xb16-400_camvid-'
            '224x224.py', 'camvid/deeplab-largefov_efficientnet-lite0-d16_'
            '1xb8-1000_camvid-180x240.py') + (None, )}}
# (attention config, segmentation config) of each preset, for a VOC layout
# (the toy set is one) and for the own-folder format
PRESETS: Dict[str, Tuple[str, str]] = {
    k: v[:2] for k, v in _BY_LAYOUT['voc'].items()}
FOLDER_PRESETS: Dict[str, Tuple[str, str]] = {
    k: v[:2] for k, v in _BY_LAYOUT['folder'].items()}
# the affinity network of --refine irn per preset (None: not made)
AFFINITY_PRESETS: Dict[str, Optional[str]] = {
    k: v[2] for k, v in _BY_LAYOUT['voc'].items()}
FOLDER_AFFINITY_PRESETS: Dict[str, Optional[str]] = {
    k: v[2] for k, v in _BY_LAYOUT['folder'].items()}
# presets whose --data-root is a folder in CamVid's layout, converted into
# the own-folder format in the work dir by the data stage
CONVERTED_PRESETS = ('camvid', )
PROXY_CHOICES = ('auto', 'saliency', 'threshold')
REFINE_CHOICES = ('auto', 'none', 'irn')


@dataclass(frozen=True)
class Context:
    """The resolved inputs and output folder of one pass over the stages.

    The main job has one context, writing into the work dir; ``--compare``
    has one per mode and seed (:meth:`variant`), writing into
    ``compare/<mode>/seed<seed>``. The fields named as
    :func:`~.job.run_pipeline`'s arguments mean what they mean there,
    resolved (absolute config paths; overrides as ``KEY=VALUE`` strings);
    besides them:

    Args:
        work_dir: the job's work dir (state, log, toy set, reports).
        out_dir: where these stages write their outputs.
        data_dir: the dataset root: the ``VOCdevkit/VOC2012`` folder, or
            the own-folder dataset's folder (``layout='folder'``).
        quality_split: the file of the images the quality stage scores;
            None: decided when the stage runs (:func:`~.stages.quality_split`).
        train_seed: ``seed``; toy_context: ``preset='toy-context'`` on the
            toy set; proxy_method: ``proxy_labels``.
        layout: ``'voc'`` or ``'folder'``
            (:func:`seenet_mm.datasets.image_folder.detect_layout`).
        classes: the own-folder dataset's class names (train.json); None
            for VOC (the configs' 20 classes).
        source_root: a folder in CamVid's layout that the data stage
            converts into :attr:`data_dir` (``preset='camvid'``).
    """
    work_dir: str
    out_dir: str
    data_dir: str
    data_root: Optional[str]
    saliency_dir: str
    attention_config: str
    segmentation_config: str
    quality_split: Optional[str] = None
    thresholds: Optional[Tuple[float, ...]] = None
    toy_seed: int = 0
    train_seed: Optional[int] = None
    layout: str = 'voc'
    classes: Optional[Tuple[str, ...]] = None
    proxy_method: str = 'auto'
    toy_context: bool = False
    amp: Optional[bool] = None
    refine: str = 'auto'
    affinity_config: Optional[str] = None
    val_interval: Optional[int] = None
    source_root: Optional[str] = None
    upper_bound: bool = False
    saliency_model: Optional[str] = None
    attention_cfg_options: Tuple[str, ...] = ()
    segmentation_cfg_options: Tuple[str, ...] = ()
    affinity_cfg_options: Tuple[str, ...] = ()
    label_free: bool = False

    def path(self, *parts: str) -> str:
        """A path under :attr:`out_dir`."""
        return osp.join(self.out_dir, *parts)

    @property
    def toy_dir(self) -> str:
        return osp.join(self.work_dir, 'toy')

    @property
    def gt_dir(self) -> str:
        """Ground-truth masks: VOC's SegmentationClass, or DIR/masks."""
        return osp.join(self.data_dir, 'masks' if self.layout == 'folder' else
                        'SegmentationClass')

    @property
    def context_dir(self) -> str:
        """Context masks (toy sets made with ``--context``)."""
        return osp.join(self.data_dir, 'context')

    @property
    def image_dir(self) -> str:
        return osp.join(self.data_dir, 'images' if self.layout == 'folder' else
                        'JPEGImages')

    def resolved_proxy_method(self) -> str:
        """``saliency`` or ``threshold``; ``auto`` is saliency when the
        saliency folder exists."""
        if self.proxy_method != 'auto':
            return self.proxy_method
        if self.saliency_model:
            return 'saliency'  # made by the data stage
        if self.source_root and not osp.isdir(self.data_dir):
            # not converted yet: the views get the source's saliency crops
            source = osp.join(self.source_root, 'saliency')
            return 'saliency' if osp.isdir(source) else 'threshold'
        return 'saliency' if osp.isdir(self.saliency_dir) else 'threshold'

    def resolved_refine(self) -> str:
        """``irn`` or ``none``; ``auto`` refines the labels made without
        saliency (on the toy set they gain most there; docs/results_toy.md)
        and leaves Algorithm 1's as they are."""
        if self.refine != 'auto':
            return self.refine
        return 'irn' if self.resolved_proxy_method() == 'threshold' \
            else 'none'

    @property
    def train_labels(self) -> str:
        """The labels the segmentation trains on: the refined ones when
        refinement runs."""
        return self.path('refined') if self.resolved_refine() == 'irn' \
            else self.path('labels')

    def split_names(self, split: str) -> List[str]:
        """Image names of an own-folder split (``train`` / ``val``);
        empty when the file does not exist."""
        path = osp.join(self.data_dir, f'{split}.json')
        if self.layout != 'folder' or not osp.isfile(path):
            return []
        import json
        with open(path) as f:
            return [osp.splitext(e['img_path'])[0]
                    for e in json.load(f)['data_list']]

    def masked_names(self, split: str) -> List[str]:
        """The images of an own-folder split that have a mask."""
        return [n for n in self.split_names(split)
                if osp.isfile(osp.join(self.gt_dir, n + '.png'))]

    @property
    def backbone_weights(self) -> Optional[str]:
        """The converted ImageNet weights a converted preset's configs
        load (written by its data stage into the work dir), or None: the
        configs' own path."""
        if not self.source_root:
            return None
        return osp.join(self.work_dir, 'pretrain',
                        'efficientnet-lite0_timm.pth')

    def _weights_options(self) -> Dict[str, object]:
        if self.backbone_weights is None:
            return {}
        return {'model.backbone.init_cfg.checkpoint': self.backbone_weights}

    def attention_options(self) -> Dict[str, object]:
        """Config overrides giving the attention model the dataset's M (and
        a converted preset's backbone weights), then the user's."""
        from ..cli import parse_cfg_options
        own = {} if self.classes is None else {
            'model.num_classes': len(self.classes), **self._weights_options()}
        return {**own, **parse_cfg_options(self.attention_cfg_options,
                                           '--attention-cfg-options')}

    def segmentation_options(self) -> Dict[str, object]:
        """Config overrides giving the segmentor M + 1 outputs (and a
        converted preset's backbone weights), then the user's."""
        from ..cli import parse_cfg_options
        own = {} if self.classes is None else {
            'model.decode_head.num_classes': len(self.classes) + 1,
            **self._weights_options()}
        return {**own, **parse_cfg_options(self.segmentation_cfg_options,
                                           '--segmentation-cfg-options')}

    def affinity_options(self) -> Dict[str, object]:
        """The user's overrides of the affinity config."""
        from ..cli import parse_cfg_options
        return parse_cfg_options(self.affinity_cfg_options,
                                 '--affinity-cfg-options')

    @property
    def log_path(self) -> str:
        """Where the tools' output goes (one log for the whole job)."""
        return osp.join(self.work_dir, 'pipeline.log')

    def data_options(self) -> Dict[str, object]:
        """Config overrides pointing every dataloader at :attr:`data_dir`."""
        return {f'{key}.dataset.data_root': self.data_dir for key in
                ('train_dataloader', 'val_dataloader', 'test_dataloader')}

    def settings(self) -> Dict[str, object]:
        """What a work dir's results depend on; another value on the same
        work dir is refused (see :meth:`PipelineState.use_settings`). The
        later options appear only when set: older work dirs still match."""
        out: Dict[str, object] = dict(
            data_root=self.data_dir, saliency_dir=self.saliency_dir,
            attention_config=self.attention_config,
            segmentation_config=self.segmentation_config,
            thresholds=None if self.thresholds is None else
            list(self.thresholds), toy_seed=self.toy_seed,
            toy_context=self.toy_context, train_seed=self.train_seed,
            layout=self.layout, proxy_method=self.proxy_method, amp=self.amp,
            refine=self.refine, affinity_config=self.affinity_config,
            val_interval=self.val_interval)
        for key in ('source_root', 'upper_bound', 'label_free',
                    'saliency_model', 'attention_cfg_options',
                    'segmentation_cfg_options', 'affinity_cfg_options'):
            value = getattr(self, key)
            if value:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def seed_options(self) -> Dict[str, object]:
        """``randomness.seed`` of both trainings, when :attr:`train_seed`
        is set."""
        if self.train_seed is None:
            return {}
        return {'randomness.seed': self.train_seed}

    def variant(self, mode: str, seed: int) -> 'Context':
        """The context of one ``--compare`` run: the attention config of
        ``mode`` (paper Table 1; :func:`mode_config`) and the training seed
        overridden."""
        return replace(
            self, out_dir=osp.join(self.work_dir, 'compare', mode,
                                   f'seed{seed}'),
            attention_config=mode_config(self.attention_config, mode),
            train_seed=seed)


# the sibling config of each Table 1 mode: <config>_<suffix>.py
MODE_SUFFIXES = {'seenet': '', 'cam': '_cam', 'acol': '_acol',
                 'seenet-noflip': '_noflip'}


def mode_config(config: str, mode: str) -> str:
    """The attention config of ``mode``: ``config`` itself for ``seenet``,
    else its sibling ``<stem>_cam.py`` / ``_acol.py`` / ``_noflip.py`` (a
    mode can differ in more than ``model.mode``: ``acol`` runs ACoL's own
    erasing and classifier). A missing sibling is a :class:`PipelineError`
    naming it."""
    if mode not in MODE_SUFFIXES:
        raise PipelineError(f'error: unknown mode {mode!r}')
    stem, ext = osp.splitext(config)
    path = stem + MODE_SUFFIXES[mode] + ext
    if not osp.isfile(path):
        raise PipelineError(f'error: --compare {mode}: the config {path} of '
                            f'this mode does not exist (make it beside '
                            f'{osp.basename(config)}, e.g. with '
                            f"_base_ = ['./{osp.basename(config)}'])")
    return path
