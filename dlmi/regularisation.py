"""Overfitting and regularisation experiments (notebook 07): training records and repeated trainings.

- :func:`record_training` trains a ``dlmi.nn`` model full-batch with :func:`dlmi.nn.fit` and
  records, after every epoch, the losses and the model's curve on a grid: the
  :class:`TrainingRecord` that the early-stopping figure (``dlmi.widgets.overfitting``) replays.
- :func:`repeat_training` repeats notebook 07's network experiment on many fresh training sets
  at once (torch, one batched tensor per layer), so that its claims are about averages and not
  about the luck of one draw of 20 samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np

from . import nn
from .data.toy import noisy_sine
from .optim import Optimizer
from .runtime import torch_generator
from .validation import as_array, check_scalar, rng_argument, seed_from

__all__ = ["RepeatedTraining", "TrainingRecord", "record_training", "repeat_training"]


@dataclass
class TrainingRecord:
    """Losses after each epoch (index 0 = before training) and the model's curve on ``grid``.

    ``train_loss``, ``val_loss`` (and ``test_loss`` if a test set was given) have shape
    (epochs + 1,); ``predictions`` (epochs + 1, len(grid)). Losses are measured in evaluation
    mode (dropout off). ``status`` and ``diverged`` are those of the training run.
    """

    grid: np.ndarray
    predictions: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    test_loss: np.ndarray | None
    status: str
    diverged: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.train_loss) - 1

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss: where early stopping keeps the model."""
        if self.epochs == 0:
            raise ValueError(f"no epoch was trained ({self.status})")
        return int(np.argmin(self.val_loss[1:])) + 1


def record_training(model: nn.Module, loss, optimizer: Optimizer, train: tuple, val: tuple, *, epochs: int,
                    grid, test: tuple | None = None) -> TrainingRecord:
    """Train ``model`` (``dlmi.nn``) full-batch for ``epochs`` epochs, recording every epoch.

    ``train``, ``val`` and ``test`` are pairs ``(X, y)`` of arrays (n, d) and (n, 1); ``grid``
    (G, d) are inputs where the model's curve is recorded; ``optimizer`` holds
    ``model.parameters()``. A diverging run stops and says so in ``status``.
    """
    grid = as_array(grid, "grid", ndim=2)
    if test is not None and not (isinstance(test, tuple) and len(test) == 2):
        raise TypeError("test must be a pair (X, y) of arrays")

    def curve_and_test(net: nn.Module) -> dict:
        row = {"curve": net.forward(grid)[:, 0]}
        if test is not None:
            out = net.forward(test[0])
            row["test_loss"] = loss.forward(out, test[1]) if np.isfinite(out).all() else np.nan
        return row

    if not (isinstance(train, tuple) and len(train) == 2):
        raise TypeError("train must be a pair (X, y) of arrays")
    history = nn.fit(model, loss, *train, optimizer=optimizer, epochs=epochs, val=val, record=curve_and_test)
    return TrainingRecord(grid[:, 0], history["curve"], history.train_loss, history.val_loss,
                          history["test_loss"] if test is not None else None, history.status, history.diverged)


