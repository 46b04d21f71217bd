r"""Optimisers in numpy, written as the equations of the course and of ``torch.optim``.

Each optimiser is one class whose docstring states its algorithm and whose ``step`` follows
that pseudo-code line by line, with the same symbols: :math:`\theta` (``theta``) for a
parameter, :math:`g` (``g``) for its gradient, :math:`\eta` (``lr``) for the learning rate (the
course's symbol; torch's documentation writes :math:`\gamma`), :math:`m, v` for running
averages, :math:`t` for the step number. The hyperparameters have ``torch.optim``'s names,
defaults and update rules, so a trajectory computed here matches ``torch.optim``'s to rounding
error.

``params`` is a list of float numpy arrays (e.g. ``model.parameters()`` of a ``dlmi.nn``
model); ``step(grads)`` updates them **in place** from a list of gradients of the same shapes:

>>> w = np.array([1.0, -2.0])
>>> opt = Adam([w], lr=0.1)
>>> for _ in range(100):
...     opt.step([2 * w])          # gradient of |w|^2
"""

from __future__ import annotations

import copy
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from numbers import Real
from typing import Sequence

import numpy as np

from .validation import check_choice, check_scalar

__all__ = ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "Optimizer", "OptimizerChoice", "OPTIMIZERS",
           "make_optimizer", "update_rule"]


def _check_rate(value, name: str) -> float:
    """A decay rate (β, ρ, α, momentum) in [0, 1)."""
    return float(check_scalar(value, name, low=0.0, high=1.0, high_inclusive=False))


def _check_nonnegative(value, name: str) -> float:
    return float(check_scalar(value, name, low=0.0))


