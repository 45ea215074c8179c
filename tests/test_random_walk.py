"""IRN's random walk as a sparse stencil, against IRN's dense transition
matrix squared 8 times, written another way here: pixel pairs in a loop,
the path of each pair by the point-to-line distance in floating point."""
import math

import numpy as np
import pytest
import torch

from seenet_mm.random_walk import (feature_affinities, half_offsets,
                                   link_affinities, path, propagate_links,
                                   random_walk, transition_weights,
                                   walk_links)


def dense_walk(x, boundary, radius=5, beta=10.0, exp_times=8):
    """IRN's propagate_to_edge: a dense N x N affinity, its power beta,
    columns normalised, squared exp_times times; float64."""
    c, h, w = x.shape
    b = boundary.double().numpy()
    n = h * w
    aff = np.eye(n)
    for y in range(h):
        for x0 in range(w):
            for dy in range(-radius + 1, radius):
                for dx in range(-radius + 1, radius):
                    if not 0 < dy * dy + dx * dx < radius * radius:
                        continue
                    ty, tx = y + dy, x0 + dx
                    if not (0 <= ty < h and 0 <= tx < w):
                        continue
                    norm = math.hypot(dy, dx)
                    peak = 0.0
                    for py in range(min(0, dy), max(0, dy) + 1):
                        for px in range(min(0, dx), max(0, dx) + 1):
                            if abs(dy * px - dx * py) / norm >= 1:
                                continue
                            yy, xx = y + py, x0 + px
                            # the path leaves the image: no link (IRN pads
                            # the boundary with 1)
                            peak = 1.0 if not (0 <= yy < h and 0 <= xx < w) \
                                else max(peak, b[yy, xx])
                    aff[y * w + x0, ty * w + tx] = 1 - peak
    trans = aff ** beta
    trans = trans / trans.sum(0, keepdims=True)
    trans = torch.from_numpy(trans)
    for _ in range(exp_times):
        trans = trans @ trans
    src = (x.double() * (1 - boundary.double())).reshape(c, n)
    return (src @ trans).reshape(c, h, w)


def labels(maps, bg=0.25):
    """IRN's labels from walked maps: normalised by the max, background a
    constant channel first."""
    maps = maps / maps.max()
    return torch.cat([torch.full_like(maps[:1], bg), maps]).argmax(0)