@dataclass
class RepeatedTraining:
    """One configuration of :func:`repeat_training`, one value per training set (shape (n_repeats,)).

    ``train``, ``val``, ``test``: mean squared errors after the last epoch (dropout off);
    ``best_epoch``: the epoch of lowest validation loss, checked every ``every`` epochs, where early
    stopping would keep the network, and ``val_at_best``, ``test_at_best``, ``train_at_best`` its errors there.
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    best_epoch: np.ndarray
    train_at_best: np.ndarray
    val_at_best: np.ndarray
    test_at_best: np.ndarray


def repeat_training(n_repeats: int, configs: dict[str, dict], *, epochs: int, rng=0, n_train: int = 20,
                    noise: float = 0.25, width: int = 32, lr: float = 0.01, first_sigma: float = 10.0,
                    every: int = 5, seed: int | None = None) -> dict[str, RepeatedTraining]:
    """Notebook 07's network on ``n_repeats`` fresh training sets, once per configuration, all at once.

    ``configs`` maps a name to the regularisers of that run, e.g. ``{"none": {}, "dropout":
    {"dropout": 0.2}, "weight decay": {"weight_decay": 1e-3}}``. With ``seed`` the int seed of
    ``rng`` (an int seed, a numpy Generator or None; ``seed=`` is accepted as its older name),
    training set ``r`` is ``noisy_sine(n_train, noise, rng=seed + 1000 + r)`` (x uniform), with a validation and a test
    set of 200 samples each (``rng=seed + 2000 + r`` and ``seed + 3000 + r``). On each set, each
    configuration trains its own 1 → ``width`` → ``width`` → 1 tanh network, from the same initial
    weights whatever the configuration (so configurations compare pairwise): first-layer weights
    from N(0, ``first_sigma``²) with their steps spread uniformly over [0, 1], the other layers
    Xavier, biases 0; then ``epochs`` full-batch Adam steps (``lr``, betas (0.9, 0.99)), with inverted
    ``dropout`` after each hidden layer and ``weight_decay`` added to the gradient as in
    ``torch.optim.Adam``. All the networks train side by side in torch, one batched tensor per
    layer; Adam's update is element-wise, so each trains exactly as if it were alone.
    """
    import torch

    check_scalar(n_repeats, "n_repeats", kind=Integral, low=1)
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    seed = seed_from(rng_argument(rng, seed))
    check_scalar(every, "every", kind=Integral, low=1)
    if not isinstance(configs, dict) or not configs:
        raise TypeError("configs must be a non-empty dict: name -> {'dropout': p, 'weight_decay': λ}")
    for name, config in configs.items():
        unknown = set(config) - {"dropout", "weight_decay"}
        if unknown:
            raise ValueError(f"configs[{name!r}] has unknown keys {sorted(unknown)}; use dropout and weight_decay")
        check_scalar(config.get("dropout", 0.0), "dropout", low=0.0, high=0.95)
        check_scalar(config.get("weight_decay", 0.0), "weight_decay", low=0.0)
    R, C = int(n_repeats), len(configs)
    dtype = torch.float32

    def stacked(n: int, offset: int):
        pairs = [noisy_sine(n, noise, rng=seed + offset + r) for r in range(R)]
        x = torch.tensor(np.stack([p[0] for p in pairs]), dtype=dtype)[:, :, None]
        y = torch.tensor(np.stack([p[1] for p in pairs]), dtype=dtype)[:, :, None]
        return x.repeat(C, 1, 1), y.repeat(C, 1, 1)  # network c * R + r: configuration c on set r

    (X, Y), (X_val, Y_val), (X_test, Y_test) = stacked(n_train, 1000), stacked(200, 2000), stacked(200, 3000)
    g = torch_generator(seed)
    W1 = torch.randn(R, 1, width, generator=g, dtype=dtype) * first_sigma
    b1 = -W1 * torch.rand(R, 1, width, generator=g, dtype=dtype)  # unit j steps at x = −b1/W1, in [0, 1]
    W2 = torch.randn(R, width, width, generator=g, dtype=dtype) * (1.0 / width) ** 0.5
    W3 = torch.randn(R, width, 1, generator=g, dtype=dtype) * (2.0 / (width + 1)) ** 0.5
    b2, b3 = torch.zeros(R, 1, width, dtype=dtype), torch.zeros(R, 1, 1, dtype=dtype)
    params = [p.repeat(C, 1, 1).requires_grad_() for p in (W1, b1, W2, b2, W3, b3)]
    def per_net(key: str):  # one value per network, shaped to broadcast over (network, sample, unit)
        return torch.tensor([c.get(key, 0.0) for c in configs.values() for _ in range(R)], dtype=dtype)[:, None, None]

    drop, decay = per_net("dropout"), per_net("weight_decay")
    optimizer = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.99))

    def forward(x, weights, training: bool = False):
        w1, c1, w2, c2, w3, c3 = weights
        h = torch.tanh(torch.baddbmm(c1, x, w1))
        if training:
            h = h * (torch.rand(h.shape, generator=g, dtype=dtype) >= drop) / (1 - drop)
        h = torch.tanh(torch.baddbmm(c2, h, w2))
        if training:
            h = h * (torch.rand(h.shape, generator=g, dtype=dtype) >= drop) / (1 - drop)
        return torch.baddbmm(c3, h, w3)

    def mse(weights, x, y):
        return ((forward(x, weights) - y) ** 2).mean(dim=(1, 2))  # one mean squared error per network

    best_val = torch.full((C * R,), float("inf"), dtype=dtype)
    best_epoch = torch.zeros(C * R, dtype=torch.long)
    best = [p.detach().clone() for p in params]
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        ((forward(X, params, training=True) - Y) ** 2).mean(dim=(1, 2)).sum().backward()  # each its own mean
        with torch.no_grad():
            for p in params:
                p.grad += decay * p  # weight decay, as torch.optim.Adam(weight_decay=λ) adds it
        optimizer.step()
        if epoch % every == 0 or epoch == epochs:
            with torch.no_grad():
                val = mse(params, X_val, Y_val)
                better = val < best_val
                best_val = torch.where(better, val, best_val)
                best_epoch[better] = epoch
                for kept, p in zip(best, params):
                    kept[better] = p[better]
    with torch.no_grad():
        final = [p.detach() for p in params]
        out = [mse(w, x, y).numpy().reshape(C, R) for w in (final, best)
               for x, y in ((X, Y), (X_val, Y_val), (X_test, Y_test))]
    epochs_kept = best_epoch.numpy().reshape(C, R)
    return {name: RepeatedTraining(out[0][c], out[1][c], out[2][c], epochs_kept[c], out[3][c], out[4][c], out[5][c])
            for c, name in enumerate(configs)}
