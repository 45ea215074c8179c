"""tools/make_saliency.py and ``make_saliency_maps``: a tiny conv net
exported to ONNX here, its maps checked against the same net run by torch
with a bilinear resize written here (PIL's triangle filter, in numpy);
skipping, --list, a float16-input model, workers, refused models; and,
where ``SEENET_ISNET_ONNX`` names IS-Net's ONNX file, the shared CamVid
maps reproduced."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image, ImageOps

torch = pytest.importorskip('torch')
pytest.importorskip('onnx')  # torch.onnx.export writes through it
pytest.importorskip('onnxruntime')

from conftest import REPO, tool_main  # noqa: E402
from seenet_mm.apis import make_saliency_maps  # noqa: E402
from seenet_mm.fileio import load_saliency  # noqa: E402

TOOL = osp.join(REPO, 'tools', 'make_saliency.py')
SIZE = (24, 40)  # the tiny model's input, H x W (not square: no swap)
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
# H x W of the images: larger, smaller, and larger in one side only than
# the model's input, so that both resizes go up and down
IMAGES = {'big': (45, 70), 'small': (17, 29), 'wide': (20, 64)}
CAMVID = osp.join(REPO, '..', 'shared', 'data', 'camvid')
ISNET = os.environ.get('SEENET_ISNET_ONNX', '')


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class TinySaliency(torch.nn.Module):
    """A conv net with IS-Net's interface: an image in, a sigmoid map (or
    ``channels`` of them) out, side outputs after it."""

    def __init__(self, in_channels: int = 3, channels: int = 1) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(in_channels, 8, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(8, 8, 3, padding=1), torch.nn.ReLU())
        self.head = torch.nn.Conv2d(8, channels, 3, padding=1)

    def forward(self, x):
        feat = self.body(x.float())  # a float16 input computes in float32
        return torch.sigmoid(self.head(feat)), feat


def export(net: torch.nn.Module, path: str, in_channels: int = 3,
           dtype=torch.float32) -> str:
    dummy = torch.zeros(1, in_channels, *SIZE, dtype=dtype)
    torch.onnx.export(net.eval(), (dummy, ), path, input_names=['input'],
                      output_names=['map', 'side'], dynamo=False)
    return path


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """The tiny net, its ONNX file (float32 input) and that of the same
    net with a float16 input."""
    folder = tmp_path_factory.mktemp('models')
    net = TinySaliency()
    with torch.no_grad():
        return (net, export(net, str(folder / 'tiny.onnx')),
                export(net, str(folder / 'tiny_fp16.onnx'),
                       dtype=torch.float16))


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """Three random RGB images of different sizes (PNG: decoded alike by
    every library)."""
    folder = tmp_path_factory.mktemp('images')
    rng = np.random.RandomState(0)
    for name, (h, w) in IMAGES.items():
        # smooth blobs plus noise: a map with structure, no constant one
        yy, xx = np.mgrid[0:h, 0:w]
        blob = np.exp(-((yy - h * rng.rand()) ** 2 + (xx - w * rng.rand())
                        ** 2) / (0.1 * h * w))[..., None]
        rgb = 255 * (0.6 * blob * rng.rand(3) + 0.4 * rng.rand(h, w, 3))
        Image.fromarray(rgb.round().astype(np.uint8)).save(
            folder / f'{name}.png')
    return str(folder)


# ----------------------------------------------------------------------
# the reference, written independently of the package
# ----------------------------------------------------------------------
def triangle_weights(n_in: int, n_out: int) -> np.ndarray:
    """``[n_out, n_in]`` weights of PIL's bilinear filter: a triangle of
    half-width ``max(1, n_in / n_out)`` input pixels around each output
    pixel's centre (wider when shrinking: antialiased), normalised."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale
    pixels = np.arange(n_in) + 0.5
    weights = np.clip(
        1 - np.abs(pixels[None] - centres[:, None]) / support, 0, None)
    return weights / weights.sum(1, keepdims=True)