def smooth_inputs(h, w, seed):
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w),
                            indexing='ij')
    x = torch.stack([torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 0.05)
                     for cy, cx in torch.rand(3, 2, generator=g)])
    boundary = 0.2 * torch.rand(h, w, generator=g)
    boundary[:, w // 2] = 0.95  # a wall down the middle
    ring = ((yy - 0.5) ** 2 + (xx - 0.3) ** 2 - 0.06).abs() < 0.01
    boundary[ring] = 0.9
    return x.float(), boundary.float()


def test_stencil_geometry_is_irns():
    offsets = half_offsets(5)
    assert len(offsets) == 34  # 69 links with the self-link
    assert len(set(offsets)) == 34 and (0, 0) not in offsets
    assert not set(offsets) & {(-dy, -dx) for dy, dx in offsets}
    assert path(0, 3) == ((0, 0), (0, 1), (0, 2), (0, 3))
    # IRN's rule keeps the pixels within distance 1 of the line: a
    # diagonal path is three pixels wide
    assert path(2, 2) == ((0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1),
                          (2, 2))
    assert (0, 0) in path(3, -2) and (3, -2) in path(3, -2)
    with pytest.raises(ValueError, match='radius must be at least 2'):
        half_offsets(1)


def test_weights_are_a_column_normalised_symmetric_affinity():
    _, boundary = smooth_inputs(12, 10, 0)
    offsets, w = transition_weights(boundary)
    assert len(offsets) == 69 and offsets[0] == (0, 0)
    assert torch.allclose(w.sum(0), torch.ones_like(boundary))
    aff = link_affinities(boundary)
    assert aff.shape == (34, 12, 10)
    assert aff.min() >= 0 and aff.max() <= 1
    # links that leave the image have no affinity
    assert (aff[half_offsets().index((0, 1)), :, -1] == 0).all()
    with pytest.raises(ValueError, match='beta must be > 0'):
        transition_weights(boundary, beta=0)


@pytest.mark.parametrize('h,w,seed', [(24, 32, 0), (48, 40, 1)])
def test_random_walk_equals_the_dense_squaring(h, w, seed):
    x, boundary = smooth_inputs(h, w, seed)
    ref = dense_walk(x, boundary)
    out = random_walk(x, boundary)
    assert out.shape == x.shape and out.dtype == torch.float32
    assert (out.double() - ref).abs().max() <= 1e-4
    same = (labels(out.double()) == labels(ref)).double().mean()
    assert same >= 0.999
    # the walk does move the maps: not the identity
    assert (out - x * (1 - boundary)).abs().max() > 0.05


def test_walk_stops_at_a_closed_boundary():
    """Mass put on one side of a wall of boundary 1 never crosses it."""
    x = torch.zeros(1, 16, 16)
    x[0, 4:8, 2:5] = 1.0
    boundary = torch.zeros(16, 16)
    boundary[:, 8] = 1.0
    out = random_walk(x, boundary, steps=64)
    assert out[0, :, 9:].abs().max() == 0
    assert out[0, :, :8].sum() > 0


def test_bad_input():
    x, boundary = smooth_inputs(8, 8, 0)
    with pytest.raises(ValueError, match='maps of'):
        random_walk(x[:, :4], boundary)
    with pytest.raises(ValueError, match='steps must be >= 1'):
        random_walk(x, boundary, steps=0)


def test_pair_labels_against_a_loop():
    """Each link's kind, pixel by pixel: both ends background, both the
    same class, or different; 255 or outside the map: none."""
    from seenet_mm.random_walk import pair_labels
    g = torch.Generator().manual_seed(3)
    lab = torch.randint(0, 4, (9, 11), generator=g)
    lab[torch.rand(9, 11, generator=g) < 0.2] = 255
    radius = 4
    bg, fg, neg = pair_labels(lab, radius)
    offsets = half_offsets(radius)
    assert bg.shape == (len(offsets), 9, 11)
    for k, (dy, dx) in enumerate(offsets):
        for y in range(9):
            for x in range(11):
                a = int(lab[y, x])
                inside = 0 <= y + dy < 9 and 0 <= x + dx < 11
                b = int(lab[y + dy, x + dx]) if inside else 255
                ok = a != 255 and b != 255
                assert bool(bg[k, y, x]) == (ok and a == b == 0)
                assert bool(fg[k, y, x]) == (ok and a == b and a > 0)
                assert bool(neg[k, y, x]) == (ok and a != b)
    with pytest.raises(TypeError, match='integer'):
        pair_labels(lab.float(), radius)


def test_affinity_loss_against_a_loop():
    """IRN's loss bg/4 + fg/4 + neg/2 from the boundary's paths, each link
    summed in a loop in float64."""
    from seenet_mm.models.segmentors.affinity_net import affinity_loss
    g = torch.Generator().manual_seed(5)
    h, w, radius = 7, 8, 3
    boundary = torch.rand(2, h, w, generator=g)
    lab = torch.randint(0, 3, (2, h, w), generator=g)
    lab[0, 0] = 255
    got = affinity_loss(boundary, lab, radius)
    sums = {k: [0.0, 0] for k in ('bg', 'fg', 'neg')}
    b = boundary.double()
    for n in range(2):
        for dy, dx in half_offsets(radius):
            for y in range(h):
                for x in range(w):
                    ty, tx = y + dy, x + dx
                    if not (0 <= ty < h and 0 <= tx < w):
                        continue
                    s, t = int(lab[n, y, x]), int(lab[n, ty, tx])
                    if 255 in (s, t):
                        continue
                    peak = max(float(b[n, y + py, x + px])
                               for py, px in path(dy, dx))
                    a = 1 - peak
                    kind = 'neg' if s != t else ('bg' if s == 0 else 'fg')
                    loss = -math.log(1 + 1e-5 - a) if kind == 'neg' \
                        else -math.log(a + 1e-5)
                    sums[kind][0] += loss
                    sums[kind][1] += 1
    for kind, weight in (('bg', 4), ('fg', 4), ('neg', 2)):
        total, count = sums[kind]
        assert count > 0
        assert got[f'loss_{kind}'].item() == pytest.approx(
            total / (count + 1e-5) / weight, rel=1e-5)


def test_propagate_maps_stops_at_a_wall_at_the_image_size():
    """Maps at the image size walk on a stride-4 grid and come back at the
    image size (not a multiple of 4); nothing crosses a closed wall."""
    from seenet_mm.random_walk import propagate_maps
    height, width = 30, 41  # grid 8 x 11
    boundary = torch.zeros(8, 11)
    boundary[:, 5] = 1.0
    maps = torch.zeros(1, height, width)
    maps[0, 10:20, 4:12] = 1.0  # left of the wall
    out = propagate_maps(maps, boundary, steps=64)
    assert out.shape == (1, height, width)
    assert out[0, :, :16].sum() > 0
    assert out[0, :, 24:].abs().max() < 1e-6
    with pytest.raises(ValueError, match='do not fit'):
        propagate_maps(maps, torch.zeros(5, 5))


def dense_psa_walk(x, feats, radius=5, beta=8.0, logt=8):
    """PSA's infer_aff: a dense affinity matrix of exp(-mean |f_i - f_j|)
    over the pairs inside the map closer than radius, ones on the diagonal,
    its power beta, columns normalised, squared logt times; float64."""
    c, h, w = x.shape
    f = feats.double().numpy()
    n = h * w
    aff = np.eye(n)
    for y in range(h):
        for x0 in range(w):
            for ty in range(h):
                for tx in range(w):
                    d2 = (ty - y) ** 2 + (tx - x0) ** 2
                    if 0 < d2 < radius * radius:
                        aff[y * w + x0, ty * w + tx] = math.exp(
                            -np.abs(f[:, y, x0] - f[:, ty, tx]).mean())
    trans = torch.from_numpy(aff ** beta)
    trans = trans / trans.sum(0, keepdim=True)
    for _ in range(logt):
        trans = trans @ trans
    return (x.double().reshape(c, n) @ trans).reshape(c, h, w)


def test_feature_affinities_against_a_loop():
    g = torch.Generator().manual_seed(4)
    feats = torch.rand(2, 6, 7, 9, generator=g)  # a batch of 2
    aff = feature_affinities(feats, 4)
    offsets = half_offsets(4)
    assert aff.shape == (len(offsets), 2, 7, 9)
    for k, (dy, dx) in enumerate(offsets):
        for n in range(2):
            for y in range(7):
                for x in range(9):
                    if 0 <= y + dy < 7 and 0 <= x + dx < 9:
                        want = math.exp(-(feats[n, :, y, x] - feats[
                            n, :, y + dy, x + dx]).abs().mean().item())
                    else:
                        want = 0.0
                    assert aff[k, n, y, x].item() == pytest.approx(
                        want, abs=1e-6)


def test_psa_walk_equals_the_dense_squaring():
    x, _ = smooth_inputs(20, 24, 2)
    g = torch.Generator().manual_seed(5)
    feats = torch.rand(8, 20, 24, generator=g)
    feats[:, :, 12:] += 3.0  # an edge in the features down the middle
    ref = dense_psa_walk(x, feats)
    out = walk_links(x, feature_affinities(feats), beta=8.0, steps=256)
    assert (out.double() - ref).abs().max() <= 1e-4
    assert (labels(out.double()) == labels(ref)).double().mean() >= 0.999
    # propagate_links without source weights walks the maps as they are
    up = propagate_links(x.repeat_interleave(2, 1).repeat_interleave(2, 2),
                         feature_affinities(feats), None, beta=8.0, steps=4)
    assert up.shape == (3, 40, 48)
    with pytest.raises(ValueError, match='link affinities for radius 4'):
        walk_links(x, feature_affinities(feats), radius=4)
