"""Checks for the exercises of notebooks 06 (optimisation) and 07 (overfitting and regularisation).

The update-rule checks run the student's one-step function for several steps in a row,
feeding back the state it returns, and compare the parameters after every step with
:mod:`dlmi.optim` (which matches ``torch.optim``). Each student call gets copies, so an
in-place change cannot touch the reference.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..optim import SGD, Adam, RMSprop
from .core import call, check_function, close, failed, mismatch, passed

_STEPS = 6


def _gradients(seed: int, shape=(3,)) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) * (1 + k) for k in range(_STEPS)]


def _reference_path(optimizer_cls, theta0: np.ndarray, grads: list[np.ndarray], **hyper) -> list[np.ndarray]:
    theta = theta0.copy()
    opt = optimizer_cls([theta], **hyper)
    path = []
    for g in grads:
        opt.step([g])
        path.append(theta.copy())
    return path


_RTOL = 1e-7  # relative tolerance of the update-rule and dropout comparisons


def _run_steps(name: str, fn: Callable, theta0: np.ndarray, grads: list[np.ndarray], state0: tuple,
               call_args: Callable, expected_path: list[np.ndarray], mistakes: dict[str, list[np.ndarray]],
               hint: str) -> bool:
    """Call ``fn`` step after step, threading the state it returns; compare θ after each step.

    ``call_args(theta, g, state, t)`` gives the arguments of step ``t`` (from 1); ``fn`` must
    return ``(theta, *state)``. ``mistakes`` maps a diagnosis to the path a known mistake takes.
    """
    theta, state = theta0.copy(), tuple(s.copy() for s in state0)
    for t, g in enumerate(grads, start=1):
        args = call_args(theta.copy(), g.copy(), tuple(s.copy() for s in state), t)
        out = call(name, fn, *args, hint=hint)
        if not isinstance(out, tuple) or len(out) != 1 + len(state0):
            got = type(out).__name__ + (f" of length {len(out)}" if isinstance(out, tuple) else "")
            failed(name, f"return a tuple of {1 + len(state0)} arrays (θ and the new state), got {got}", hint=hint)
        try:
            theta = np.asarray(out[0], dtype=np.float64)
            state = tuple(np.asarray(s, dtype=np.float64) for s in out[1:])
        except (TypeError, ValueError, OverflowError):
            failed(name, f"step {t}: θ and the state must be arrays of numbers", got=out, hint=hint)
        expected = expected_path[t - 1]
        reason = mismatch(expected, theta, tol=_RTOL)
        if reason is not None:
            for problem, path in mistakes.items():
                if close(theta, path[t - 1], rtol=_RTOL):
                    failed(name, f"step {t}: {problem}", expected=expected, got=theta, hint=hint)
            failed(name, f"step {t}: {reason}", expected=expected, got=theta, hint=hint)
    return passed(name, f"θ matches dlmi.optim (= torch.optim) over {len(grads)} steps")


# --------------------------------------------------------------------------- notebook 06


def _momentum_variant(theta0, grads, lr, mu, *, use_old_b=False, ema=False):
    theta, b, path = theta0.copy(), np.zeros_like(theta0), []
    for g in grads:
        b_new = mu * b + (1 - mu) * g if ema else mu * b + g
        theta = theta - lr * (b if use_old_b else b_new)
        b = b_new
        path.append(theta)
    return path


def check_momentum_step(fn: Callable) -> bool:
    """``fn(theta, g, b, lr, momentum)`` → ``(theta, b)``: b ← μ b + g, then θ ← θ − η b (b starts at 0)."""
    theta0, grads, lr, mu = np.array([1.0, -2.0, 0.5]), _gradients(6), 0.1, 0.9
    return _run_steps(
        "momentum_step", fn, theta0, grads, (np.zeros(3),),
        lambda theta, g, state, t: (theta, g, state[0], lr, mu),
        _reference_path(SGD, theta0, grads, lr=lr, momentum=mu),
        {
            "θ moved with the old velocity b; update b first, then step with the new one":
                _momentum_variant(theta0, grads, lr, mu, use_old_b=True),
            "you averaged b ← μ b + (1 − μ) g; torch's (and the course's) momentum adds the whole gradient":
                _momentum_variant(theta0, grads, lr, mu, ema=True),
        },
        hint="two lines: b = momentum * b + g, then theta = theta - lr * b; return (theta, b)",
    )


def _rmsprop_variant(theta0, grads, lr, alpha, eps, *, no_sqrt=False, eps_inside=False):
    theta, v, path = theta0.copy(), np.zeros_like(theta0), []
    for g in grads:
        v = alpha * v + (1 - alpha) * g**2
        denom = v + eps if no_sqrt else (np.sqrt(v + eps) if eps_inside else np.sqrt(v) + eps)
        theta = theta - lr * g / denom
        path.append(theta)
    return path


def check_rmsprop_step(fn: Callable) -> bool:
    """``fn(theta, g, v, lr, alpha, eps)`` → ``(theta, v)``: v ← α v + (1 − α) g², then
    θ ← θ − η g / (√v + ε), element by element."""
    theta0, grads, lr, alpha, eps = np.array([0.5, 1.5, -1.0]), _gradients(7), 0.01, 0.9, 1e-3
    return _run_steps(
        "rmsprop_step", fn, theta0, grads, (np.zeros(3),),
        lambda theta, g, state, t: (theta, g, state[0], lr, alpha, eps),
        _reference_path(RMSprop, theta0, grads, lr=lr, alpha=alpha, eps=eps),
        {
            "you divided by v + ε: divide by the root mean square √v + ε":
                _rmsprop_variant(theta0, grads, lr, alpha, eps, no_sqrt=True),
            "ε went inside the square root; torch adds it after: √v + ε":
                _rmsprop_variant(theta0, grads, lr, alpha, eps, eps_inside=True),
        },
        hint="v = alpha * v + (1 - alpha) * g**2; theta = theta - lr * g / (np.sqrt(v) + eps)",
    )


def _adam_variant(theta0, grads, lr, beta1, beta2, eps, *, no_correction=False, t_from_zero=False):
    theta, m, v, path = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0), []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if no_correction:
            m_hat, v_hat = m, v
        else:
            k = t + 1 if t_from_zero else t
            m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return path


def check_adam_step(fn: Callable) -> bool:
    """``fn(theta, g, m, v, t, lr, beta1, beta2, eps)`` → ``(theta, m, v)`` for step ``t`` = 1, 2, ..."""
    theta0, grads = np.array([2.0, -0.5, 1.0]), _gradients(8)
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    return _run_steps(
        "adam_step", fn, theta0, grads, (np.zeros(3), np.zeros(3)),
        lambda theta, g, state, t: (theta, g, state[0], state[1], t, lr, beta1, beta2, eps),
        _reference_path(Adam, theta0, grads, lr=lr, betas=(beta1, beta2), eps=eps),
        {
            "no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before the step":
                _adam_variant(theta0, grads, lr, beta1, beta2, eps, no_correction=True),
            "the bias correction is one step off: t is 1 at the first step, so use β₁ᵗ with that t":
                _adam_variant(theta0, grads, lr, beta1, beta2, eps, t_from_zero=True),
        },
        hint="m, v as exponential averages of g and g²; m̂ = m / (1 - beta1**t), v̂ = v / (1 - beta2**t); "
             "theta - lr * m̂ / (√v̂ + eps)",
    )


# --------------------------------------------------------------------------- notebook 07


def check_dropout_forward(fn: Callable) -> bool:
    """``fn(x, p, training, rng)`` → inverted dropout of ``x``: in training each entry is zeroed with
    probability ``p`` and the others divided by 1 − p; in evaluation ``x`` is returned unchanged."""
    name = "dropout_forward"
    hint = "mask = rng.random(x.shape) >= p; return x * mask / (1 - p) in training, x otherwise"
    x = np.random.default_rng(0).uniform(0.5, 2.0, size=(400, 250))
    out = call(name, fn, x.copy(), 0.3, False, np.random.default_rng(1), hint=hint)
    if not close(out, x, rtol=_RTOL):
        failed(name, "in evaluation (training=False) dropout must return x unchanged", hint=hint)
    for p in (0.0, 0.3, 0.75):
        out = call(name, fn, x.copy(), p, True, np.random.default_rng(2), hint=hint)
        try:
            out = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            failed(name, "expected an array of numbers", got=out, hint=hint)
        if out.shape != x.shape:
            failed(name, f"wrong shape {out.shape}, expected {x.shape}", hint=hint)
        kept = out != 0
        dropped = 1 - kept.mean()
        sigma = np.sqrt(p * (1 - p) / x.size)
        if abs(dropped - (1 - p)) < 5 * sigma < abs(dropped - p):
            failed(name, f"with p = {p} you dropped {dropped:.1%} of the entries: p is the probability "
                   "of dropping, not of keeping", hint=hint)
        if abs(dropped - p) > 5 * sigma + 1e-12:
            failed(name, f"with p = {p} a fraction {dropped:.3f} of the entries is zero, expected about {p}",
                   hint=hint)
        if p > 0 and close(out[kept], x[kept], rtol=_RTOL):
            failed(name, "the kept entries are not rescaled: divide them by 1 − p so that the mean is "
                   "unchanged", hint=hint)
        if p > 0 and close(out[kept], x[kept] * (1 - p), rtol=_RTOL):
            failed(name, "you multiplied the kept entries by 1 − p; inverted dropout divides by 1 − p",
                   hint=hint)
        if not close(out[kept], x[kept] / (1 - p), rtol=_RTOL):
            failed(name, f"the kept entries must equal x / (1 − p) = x / {1 - p:g}", hint=hint)
    outs = []
    for seed in (3, 3, 4):
        out = call(name, fn, x.copy(), 0.5, True, np.random.default_rng(seed), hint=hint)
        outs.append(out)
    if not close(outs[0], outs[1], rtol=_RTOL) or close(outs[0], outs[2], rtol=_RTOL):
        failed(name, "the mask must come from the generator rng you are given (same seed, same mask)",
               hint=hint)
    return passed(name, "drops a fraction p, rescales by 1/(1 − p), and is the identity in evaluation")


def _early_stopping_reference(val_losses, patience: int) -> tuple[int, int]:
    """What ``dlmi.train.EarlyStopping(patience=patience)`` does: (best epoch, epoch training stops), from 1."""
    best, best_epoch, waited = None, 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if best is None or value < best:
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def check_early_stopping(fn: Callable) -> bool:
    """``fn(val_losses, patience)`` → ``(best_epoch, stop_epoch)``, epochs counted from 1: stop after
    ``patience`` epochs in a row without a strictly lower validation loss (or at the last epoch)."""
    name = "early_stopping"
    hint = ("keep the best loss and its epoch; count epochs since the last improvement; stop when the count "
            "reaches patience. Epochs start at 1.")
    cases = [
        ([1.0, 0.8, 0.6, 0.65, 0.7, 0.75, 0.5], 3),   # stops at 6 although epoch 7 would improve
        ([1.0, 0.8, 0.6, 0.65, 0.7, 0.75, 0.5], 4),   # patience long enough to see epoch 7
        ([0.9, 0.7, 0.7, 0.7, 0.6], 2),               # a tie is not an improvement
        ([3.0, 2.0, 1.0, 0.5], 1),                    # always improving: runs to the end
        ([0.4, 0.5, 0.6, 0.7, 0.8, 0.9], 1),          # best at epoch 1
    ]
    for losses, patience in cases:
        expected = _early_stopping_reference(losses, patience)
        got = call(name, fn, list(losses), patience, hint=hint)
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError, OverflowError):
            failed(name, f"return two integers (best_epoch, stop_epoch), got {got!r}", hint=hint)
        if got != expected:
            off_by_one = tuple(v + 1 for v in got) == expected
            problem = (f"for val_losses={losses}, patience={patience}"
                       + (": epochs are counted from 1, not 0" if off_by_one else ""))
            failed(name, problem, expected=expected, got=got, hint=hint)
    return passed(name, f"{len(cases)} validation curves, including a tie and a late improvement")


def _penalised_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray, weight_decay: float) -> np.ndarray:
    return -2 / len(y) * X.T @ (y - X @ w) + weight_decay * w


def check_l2_gradient(fn: Callable) -> bool:
    """``fn(w, X, y, weight_decay)`` → ∇J for J(w) = (1/n) ‖y − Xw‖² + (λ/2) ‖w‖², with
    λ = ``weight_decay``."""
    name = "l2_gradient"
    hint = ("the data term gives −(2/n) Xᵀ(y − Xw); the penalty (λ/2)‖w‖² adds λw — exactly torch's "
            "weight_decay")
    rng = np.random.default_rng(9)
    cases = [(rng.normal(size=p), rng.normal(size=(n, p)), rng.normal(size=n), lam)
             for n, p, lam in [(20, 4, 0.1), (50, 8, 1e-2), (12, 10, 0.5)]]
    mistakes = {
        "the penalty is missing: (λ/2)‖w‖² adds λw to the gradient":
            lambda w, X, y, lam: _penalised_gradient(w, X, y, 0.0),
        "you added 2λw, the gradient of λ‖w‖²; the penalty here is (λ/2)‖w‖²":
            lambda w, X, y, lam: _penalised_gradient(w, X, y, 2 * lam),
        "the penalty's gradient has the wrong sign: it pulls w towards 0, so +λw":
            lambda w, X, y, lam: _penalised_gradient(w, X, y, -lam),
    }
    return check_function(name, fn, cases, _penalised_gradient, tol=1e-8, hint=hint, mistakes=mistakes)
