"""Geometry: cross products, norms, angles, areas, rotations, distances."""
import numpy as np

from ._core import VALUE_EXIT, Either, N, POS, U, idiom


@idiom(N(3), N(3), N(3), fwd=True, needs="np.cross")
def triangle_area_cross(a, b, c):
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a))


@idiom(N(4, 3), N(4, 3), needs="np.cross")
def batched_cross_norms(u, v):
    return np.linalg.norm(np.cross(u, v), axis=1)


@idiom(N(3), N(3), order2=True)
def angle_arccos(u, v):
    c = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return np.arccos(0.9 * c)


@idiom(N(3), N(3), needs="np.cross")
def angle_arctan2(u, v):
    return np.arctan2(np.linalg.norm(np.cross(u, v)), np.dot(u, v))


@idiom(U(0.5, 1.5, 6), needs="np.roll")
def polygon_area_shoelace(r):
    theta = np.linspace(0, 2 * np.pi, 6, endpoint=False)
    x, y = r * np.cos(theta), r * np.sin(theta)
    return 0.5 * np.abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


@idiom(N(5), N(5), fwd=True)
def polar_coordinates(x, y):
    return np.hypot(x, y) + np.arctan2(y, x)


@idiom(N(1), N(4, 2), expect=Either(TypeError, VALUE_EXIT), needs="value exits (§9)")
def rotation_matrix_np_array(theta, pts):
    c, s = np.cos(theta[0]), np.sin(theta[0])
    R = np.array([[c, -s], [s, c]])
    return pts @ R.T


@idiom(N(1), N(4, 2), order2=True)
def rotation_matrix_np_stack(theta, pts):
    c, s = np.cos(theta[0]), np.sin(theta[0])
    R = np.stack([np.stack([c, -s]), np.stack([s, c])])
    return pts @ R.T


@idiom(N(5, 3), fwd=True)
def pairwise_distances_broadcast(x):
    d2 = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    return np.sqrt(d2 + 1e-3)


@idiom(N(4, 2), N(3, 2))
def cross_distances_linalg_norm(x, y):
    return np.linalg.norm(x[:, None, :] - y[None, :, :], axis=-1)


@idiom(N(6, 3), N(3), N(1))
def point_plane_distance(p, n, d):
    return (p @ n + d) / np.linalg.norm(n)


@idiom(N(4, 3))
def normalise_rows(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@idiom(N(3), N(3), N(3), needs="np.cross")
def triple_product(a, b, c):
    return np.dot(a, np.cross(b, c))


@idiom(N(4, 3), needs="np.cross")
def dihedral_angle(p):
    b0, b1, b2 = p[0] - p[1], p[2] - p[1], p[3] - p[2]
    b1 = b1 / np.linalg.norm(b1)
    v = b0 - np.dot(b0, b1) * b1
    w = b2 - np.dot(b2, b1) * b1
    x = np.dot(v, w)
    y = np.dot(np.cross(b1, v), w)
    return np.arctan2(y, x)


@idiom(N(6, 3), POS(6))
def radius_of_gyration(x, m):
    com = np.sum(m[:, None] * x, axis=0) / np.sum(m)
    return np.sqrt(np.sum(m * np.sum((x - com) ** 2, axis=1)) / np.sum(m))


@idiom(POS(5), U(0.2, 2.9, 5), U(0, 6, 5))
def spherical_to_cartesian(r, theta, phi):
    return np.stack([r * np.sin(theta) * np.cos(phi), r * np.sin(theta) * np.sin(phi),
                     r * np.cos(theta)], axis=-1)


@idiom(N(3), N(3))
def projection_onto_plane_outer(n, v):
    n = n / np.linalg.norm(n)
    P = np.eye(3) - np.outer(n, n)
    return P @ v


@idiom(N(5, 2), N(1), N(2))
def rmsd_after_rotation(x, theta, t):
    c, s = np.cos(theta[0]), np.sin(theta[0])
    R = np.stack([np.stack([c, -s]), np.stack([s, c])])
    y = x @ R.T + t
    ref = np.arange(10.0).reshape(5, 2) / 10
    return np.sqrt(np.mean(np.sum((y - ref) ** 2, axis=1)))


@idiom(N(3), N(3))
def reflect_vector(v, n):
    n = n / np.sqrt(np.sum(n * n))
    return v - 2 * np.dot(v, n) * n


@idiom(N(4), needs="np.linalg.det of a stacked matrix")
def signed_area_det(p):
    m = np.stack([p[:2], p[2:]])
    return 0.5 * np.linalg.det(m)


@idiom(U(0.1, 1.4, 4), needs="np.diff")
def unit_circle_points_closed_polygon_length(t):
    pts = np.stack([np.cos(t), np.sin(t)], axis=1)
    closed = np.concatenate([pts, pts[:1]], axis=0)
    return np.sum(np.sqrt(np.sum(np.diff(closed, axis=0) ** 2, axis=1)))