def resize_uint8(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """uint8 ``a`` ([H, W] or [H, W, C]) resized to ``h x w`` as PIL's 8-bit
    resize does it: across, then down, each pass in fixed point (weights
    of 22 fractional bits, the sum rounded half up to uint8), so that
    exact halves, frequent when upsampling, fall on PIL's side. (Pillow
    goes down first for some shapes, e.g. narrower and wider at once: a
    grey level apart on some pixels.)"""
    bits = 22

    def one_pass(x, weights, subscripts):
        fixed = np.floor(weights * (1 << bits) + 0.5).astype(np.int64)
        total = np.einsum(subscripts, fixed, x.astype(np.int64))
        return np.clip((total + (1 << (bits - 1))) >> bits, 0, 255)

    across = one_pass(a, triangle_weights(a.shape[1], w), 'ow,hw...->ho...')
    down = one_pass(across, triangle_weights(a.shape[0], h),
                    'oh,hw...->ow...')
    return down.astype(np.uint8)


def reference_map(net: torch.nn.Module, path: str, mean=MEAN,
                  std=STD) -> np.ndarray:
    with Image.open(path) as im:
        rgb = np.asarray(ImageOps.exif_transpose(im).convert('RGB'))
    x = resize_uint8(rgb, *SIZE).astype(np.float32) / 255
    x = (x - np.float32(mean)) / np.float32(std)
    with torch.no_grad():
        out = net(torch.from_numpy(x.transpose(2, 0, 1)[None].copy()))[0]
    sal = out[0, 0].double().numpy()
    norm = (sal - sal.min()) / (sal.max() - sal.min())
    grey = np.round(norm * 255).astype(np.uint8)
    return resize_uint8(grey, *rgb.shape[:2])


def assert_maps_match(net, images, out_dir, names=IMAGES):
    for name in names:
        with Image.open(osp.join(out_dir, name + '.png')) as im:
            assert im.mode == 'L'
            got = np.asarray(im).astype(int)
        ref = reference_map(net, osp.join(images, name + '.png'))
        assert got.shape == IMAGES[name]
        diff = np.abs(got - ref)
        assert diff.max() <= 1, (name, diff.max())
        # the project reads it as a saliency map, at the image's size
        sal, resized = load_saliency(osp.join(out_dir, name + '.png'),
                                     IMAGES[name])
        assert not resized and np.allclose(sal * 255, got, atol=1e-3)


def listing(folder):
    return sorted(os.listdir(folder)) if osp.isdir(folder) else []


# ----------------------------------------------------------------------
# the tool and the function
# ----------------------------------------------------------------------
def test_tool_matches_reference_and_resumes(tiny, images, tmp_path, capsys):
    net, model, _ = tiny
    out = str(tmp_path / 'sal')
    args = [model, '--image-dir', images, '--out-dir', out,
            '--size', *map(str, SIZE), '--mean', *map(str, MEAN),
            '--std', *map(str, STD), '--threads', '1', '--no-progress']
    tool_main(TOOL)(args)
    assert '3 written, 0 there before' in capsys.readouterr().out
    assert listing(out) == sorted(n + '.png' for n in IMAGES)
    assert_maps_match(net, images, out)
    # a rerun writes nothing
    stamps = {n: os.stat(osp.join(out, n)).st_mtime_ns for n in listing(out)}
    tool_main(TOOL)(args)
    assert '0 written, 3 there before' in capsys.readouterr().out
    assert {n: os.stat(osp.join(out, n)).st_mtime_ns
            for n in listing(out)} == stamps


def test_list_restricts_the_images(tiny, images, tmp_path, capsys):
    net, model, _ = tiny
    names = tmp_path / 'names.txt'
    names.write_text('wide\nsmall\n')
    out = str(tmp_path / 'sal')
    tool_main(TOOL)([model, '--image-dir', images, '--out-dir', out,
                     '--size', *map(str, SIZE), '--mean', *map(str, MEAN),
                     '--std', *map(str, STD), '--threads', '1',
                     '--list', str(names), '--no-progress'])
    assert listing(out) == ['small.png', 'wide.png']
    assert_maps_match(net, images, out, names=['small', 'wide'])
    # the function: names, one already there
    counts = make_saliency_maps(model, images, out, size=SIZE, mean=MEAN,
                                std=STD, names=['big', 'wide'], threads=1,
                                progress=False)
    assert counts == {'written': 1, 'skipped': 1}
    assert listing(out) == ['big.png', 'small.png', 'wide.png']
    # a listed image that is not there: one error naming it
    with pytest.raises(FileNotFoundError, match='nothere'):
        make_saliency_maps(model, images, str(tmp_path / 'other'),
                           size=SIZE, names=['big', 'nothere'], threads=1,
                           progress=False)


def test_isnet_defaults_float16_input_and_workers(tiny, images, tmp_path):
    """IS-Net's normalisation (the defaults but the size), a model fed
    float16, and two workers giving the maps of one process."""
    import onnxruntime as ort
    net, model, model16 = tiny
    session = ort.InferenceSession(model16,
                                   providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].type == 'tensor(float16)'
    del session
    one, two = str(tmp_path / 'one'), str(tmp_path / 'two')
    counts = make_saliency_maps(model, images, one, size=SIZE, threads=1,
                                progress=False)
    assert counts == {'written': 3, 'skipped': 0}
    for name in IMAGES:
        ref = reference_map(net, osp.join(images, name + '.png'),
                            mean=(0.5, ) * 3, std=(1.0, ) * 3)
        got = np.asarray(Image.open(osp.join(one, name + '.png')))
        assert np.abs(got.astype(int) - ref).max() <= 1
    make_saliency_maps(model, images, two, size=SIZE, workers=2, threads=1,
                       progress=False)
    for name in IMAGES:
        assert np.array_equal(
            np.asarray(Image.open(osp.join(one, name + '.png'))),
            np.asarray(Image.open(osp.join(two, name + '.png'))))
    half = str(tmp_path / 'half')
    make_saliency_maps(model16, images, half, size=SIZE, mean=MEAN, std=STD,
                       threads=1, progress=False)
    # float16 inputs (11-bit mantissa) move some pixels by a grey level
    assert_maps_match(net, images, half)


def test_exif_orientation_is_applied(tiny, tmp_path):
    _, model, _ = tiny
    folder = tmp_path / 'img'
    folder.mkdir()
    im = Image.fromarray(np.random.RandomState(1).randint(
        0, 255, (20, 30, 3), dtype=np.uint8))
    exif = im.getexif()
    exif[0x0112] = 6  # turned by 90 degrees: loads 30 x 20 (H x W)
    im.save(folder / 'turned.jpg', exif=exif)
    out = str(tmp_path / 'sal')
    make_saliency_maps(model, str(folder), out, size=SIZE, threads=1,
                       progress=False)
    assert np.asarray(Image.open(osp.join(out, 'turned.png'))).shape == \
        (30, 20)


def test_refused_models_write_nothing(tiny, images, tmp_path):
    _, model, _ = tiny
    bad = tmp_path / 'bad'
    bad.mkdir()
    with torch.no_grad():
        three = export(TinySaliency(channels=3), str(bad / 'three.onnx'))
        grey_in = export(TinySaliency(in_channels=1),
                         str(bad / 'grey_in.onnx'), in_channels=1)
    text = bad / 'x.onnx'
    text.write_text('not a model\n')
    out = str(tmp_path / 'sal')
    cases = [(three, SIZE, 'first output map is \\[1, 3, 24, 40\\]'),
             (grey_in, SIZE, 'input input is \\[1, 1, 24, 40\\]'),
             (str(text), SIZE, 'not an ONNX model'),
             (model, (1024, 1024), 'takes 24x40 inputs.*--size 24 40')]
    for path, size, what in cases:
        with pytest.raises(ValueError, match=what) as err:
            make_saliency_maps(path, images, out, size=size, threads=1,
                               progress=False)
        assert path in str(err.value)
        # the tool: one line naming the file, exit code 1
        with pytest.raises(SystemExit) as stop:
            tool_main(TOOL)([path, '--image-dir', images, '--out-dir', out,
                             '--size', *map(str, size), '--threads', '1',
                             '--no-progress'])
        assert str(stop.value.code).startswith(f'error: {path}: ')
        assert not osp.exists(out)
    with pytest.raises(FileNotFoundError, match='missing.onnx'):
        make_saliency_maps(str(bad / 'missing.onnx'), images, out,
                           progress=False)
    assert not osp.exists(out)


# ----------------------------------------------------------------------
# the real model: the shared CamVid maps reproduced
# ----------------------------------------------------------------------
@pytest.mark.skipif(not osp.isfile(ISNET),
                    reason='SEENET_ISNET_ONNX names no IS-Net ONNX file')
@pytest.mark.skipif(not osp.isdir(osp.join(CAMVID, 'saliency', 'val')),
                    reason='no shared CamVid saliency maps')
def test_isnet_reproduces_the_shared_camvid_maps(tmp_path):
    with open(osp.join(CAMVID, 'val.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()][:3]
    out = str(tmp_path / 'sal')
    make_saliency_maps(ISNET, osp.join(CAMVID, 'val'), out, names=names,
                       threads=1, progress=False)
    for name in names:
        got = np.asarray(Image.open(osp.join(out, name + '.png'))).astype(int)
        ref = np.asarray(Image.open(osp.join(CAMVID, 'saliency', 'val',
                                             name + '.png'))).astype(int)
        assert got.shape == ref.shape
        assert (np.abs(got - ref) <= 2).mean() >= 0.99, name