class Optimizer:
    """What every optimiser shares: the parameters, their per-parameter state and the step count.

    Subclasses store their hyperparameters in ``__init__`` (validated, named as in torch)
    and write ``step(grads)`` as a loop over ``self._begin_step(grads)``, which checks the
    gradients, advances the step counter ``t`` (1 at the first step) and returns
    ``(theta, g, state)`` for each parameter.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float):
        if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
            raise TypeError(
                f"params must be a list of numpy arrays (e.g. model.parameters()), got {type(params).__name__}"
            )
        if not params:
            raise ValueError("params must not be empty: there is nothing to optimise")
        for i, theta in enumerate(params):
            if not isinstance(theta, np.ndarray) or not np.issubdtype(theta.dtype, np.floating):
                kind = theta.dtype if isinstance(theta, np.ndarray) else type(theta).__name__
                raise TypeError(
                    f"params[{i}] must be a float numpy array (it is updated in place), got {kind}"
                )
        if len({id(theta) for theta in params}) != len(params):
            raise ValueError("params holds the same array twice; each parameter must appear once")
        self.params = list(params)
        self.lr = _check_nonnegative(lr, "lr")
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient ``grads[i]`` (same shape)."""
        raise NotImplementedError

    def _init_state(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """The state of one parameter before its first step (none by default; subclasses give zeros)."""
        return {}

    def _begin_step(self, grads: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, dict]]:
        """Check ``grads``, advance ``t``, and return ``(theta, g, state)`` for each parameter."""
        if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
            raise TypeError(f"grads must be a list of numpy arrays, one per parameter, got {type(grads).__name__}")
        if len(grads) != len(self.params):
            raise ValueError(
                f"grads must hold one gradient per parameter: expected {len(self.params)}, got {len(grads)}"
            )
        checked = []
        for i, (theta, g) in enumerate(zip(self.params, grads)):
            g = np.asarray(g, dtype=theta.dtype)  # float32 parameters stay float32, as in torch
            if g.shape != theta.shape:
                raise ValueError(f"grads[{i}] must have the shape of params[{i}], {theta.shape}, got {g.shape}")
            if not np.isfinite(g).all():
                raise ValueError(
                    f"grads[{i}] contains NaN or inf: the optimisation has diverged "
                    "(try a smaller lr) or the gradient computation is broken"
                )
            checked.append(g)
        self.t += 1
        for theta, state in zip(self.params, self.state):
            if not state:
                state.update(self._init_state(theta))
        return list(zip(self.params, checked, self.state))

    def zero_state(self) -> None:
        """Forget the running averages and the step count (the parameters are kept)."""
        self.t = 0
        self.state = [{} for _ in self.params]

    def state_dict(self) -> dict:
        """A copy of the step count, the per-parameter state and the hyperparameters."""
        hyper = {k: v for k, v in vars(self).items() if k not in ("params", "state", "t")}
        return {"optimizer": type(self).__name__, "t": self.t, "state": copy.deepcopy(self.state),
                "hyperparameters": hyper}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned (same optimiser class and parameter shapes)."""
        if not isinstance(state_dict, dict) or not {"optimizer", "t", "state", "hyperparameters"} <= set(state_dict):
            raise TypeError("state_dict must be a dict returned by an optimiser's state_dict()")
        if state_dict["optimizer"] != type(self).__name__:
            raise ValueError(f"state_dict comes from {state_dict['optimizer']}, not {type(self).__name__}")
        if len(state_dict["state"]) != len(self.params):
            raise ValueError(
                f"state_dict has state for {len(state_dict['state'])} parameters, this optimiser has {len(self.params)}"
            )
        for i, (theta, state) in enumerate(zip(self.params, state_dict["state"])):
            for key, value in state.items():
                if np.shape(value) != theta.shape:
                    raise ValueError(f"state_dict's {key!r} for parameter {i} has shape {np.shape(value)}, "
                                     f"the parameter has shape {theta.shape}")
        self.t = int(state_dict["t"])
        self.state = copy.deepcopy(state_dict["state"])
        vars(self).update(state_dict["hyperparameters"])

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("params", "state", "t"))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum — torch's ``SGD``.

    .. math::
        \begin{aligned}
        & g_t \leftarrow \nabla_\theta J(\theta_{t-1}) \\
        & \textbf{if } \lambda \neq 0: \quad g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
        & \textbf{if } \mu \neq 0: \\
        & \quad b_t \leftarrow g_t \ \text{ if } t = 1 \text{ else } \mu\, b_{t-1} + (1 - \tau)\, g_t \\
        & \quad g_t \leftarrow g_t + \mu\, b_t \ \text{ if nesterov else } b_t \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, g_t
        \end{aligned}

    :math:`\eta` = ``lr``, :math:`\mu` = ``momentum``, :math:`\tau` = ``dampening``,
    :math:`\lambda` = ``weight_decay`` (an L2 penalty :math:`\tfrac{\lambda}{2}\|\theta\|^2`).
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _check_rate(momentum, "momentum")
        self.dampening = float(check_scalar(dampening, "dampening", low=0.0, high=1.0))
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs a momentum > 0 and dampening=0")
        self.nesterov = bool(nesterov)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay")

    def step(self, grads: Sequence[np.ndarray]) -> None:
        lr, mu, tau, lam = self.lr, self.momentum, self.dampening, self.weight_decay
        for theta, g, state in self._begin_step(grads):
            if lam != 0:
                g = g + lam * theta
            if mu != 0:
                b = g.copy() if self.t == 1 else mu * state["b"] + (1 - tau) * g
                g = g + mu * b if self.nesterov else b
                state["b"] = b
            theta -= lr * g


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011): each coordinate's step shrinks with its gradients' history.

    .. math::
        \begin{aligned}
        & g_t \leftarrow \nabla_\theta J(\theta_{t-1}) \\
        & \tilde\eta \leftarrow \eta / (1 + (t - 1)\,\delta) \\
        & \textbf{if } \lambda \neq 0: \quad g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
        & s_t \leftarrow s_{t-1} + g_t^2 \qquad (s_0 = \tau) \\
        & \theta_t \leftarrow \theta_{t-1} - \tilde\eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}
        \end{aligned}

    :math:`\eta` = ``lr``, :math:`\delta` = ``lr_decay``, :math:`\lambda` = ``weight_decay``,
    :math:`\tau` = ``initial_accumulator_value``, :math:`\epsilon` = ``eps``; :math:`s` is torch's
    ``state_sum``. Because :math:`s_t` only grows, the effective step only shrinks.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, lr)
        self.lr_decay = _check_nonnegative(lr_decay, "lr_decay")
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay")
        self.initial_accumulator_value = _check_nonnegative(initial_accumulator_value, "initial_accumulator_value")
        self.eps = _check_nonnegative(eps, "eps")

    def _init_state(self, theta):
        return {"s": np.full(theta.shape, self.initial_accumulator_value)}

    def step(self, grads: Sequence[np.ndarray]) -> None:
        lr, delta, lam, eps = self.lr, self.lr_decay, self.weight_decay, self.eps
        for theta, g, state in self._begin_step(grads):
            lr_tilde = lr / (1 + (self.t - 1) * delta)
            if lam != 0:
                g = g + lam * theta
            s = state["s"] = state["s"] + g**2
            theta -= lr_tilde * g / (np.sqrt(s) + eps)


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): a step with the units of :math:`\theta`, no learning rate needed.

    .. math::
        \begin{aligned}
        & g_t \leftarrow \nabla_\theta J(\theta_{t-1}) \\
        & \textbf{if } \lambda \neq 0: \quad g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
        & v_t \leftarrow \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \\
        & \Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        & u_t \leftarrow \rho\, u_{t-1} + (1 - \rho)\, \Delta x_t^2 \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, \Delta x_t
        \end{aligned}

    :math:`\eta` = ``lr`` (a scale, 1 by default), :math:`\rho` = ``rho``,
    :math:`\epsilon` = ``eps``, :math:`\lambda` = ``weight_decay``; :math:`v` averages squared
    gradients, :math:`u` squared updates, both from 0.
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.rho = _check_rate(rho, "rho")
        self.eps = _check_nonnegative(eps, "eps")
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay")

    def _init_state(self, theta):
        return {"v": np.zeros(theta.shape), "u": np.zeros(theta.shape)}

    def step(self, grads: Sequence[np.ndarray]) -> None:
        lr, rho, eps, lam = self.lr, self.rho, self.eps, self.weight_decay
        for theta, g, state in self._begin_step(grads):
            if lam != 0:
                g = g + lam * theta
            v = state["v"] = rho * state["v"] + (1 - rho) * g**2
            delta_x = np.sqrt(state["u"] + eps) / np.sqrt(v + eps) * g
            state["u"] = rho * state["u"] + (1 - rho) * delta_x**2
            theta -= lr * delta_x


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012): divide each step by a running RMS of the recent gradients.

    .. math::
        \begin{aligned}
        & g_t \leftarrow \nabla_\theta J(\theta_{t-1}) \\
        & \textbf{if } \lambda \neq 0: \quad g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
        & v_t \leftarrow \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
        & \tilde v_t \leftarrow v_t \\
        & \textbf{if centered}: \quad \bar g_t \leftarrow \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t,
          \quad \tilde v_t \leftarrow \tilde v_t - \bar g_t^2 \\
        & \textbf{if } \mu > 0: \quad b_t \leftarrow \mu\, b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),
          \quad \theta_t \leftarrow \theta_{t-1} - \eta\, b_t \\
        & \textbf{else}: \quad \theta_t \leftarrow \theta_{t-1} - \eta\, g_t / (\sqrt{\tilde v_t} + \epsilon)
        \end{aligned}

    :math:`\eta` = ``lr``, :math:`\alpha` = ``alpha``, :math:`\epsilon` = ``eps``,
    :math:`\mu` = ``momentum``, :math:`\lambda` = ``weight_decay``; ``centered`` divides by the
    gradient's estimated standard deviation rather than its RMS.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr)
        self.alpha = _check_rate(alpha, "alpha")
        self.eps = _check_nonnegative(eps, "eps")
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay")
        self.momentum = _check_rate(momentum, "momentum")
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"centered must be True or False, got {centered!r}")
        self.centered = bool(centered)

    def _init_state(self, theta):
        return {"v": np.zeros(theta.shape), "g_bar": np.zeros(theta.shape), "b": np.zeros(theta.shape)}

    def step(self, grads: Sequence[np.ndarray]) -> None:
        lr, alpha, eps, mu, lam = self.lr, self.alpha, self.eps, self.momentum, self.weight_decay
        for theta, g, state in self._begin_step(grads):
            if lam != 0:
                g = g + lam * theta
            v = state["v"] = alpha * state["v"] + (1 - alpha) * g**2
            v_tilde = v
            if self.centered:
                g_bar = state["g_bar"] = alpha * state["g_bar"] + (1 - alpha) * g
                v_tilde = v_tilde - g_bar**2
            if mu > 0:
                b = state["b"] = mu * state["b"] + g / (np.sqrt(v_tilde) + eps)
                theta -= lr * b
            else:
                theta -= lr * g / (np.sqrt(v_tilde) + eps)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014): momentum on :math:`g` and RMSprop's scaling, both bias-corrected.

    .. math::
        \begin{aligned}
        & g_t \leftarrow \nabla_\theta J(\theta_{t-1}) \\
        & \textbf{if } \lambda \neq 0: \quad g_t \leftarrow g_t + \lambda\,\theta_{t-1} \\
        & m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        & v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        & \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        & \textbf{if amsgrad}: \quad v^{max}_t \leftarrow \max(v^{max}_{t-1}, v_t),
          \quad \hat v_t \leftarrow v^{max}_t / (1 - \beta_2^t) \\
        & \textbf{else}: \quad \hat v_t \leftarrow v_t / (1 - \beta_2^t) \\
        & \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
        \end{aligned}

    :math:`\eta` = ``lr``, :math:`(\beta_1, \beta_2)` = ``betas``, :math:`\epsilon` = ``eps``,
    :math:`\lambda` = ``weight_decay``; :math:`m, v` start at 0, which the bias corrections
    :math:`1 - \beta^t` undo in the first steps.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2 or not all(isinstance(b, Real) for b in betas):
            raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
        self.betas = (_check_rate(betas[0], "betas[0] (beta1)"), _check_rate(betas[1], "betas[1] (beta2)"))
        self.eps = _check_nonnegative(eps, "eps")
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay")
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise TypeError(f"amsgrad must be True or False, got {amsgrad!r}")
        self.amsgrad = bool(amsgrad)

    def _init_state(self, theta):
        return {"m": np.zeros(theta.shape), "v": np.zeros(theta.shape), "v_max": np.zeros(theta.shape)}

    def step(self, grads: Sequence[np.ndarray]) -> None:
        lr, (beta1, beta2), eps, lam = self.lr, self.betas, self.eps, self.weight_decay
        for theta, g, state in self._begin_step(grads):
            if lam != 0:
                g = g + lam * theta
            m = state["m"] = beta1 * state["m"] + (1 - beta1) * g
            v = state["v"] = beta2 * state["v"] + (1 - beta2) * g**2
            m_hat = m / (1 - beta1**self.t)
            if self.amsgrad:
                v_max = state["v_max"] = np.maximum(state["v_max"], v)
                v_hat = v_max / (1 - beta2**self.t)
            else:
                v_hat = v / (1 - beta2**self.t)
            theta -= lr * m_hat / (np.sqrt(v_hat) + eps)


@dataclass(frozen=True)
class OptimizerChoice:
    """One entry of :data:`OPTIMIZERS`: an optimizer class with the hyperparameters its name fixes.

    ``fixed`` cannot be changed (``"gd"`` is SGD with ``momentum=0``), ``defaults`` replace
    torch's where the name implies them (``"momentum"``: μ = 0.9), ``label`` names it in figures.
    """

    cls: type[Optimizer]
    label: str
    fixed: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)

    def settings(self, name: str = "optimizer", **hyper) -> dict:
        """The hyperparameters the optimizer gets: ``defaults``, then ``hyper``, then ``fixed``."""
        for key, value in self.fixed.items():
            if key in hyper and hyper[key] != value:
                raise ValueError(f"optimizer {name!r} fixes {key}={value!r}, got {key}={hyper[key]!r}"
                                 + ("; use 'momentum' for momentum > 0" if name == "gd" else ""))
        return {**self.defaults, **hyper, **self.fixed}


#: The optimizers by the names the notebooks, the loss surfaces and the optimizer race use.
OPTIMIZERS: dict[str, OptimizerChoice] = {
    "gd": OptimizerChoice(SGD, "GD", fixed={"momentum": 0.0}),
    "momentum": OptimizerChoice(SGD, "momentum", defaults={"momentum": 0.9}),
    "nesterov": OptimizerChoice(SGD, "Nesterov", fixed={"nesterov": True}, defaults={"momentum": 0.9}),
    "adagrad": OptimizerChoice(Adagrad, "Adagrad"),
    "adadelta": OptimizerChoice(Adadelta, "Adadelta"),
    "rmsprop": OptimizerChoice(RMSprop, "RMSprop"),
    "adam": OptimizerChoice(Adam, "Adam"),
}


def make_optimizer(name: str, params: Sequence[np.ndarray], **hyper) -> Optimizer:
    """The optimizer called ``name`` in :data:`OPTIMIZERS` over ``params``, with ``hyper`` (``lr=...``).

    >>> make_optimizer("momentum", [w], lr=0.05)      # SGD(lr=0.05, momentum=0.9)   # doctest: +SKIP
    """
    check_choice(name, "name", tuple(OPTIMIZERS))
    choice = OPTIMIZERS[name]
    return choice.cls(params, **choice.settings(name, **hyper))


def update_rule(optimizer: type[Optimizer]) -> str:
    """Markdown showing an optimiser's algorithm (from its docstring) above the code of its ``step``.

    >>> from IPython.display import Markdown
    >>> Markdown(update_rule(Adam))      # doctest: +SKIP
    """
    if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer) and optimizer is not Optimizer):
        raise TypeError(f"optimizer must be an optimiser class such as dlmi.optim.Adam, got {optimizer!r}")
    doc = re.sub(r"``([^`]*)``", r"`\1`", re.sub(r":math:`([^`]*)`", r"$\1$", inspect.getdoc(optimizer)))
    math = re.search(r"\.\. math::\n(.*?)\n\n", doc, flags=re.S)
    symbols = doc[math.end():].strip().split("\n\n")[0]
    latex = textwrap.dedent(math.group(1)).strip()
    code = textwrap.dedent(inspect.getsource(optimizer.step))
    return (f"**{optimizer.__name__}** — {doc.splitlines()[0]}\n\n$$\n{latex}\n$$\n\n{symbols}\n\n"
            f"```python\n{code}```")
