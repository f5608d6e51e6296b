"""Physics: integrators, potentials, finite-difference PDE steps."""
import numpy as np

from ._core import VALUE_EXIT, Either, N, POS, Raises, U, idiom


def _rk4(rhs, y, dt, steps):
    for _ in range(steps):
        k1 = rhs(y)
        k2 = rhs(y + dt / 2 * k1)
        k3 = rhs(y + dt / 2 * k2)
        k4 = rhs(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


@idiom(U(-1, 1, 2), expect=Either(TypeError, r"wg\.stack"), needs="value exits (§9)")
def rk4_pendulum_np_array(y0):
    """The RHS returns np.array([...]) of tensors: works, or §9's TypeError naming wg.stack."""
    def rhs(y):
        return np.array([y[1], -np.sin(y[0])])
    return np.sum(_rk4(rhs, y0, 0.1, 5) ** 2)


@idiom(U(-1, 1, 2), order2=True, fwd=True)
def rk4_pendulum_np_stack(y0):
    def rhs(y):
        return np.stack([y[1], -np.sin(y[0])])
    return np.sum(_rk4(rhs, y0, 0.1, 5) ** 2)


@idiom(U(-1, 1, 2), fwd=True)
def rk4_pendulum_np_concatenate(y0):
    def rhs(y):
        return np.concatenate([y[1:], -np.sin(y[:1])])
    return np.sum(_rk4(rhs, y0, 0.1, 5) ** 2)


@idiom(U(0.5, 1.5, 3), POS(3))
def rk4_lorenz_params_np_stack(y0, params):
    sigma, rho, beta = 10.0 * params[0], 28.0 * params[1], params[2]

    def rhs(y):
        x, yy, z = y[0], y[1], y[2]
        return np.stack([sigma * (yy - x), x * (rho - z) - yy, x * yy - beta * z])
    return _rk4(rhs, y0, 0.01, 4)


@idiom(U(0.5, 1.5, 3), POS(3), expect=Either(TypeError, r"wg\.stack"), needs="value exits (§9)")
def rk4_lorenz_np_array(y0, params):
    sigma, rho, beta = 10.0 * params[0], 28.0 * params[1], params[2]

    def rhs(y):
        return np.array([sigma * (y[1] - y[0]), y[0] * (rho - y[2]) - y[1], y[0] * y[1] - beta * y[2]])
    return _rk4(rhs, y0, 0.01, 4)


@idiom(U(-1, 1, 2), expect=Raises(TypeError, VALUE_EXIT), needs="value exits (§9)")
def euler_trajectory_into_np_zeros(y0):
    """A tensor written into an ndarray buffer cannot carry its gradient: §9's TypeError."""
    traj = np.zeros((6, 2))
    y = y0
    for i in range(6):
        traj[i] = y
        y = y + 0.1 * np.stack([y[1], -y[0]])
    return np.sum(traj ** 2)


@idiom(U(-1, 1, 2), order2=True)
def euler_trajectory_into_zeros_like(y0):
    traj = np.zeros_like(y0, shape=(6, 2))
    y = y0
    for i in range(6):
        traj[i] = y
        y = y + 0.1 * np.stack([y[1], -y[0]])
    return np.sum(traj ** 2)


@idiom(U(-1, 1, 2), expect=Either(TypeError, r"wg\.stack"), needs="value exits (§9)")
def trajectory_list_np_array(y0):
    states = [y0]
    for _ in range(5):
        y = states[-1]
        states.append(y + 0.1 * np.stack([y[1], -y[0]]))
    return np.sum(np.array(states) ** 2)


@idiom(U(-1, 1, 2), fwd=True)
def trajectory_list_np_stack(y0):
    states = [y0]
    for _ in range(5):
        y = states[-1]
        states.append(y + 0.1 * np.stack([y[1], -y[0]]))
    return np.sum(np.stack(states) ** 2)


@idiom(N(2), N(2), order2=True)
def leapfrog_harmonic(q, p):
    dt = 0.1
    for _ in range(8):
        p = p - dt / 2 * q
        q = q + dt * p
        p = p - dt / 2 * q
    return 0.5 * np.sum(p ** 2) + 0.5 * np.sum(q ** 2)


@idiom(N(4, 3))
def coulomb_energy_triu_indices(x):
    n = len(x)
    diff = x[:, None, :] - x[None, :, :]
    r2 = np.sum(diff ** 2, axis=-1)
    iu = np.triu_indices(n, 1)
    return np.sum(1.0 / np.sqrt(r2[iu] + 0.5))


@idiom(N(4, 3, scale=2.0), needs="np.triu")
def lennard_jones_triu_mask(x):
    diff = x[:, None, :] - x[None, :, :]
    r2 = np.sum(diff ** 2, axis=-1) + np.eye(len(x)) + 1.0
    inv6 = (1.0 / r2) ** 3
    return np.sum(np.triu(4.0 * (inv6 ** 2 - inv6), 1))


@idiom(N(6), fwd=True, needs="np.diff")
def spring_chain_energy_diff(x):
    return 0.5 * np.sum((np.diff(x) - 1.0) ** 2)


@idiom(N(8), needs="np.roll")
def heat_step_roll(u):
    for _ in range(3):
        u = u + 0.2 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return u


@idiom(N(8))
def heat_step_slices_concatenate(u):
    for _ in range(3):
        lap = u[:-2] - 2 * u[1:-1] + u[2:]
        u = np.concatenate([u[:1], u[1:-1] + 0.2 * lap, u[-1:]])
    return u


@idiom(N(8), needs="np.pad")
def heat_step_pad_edge(u):
    for _ in range(3):
        up = np.pad(u, 1, mode="edge")
        u = u + 0.2 * (up[:-2] - 2 * u + up[2:])
    return u


@idiom(N(6), N(6))
def wave_equation_steps(u, v):
    for _ in range(4):
        lap = np.zeros_like(u)
        lap[1:-1] = u[:-2] - 2 * u[1:-1] + u[2:]
        v = v + 0.1 * lap
        u = u + 0.1 * v
    return np.sum(u ** 2) + np.sum(v ** 2)


@idiom(U(5, 10, 3), U(0.2, 1.2, 3), order2=True)
def projectile_range(v, theta):
    g = 9.81
    return v ** 2 * np.sin(2 * theta) / g


@idiom(U(0.5, 1.5, 3), U(-0.2, 0.2, 3))
def kepler_energy(r, v):
    return 0.5 * np.dot(v, v) - 1.0 / np.linalg.norm(r)


@idiom(POS(3), U(0, 5, 7))
def damped_oscillator(params, t):
    omega, gamma, a = params[0], params[1] * 0.1, params[2]
    return a * np.exp(-gamma * t) * np.cos(omega * t)


@idiom(POS(5), U(1, 3, 1))
def boltzmann_partition(energies, temperature):
    beta = 1.0 / temperature
    z = np.sum(np.exp(-beta * energies))
    return -np.log(z) / beta


@idiom(N(3, 3, scale=0.2), N(3))
def rigid_rotation_kinetic(A, w):
    inertia = np.eye(3) + A @ A.T
    return 0.5 * w @ inertia @ w


@idiom(U(-1, 1, 2))
def odeint_like_loop_with_list_index(y0):
    ys = [y0]
    h = 0.05
    for i in range(6):
        y = ys[i]
        ys.append(y + h * np.concatenate([y[1:], -y[:1] - 0.1 * y[1:]]))
    return ys[-1]
