"""Where the pipeline finds its tools and configs, and what one pass over
the stages reads and writes (its :class:`Context`)."""
from __future__ import annotations

import os.path as osp
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


# the main job's seed sweep, 0.05 ... 0.95: wide enough that the best
# threshold lies inside it (erasing widens the maps; on the toy set the best
# lies near 0.8). tools/eval_seeds.py keeps the usual 0.05 ... 0.60.
DEFAULT_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


class PipelineError(Exception):
    """A stage failed or the job cannot start; the message is what the
    command line prints before it exits with status 1."""


def repo_root() -> str:
    """The folder holding ``tools/`` and ``configs/``: the repository of a
    source checkout (editable install), else the ``seenet_mm/.mim`` copy
    that ``setup.py`` makes for a plain install. The tools run with it as
    their working directory."""
    repo = osp.dirname(PACKAGE_DIR)
    if osp.isfile(osp.join(repo, 'tools', 'train.py')):
        return repo
    return osp.join(PACKAGE_DIR, '.mim')


def _preset(attention: Tuple[str, ...], segmentation: Tuple[str, ...]
            ) -> Tuple[str, str]:
    root = repo_root()
    return (osp.join(root, 'configs', *attention),
            osp.join(root, 'configs', *segmentation))


# (attention config, segmentation config) of each preset
PRESETS: Dict[str, Tuple[str, str]] = {
    'toy': _preset(('toy', 'seenet_vgg16_toy.py'),
                   ('toy', 'deeplab-largefov_vgg16_toy.py')),
    'voc': _preset(('seenet', 'vgg16_voc.py'),
                   ('deeplab_largefov',
                    'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py')),
}


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
        voc: the ``VOCdevkit/VOC2012`` folder.
        data_root: ``--data-root`` (None: the toy set in the work dir).
        saliency_dir: saliency maps, grey PNGs.
        attention_config / segmentation_config: absolute config paths.
        quality_split: ``['--split', FILE]`` for ``tools/eval_seeds.py``;
            None (default): decided when the quality stage runs
            (:meth:`quality_split_args`).
        thresholds: ``--thresholds`` of the seed sweep (None: the tool's
            0.05 ... 0.60; the command line's default is
            :data:`DEFAULT_THRESHOLDS`).
        toy_seed: seed of the generated toy set.
        train_options: extra ``--cfg-options`` of the attention training.
        model_options: extra ``--cfg-options`` of the attention model's
            test and inference.
    """
    work_dir: str
    out_dir: str
    voc: str
    data_root: Optional[str]
    saliency_dir: str
    attention_config: str
    segmentation_config: str
    quality_split: Optional[Tuple[str, ...]] = None
    thresholds: Optional[Tuple[float, ...]] = None
    toy_seed: int = 0
    train_options: Tuple[str, ...] = ()
    model_options: Tuple[str, ...] = ()

    def path(self, *parts: str) -> str:
        """A path under :attr:`out_dir`."""
        return osp.join(self.out_dir, *parts)

    @property
    def toy_dir(self) -> str:
        return osp.join(self.work_dir, 'toy')

    @property
    def gt_dir(self) -> str:
        return osp.join(self.voc, 'SegmentationClass')

    @property
    def log_path(self) -> str:
        """Where the tools' output goes (one log for the whole job)."""
        return osp.join(self.work_dir, 'pipeline.log')

    def data_options(self) -> List[str]:
        """``--cfg-options`` pointing every dataloader at :attr:`voc`."""
        return [f'{key}.dataset.data_root={self.voc}' for key in
                ('train_dataloader', 'val_dataloader', 'test_dataloader')]

    def quality_split_args(self) -> List[str]:
        """``--split train.txt`` when that split exists: quality is
        measured on the images with masks, VOC's train split (1,464 images),
        not train_aug (SBD images have no SegmentationClass mask). Decided
        when the stage runs, so that a fresh toy run (whose split files are
        written by the data stage) and a resumed one score the same way."""
        if self.quality_split is not None:
            return list(self.quality_split)
        split = osp.join(self.voc, 'ImageSets', 'Segmentation', 'train.txt')
        return ['--split', split] if osp.isfile(split) else []

    def threshold_options(self) -> List[str]:
        if not self.thresholds:
            return []
        return ['--thresholds'] + [str(t) for t in self.thresholds]

    def settings(self) -> Dict[str, object]:
        """What a work dir's results depend on; another value on the same
        work dir is refused (see :meth:`PipelineState.use_settings`)."""
        return dict(data_root=self.voc, saliency_dir=self.saliency_dir,
                    attention_config=self.attention_config,
                    segmentation_config=self.segmentation_config,
                    thresholds=None if self.thresholds is None else
                    list(self.thresholds),
                    toy_seed=self.toy_seed)

    def variant(self, mode: str, seed: int) -> 'Context':
        """The context of one ``--compare`` run: the attention config of
        ``mode`` (paper Table 1; :func:`mode_config`) and the training seed
        overridden."""
        return replace(
            self, out_dir=osp.join(self.work_dir, 'compare', mode,
                                   f'seed{seed}'),
            attention_config=mode_config(self.attention_config, mode),
            train_options=(f'randomness.seed={seed}', ),
            model_options=())


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
