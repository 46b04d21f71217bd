"""Neural networks from scratch in numpy: layers, losses, initialisation, training, gradient checking.

Every layer keeps its ``forward`` and its ``backward`` side by side: ``forward(x)`` computes
the output and remembers what the derivative will need; ``backward(grad_out)`` receives
∂J/∂output, fills ``grads`` (∂J/∂parameter, same keys as ``params``) and returns ∂J/∂input.
``Sequential`` calls ``forward`` left to right and ``backward`` right to left: that loop is
backpropagation.

Notation follows the slides: a ``Linear`` layer computes ``z = x W + w0`` with ``W`` of shape
``(d_in, d_out)`` (entry ``W[j, i]`` is the slides' :math:`w_{j,i}`) and bias ``w0`` of shape
``(d_out,)``. Batches are rows: ``x`` has shape ``(n, d_in)``.

>>> model = Sequential(Linear(2, 8, rng=0), ReLU(), Linear(8, 1, rng=1))
>>> loss = BCEWithLogitsLoss()
>>> J = loss.forward(model.forward(x), y)       # doctest: +SKIP
>>> model.backward(loss.backward())              # doctest: +SKIP
>>> for w, g in zip(model.parameters(), model.gradients()):  # doctest: +SKIP
...     w -= 0.1 * g                              # in place: optimisers hold these arrays

Parameters are always updated in place (``w -= ...``), never rebound, so that an optimiser
built from ``model.parameters()`` keeps pointing at the live arrays. ``backward`` overwrites
``grads`` (it does not accumulate, unlike torch).

:func:`mlp` builds the course's networks and :func:`fit` is the one training loop for them
(full batch or mini-batches, any ``dlmi.optim`` optimizer), the numpy twin of ``dlmi.train.fit``:

>>> model = mlp([2, 32, 32, 1], "relu", rng=0)                                   # doctest: +SKIP
>>> history = fit(model, BCEWithLogitsLoss(), X, y, lr=0.1, epochs=100)         # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Sequence

import numpy as np

from .divergence import ON_DIVERGENCE, divergence_status, stop_or_raise
from .linear import sigmoid  # the logistic function of chapter 2, one implementation for the package
from .optim import SGD, Optimizer
from .validation import as_array, check_choice, check_positive, check_rng, check_scalar

__all__ = [
    "ACTIVATIONS",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Linear",
    "MSELoss",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TrainingHistory",
    "accuracy",
    "fit",
    "gradient_check",
    "init_he_",
    "init_normal_",
    "init_xavier_",
    "mlp",
    "predict_proba",
    "sigmoid",
    "softmax",
]

INITS = ("normal", "xavier", "he")


# --------------------------------------------------------------------------------------------
# Random generators and weight initialisation
# --------------------------------------------------------------------------------------------
def _as_rng(rng) -> np.random.Generator:
    """A ``Generator`` from a seed, a ``Generator`` or ``None``.

    ``None`` draws a seed from numpy's global state, so ``dlmi.seed_everything`` makes it
    repeatable.
    """
    return check_rng(np.random.randint(0, 2**31 - 1) if rng is None else rng)


def _float_weight(weight, ndim: int | None = None) -> np.ndarray:
    if not isinstance(weight, np.ndarray) or not np.issubdtype(weight.dtype, np.floating):
        raise TypeError(f"weight must be a float numpy array (it is filled in place), got "
                        f"{weight.dtype if isinstance(weight, np.ndarray) else type(weight).__name__}")
    if ndim is not None and weight.ndim != ndim:
        raise ValueError(f"weight must be a (d_in, d_out) matrix, got shape {weight.shape}")
    return weight


def init_normal_(weight: np.ndarray, sigma: float = 0.01, rng=None) -> np.ndarray:
    """Fill ``weight`` (a float array) in place with draws from N(0, σ²), as in the slides; return it."""
    _float_weight(weight)
    check_positive(sigma, "sigma")
    weight[...] = _as_rng(rng).normal(0.0, sigma, size=weight.shape)
    return weight


def init_xavier_(weight: np.ndarray, rng=None) -> np.ndarray:
    """Glorot & Bengio (2010): N(0, σ²) with σ² = 2 / (d_in + d_out), for tanh and sigmoid."""
    d_in, d_out = _float_weight(weight, ndim=2).shape
    return init_normal_(weight, np.sqrt(2.0 / (d_in + d_out)), rng)


def init_he_(weight: np.ndarray, rng=None) -> np.ndarray:
    """He et al. (2015): N(0, σ²) with σ² = 2 / d_in, which keeps ReLU activations' scale."""
    d_in, _ = _float_weight(weight, ndim=2).shape
    return init_normal_(weight, np.sqrt(2.0 / d_in), rng)


# --------------------------------------------------------------------------------------------
# Numerically stable elementwise functions
# --------------------------------------------------------------------------------------------
def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(z_c) / Σ_c' exp(z_c') along ``axis``; subtracting the maximum first avoids overflow."""
    z = as_array(z, "z", dtype=None, allow_nan=True)
    check_scalar(axis, "axis", kind=Integral, low=-max(z.ndim, 1), high=max(z.ndim, 1) - 1)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
class Module:
    """Base class: ``params``/``grads`` dicts, train/eval mode, ``model(x)`` = ``forward(x)``."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True

    def __call__(self, x) -> np.ndarray:
        return self.forward(x)

    def forward(self, x) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out) -> np.ndarray:
        raise NotImplementedError

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays, in a fixed order (an optimiser updates them in place)."""
        return list(self.params.values())

    def gradients(self) -> list[np.ndarray]:
        """∂J/∂parameter for each entry of ``parameters()``, in the same order."""
        return [self.grads[name] for name in self.params]

    def train(self, mode: bool = True) -> "Module":
        """Switch to training mode (dropout active); returns ``self``."""
        self.training = bool(mode)
        return self

    def eval(self) -> "Module":
        """Switch to evaluation mode (dropout off); returns ``self``."""
        return self.train(False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # helpers shared by the layers below: forward records the output's shape, backward checks it
    _output_shape: tuple[int, ...] | None = None

    def _input(self, x, features: int | None = None) -> np.ndarray:
        x = as_array(x, "x", ndim=2, dtype=None, allow_nan=True)
        if features is not None and x.shape[1] != features:
            raise ValueError(f"x must have shape (n, {features}) for {self!r}, got shape {x.shape}")
        return x

    def _check_grad_out(self, grad_out) -> np.ndarray:
        if self._output_shape is None:
            raise RuntimeError(f"{self!r}: call forward before backward")
        grad_out = as_array(grad_out, "grad_out", dtype=None, allow_nan=True)
        if grad_out.shape != self._output_shape:
            raise ValueError(
                f"grad_out must have the shape of the layer's output {self._output_shape}, got {grad_out.shape}"
            )
        return grad_out


class Linear(Module):
    """Fully connected layer z = x W + w0.

    Shapes: x (n, d_in) → z (n, d_out); ``params["W"]`` (d_in, d_out), ``params["w0"]`` (d_out,).
    Weights are drawn from N(0, σ²) with σ set by ``init``: ``"normal"`` (σ = ``sigma``),
    ``"xavier"`` (σ² = 2/(d_in+d_out)) or ``"he"`` (σ² = 2/d_in); biases start at 0.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng=None,
        *,
        init: str = "xavier",
        sigma: float = 0.01,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        check_scalar(in_features, "in_features", kind=Integral, low=1)
        check_scalar(out_features, "out_features", kind=Integral, low=1)
        check_choice(init, "init", INITS)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        W = np.empty((self.in_features, self.out_features), dtype=dtype)
        if init == "normal":
            init_normal_(W, sigma, rng)
        else:
            (init_xavier_ if init == "xavier" else init_he_)(W, rng)
        self.params = {"W": W, "w0": np.zeros(self.out_features, dtype=dtype)}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def forward(self, x) -> np.ndarray:
        x = self._input(x, self.in_features)
        W, w0 = self.params["W"], self.params["w0"]
        if x.dtype != W.dtype:
            raise TypeError(
                f"x has dtype {x.dtype} but {self!r} holds {W.dtype} weights: "
                f"cast x with x.astype(np.{W.dtype}) or build the layer with dtype=np.{x.dtype}"
            )
        self._x = x  # backward needs the input
        z = x @ W
        z += w0
        self._output_shape = z.shape
        return z

    def backward(self, grad_out) -> np.ndarray:
        grad_out = self._check_grad_out(grad_out)
        np.matmul(self._x.T, grad_out, out=self.grads["W"])  # ∂J/∂W  = xᵀ · ∂J/∂z
        np.sum(grad_out, axis=0, out=self.grads["w0"])  # ∂J/∂w0 = Σ_rows ∂J/∂z
        return grad_out @ self.params["W"].T  # ∂J/∂x  = ∂J/∂z · Wᵀ

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class ReLU(Module):
    """g(z) = max(0, z); g'(z) = 1 where z > 0, else 0. Input (n, d)."""

    def forward(self, x) -> np.ndarray:
        x = self._input(x)
        self._positive, self._output_shape = x > 0, x.shape
        return np.maximum(x, 0)

    def backward(self, grad_out) -> np.ndarray:
        return self._check_grad_out(grad_out) * self._positive  # g'(z) = 1[z > 0]


class Sigmoid(Module):
    """g(z) = 1 / (1 + e^(−z)); g'(z) = g(z)(1 − g(z)). Input (n, d)."""

    def forward(self, x) -> np.ndarray:
        self._g = sigmoid(self._input(x))
        self._output_shape = self._g.shape
        return self._g

    def backward(self, grad_out) -> np.ndarray:
        grad_out = self._check_grad_out(grad_out)
        return grad_out * self._g * (1 - self._g)  # g'(z) = g(z)(1 − g(z))


class Tanh(Module):
    """g(z) = (e^z − e^(−z)) / (e^z + e^(−z)); g'(z) = 1 − g(z)². Input (n, d)."""

    def forward(self, x) -> np.ndarray:
        self._g = np.tanh(self._input(x))
        self._output_shape = self._g.shape
        return self._g

    def backward(self, grad_out) -> np.ndarray:
        grad_out = self._check_grad_out(grad_out)
        return grad_out * (1 - self._g * self._g)  # g'(z) = 1 − g(z)²


class Dropout(Module):
    """Inverted dropout: in training, zero each activation with probability ``p`` and scale the
    survivors by 1/(1−p), so that evaluation (no dropout, no scaling) sees the same mean."""

    def __init__(self, p: float = 0.5, rng=None) -> None:
        super().__init__()
        check_scalar(p, "p", low=0.0, high=1.0, high_inclusive=False)
        self.p = float(p)
        self._rng = _as_rng(rng)

    def forward(self, x) -> np.ndarray:
        x = self._input(x)
        self._output_shape = x.shape
        if not self.training or self.p == 0.0:
            self._scale = np.ones((1, 1), dtype=x.dtype)  # broadcasts: identity
            return x
        keep = self._rng.random(x.shape) >= self.p
        self._scale = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
        return x * self._scale

    def backward(self, grad_out) -> np.ndarray:
        return self._check_grad_out(grad_out) * self._scale

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"


class Sequential(Module):
    """Layers applied in order; ``backward`` walks them in reverse (the chain rule).

    ``params``/``grads`` are named ``"<layer index>.<name>"`` like torch's ``state_dict``.
    """

    def __init__(self, *layers: Module) -> None:
        self.training = True
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layers[{i}] must be a dlmi.nn layer, got {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    def train(self, mode: bool = True) -> "Sequential":
        super().train(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __repr__(self) -> str:
        inner = ",\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


#: Hidden-layer activations by name; "linear" means no activation at all.
ACTIVATIONS: dict[str, type[Module] | None] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "linear": None}


def mlp(sizes: Sequence[int], activation: str = "relu", *, init: str | Sequence[str] = "xavier", sigma: float = 0.01,
        dropout: float = 0.0, rng=0, dtype=np.float64) -> Sequential:
    """A multilayer perceptron: ``sizes[0]`` inputs → hidden layers ``sizes[1:-1]`` → ``sizes[-1]`` outputs.

    Each hidden layer is ``Linear`` then ``activation`` (one of :data:`ACTIVATIONS`), then
    ``Dropout(dropout)`` when ``dropout > 0``; the output layer is ``Linear`` alone (logits).
    ``init`` is one initialisation for every ``Linear`` layer (``"normal"`` with ``sigma``,
    ``"xavier"``, ``"he"``) or one per layer. ``rng``: an int seed ``s`` gives ``Linear`` layer ``k``
    the seed ``s + k`` (so that a layer's weights do not depend on the layers after it) and
    dropout layer ``k`` the seed ``s + len(sizes) − 1 + k``; a numpy Generator is drawn from layer
    after layer; None follows numpy's global state.

    >>> mlp([2, 32, 32, 1], "relu", init="he", rng=0)      # doctest: +SKIP
    """
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise TypeError(f"sizes must be a list of at least two layer widths (inputs, ..., outputs), got {sizes!r}")
    for i, width in enumerate(sizes):
        check_scalar(width, f"sizes[{i}]", kind=Integral, low=1)
    check_choice(activation, "activation", list(ACTIVATIONS))
    n_linear = len(sizes) - 1
    inits = [init] * n_linear if isinstance(init, str) else list(init)
    if len(inits) != n_linear:
        raise ValueError(f"init must be one name or one per Linear layer ({n_linear}), got {len(inits)}")
    check_scalar(dropout, "dropout", low=0.0, high=1.0, high_inclusive=False)
    if isinstance(rng, (Integral, np.integer)) and not isinstance(rng, bool):
        check_rng(rng)  # names a negative seed
        seeds = [int(rng) + k for k in range(n_linear + n_linear - 1)]
    else:
        seeds = [rng if rng is None else check_rng(rng)] * (2 * n_linear - 1)
    layers: list[Module] = []
    for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(d_in, d_out, rng=seeds[k], init=inits[k], sigma=sigma, dtype=dtype))
        if k < n_linear - 1:
            if ACTIVATIONS[activation] is not None:
                layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout, rng=seeds[n_linear + k]))
    return Sequential(*layers)


def predict_proba(model: Module, X) -> np.ndarray:
    """P(class 1 | x) = σ(output) of a binary classifier with one logit, for each row of X (n, d) → (n,)."""
    X = as_array(X, "X", ndim=2)
    with np.errstate(over="ignore", invalid="ignore"):
        return sigmoid(model.forward(X)[:, 0])


def accuracy(model: Module, X, y) -> float:
    """Share of the rows of X whose predicted class (P(class 1 | x) > 0.5) equals the 0/1 label y, in [0, 1]."""
    return float(np.mean((predict_proba(model, X) > 0.5) == (np.asarray(y) == 1)))


# --------------------------------------------------------------------------------------------
# Losses (mean over the batch, like torch's default reduction="mean")
# --------------------------------------------------------------------------------------------
class _Loss:
    """``forward(pred, target) -> float`` remembers what ``backward() -> ∂J/∂pred`` needs."""

    def __init__(self) -> None:
        self._grad: np.ndarray | None = None

    def __call__(self, pred, target) -> float:
        return self.forward(pred, target)

    def backward(self) -> np.ndarray:
        """∂J/∂pred for the last ``forward``, shape of ``pred``."""
        if self._grad is None:
            raise RuntimeError(f"{type(self).__name__}: call forward before backward")
        return self._grad

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @staticmethod
    def _pred(pred) -> np.ndarray:
        pred = as_array(pred, "pred", ndim=(1, 2), dtype=None, allow_nan=True)
        if not np.isfinite(pred).all():
            raise ValueError(
                "pred contains NaN or infinite values; during training this means it diverged: "
                "lower the learning rate"
            )
        return pred

    @staticmethod
    def _same_shape(pred: np.ndarray, target) -> np.ndarray:
        target = as_array(target, "target", ndim=(1, 2), dtype=pred.dtype)
        if target.shape != pred.shape:
            raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
        return target


class MSELoss(_Loss):
    """J = mean over all entries of (ŷ − y)²; ∂J/∂ŷ = 2(ŷ − y) / N. ``pred``, ``target``: same shape."""

    def forward(self, pred, target) -> float:
        pred = self._pred(pred)
        diff = pred - self._same_shape(pred, target)
        self._grad = diff * pred.dtype.type(2.0 / diff.size)
        return float(np.mean(diff * diff))


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits z (ŷ = σ(z)), targets y in [0, 1] of the same shape:

    J = mean of −[y log σ(z) + (1 − y) log(1 − σ(z))] = mean of max(z, 0) − z y + log(1 + e^(−|z|)),
    the right-hand form never overflows. ∂J/∂z = (σ(z) − y) / N.
    """

    def forward(self, pred, target) -> float:
        z = self._pred(pred)
        y = self._same_shape(z, target)
        if y.min() < 0 or y.max() > 1:
            raise ValueError(f"target must hold values in [0, 1], got range [{y.min():g}, {y.max():g}]")
        self._grad = (sigmoid(z) - y) / z.dtype.type(z.size)
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits z (n, C).

    ``target`` is either integer class indices (n,) in [0, C) or rows of class probabilities
    (n, C) (one-hot). J = mean over samples of −Σ_c y_c log softmax(z)_c;
    ∂J/∂z = (softmax(z) − y) / n.
    """

    def forward(self, pred, target) -> float:
        z = self._pred(pred)
        if z.ndim != 2:
            raise ValueError(f"pred must hold logits of shape (n, C), got shape {z.shape}")
        n, n_classes = z.shape
        y = self._targets(target, n, n_classes, z.dtype)
        log_p = _log_softmax(z)
        self._grad = (np.exp(log_p) - y) / z.dtype.type(n)
        return float(-np.sum(y * log_p) / n)

    @staticmethod
    def _targets(target, n: int, n_classes: int, dtype) -> np.ndarray:
        """Targets as (n, C) probability rows of ``dtype``."""
        raw = np.asarray(target)
        if raw.ndim == 1:
            if not np.issubdtype(raw.dtype, np.integer):
                raise TypeError(
                    f"target of shape (n,) must hold integer class indices, got dtype {raw.dtype}; "
                    "pass labels.astype(int), or one-hot rows of shape (n, C)"
                )
            if raw.shape[0] != n:
                raise ValueError(f"target must have {n} labels (one per row of pred), got {raw.shape[0]}")
            if raw.min() < 0 or raw.max() >= n_classes:
                raise ValueError(
                    f"target class indices must be in [0, {n_classes}), got range [{raw.min()}, {raw.max()}]"
                )
            y = np.zeros((n, n_classes), dtype=dtype)
            y[np.arange(n), raw] = 1
            return y
        y = as_array(target, "target", ndim=2, dtype=dtype)
        if y.shape != (n, n_classes):
            raise ValueError(f"one-hot target must have the shape of pred {(n, n_classes)}, got {y.shape}")
        if y.min() < 0 or not np.allclose(y.sum(axis=1), 1, atol=1e-6):
            raise ValueError("one-hot target rows must be non-negative and sum to 1")
        return y


# --------------------------------------------------------------------------------------------
# Training: one loop for every numpy network of the course
# --------------------------------------------------------------------------------------------
@dataclass
class TrainingHistory:
    """What :func:`fit` recorded, one entry per record; entry 0 is the model before training.

    ``epoch`` (k + 1,) epochs completed at each record (fractions of an epoch when recorded
    within one), ``step`` the optimizer steps taken; ``train_loss`` and ``val_loss`` the loss
    on the whole training and validation sets (evaluation mode: dropout off; ``val_loss`` is
    None without a validation set); ``seconds`` the training time since the previous record
    (0 for entry 0; evaluation not counted); ``values`` holds every recorded series by name,
    these and what ``record`` returned: ``history["curve"]``. ``status`` says how the run ended
    and ``diverged`` whether it ran off to infinity (then the history stops at the last finite
    record).
    """

    values: dict[str, np.ndarray]
    status: str
    diverged: bool = False

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.values:
            raise KeyError(f"no {name!r} in this history; it has {sorted(self.values)}")
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values

    @property
    def epoch(self) -> np.ndarray:
        return self.values["epoch"]

    @property
    def step(self) -> np.ndarray:
        return self.values["step"]

    @property
    def train_loss(self) -> np.ndarray:
        return self.values["train_loss"]

    @property
    def val_loss(self) -> np.ndarray | None:
        return self.values.get("val_loss")

    @property
    def seconds(self) -> np.ndarray:
        return self.values["seconds"]


def _samples(X, y, X_name: str = "X", y_name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, d), float dtype kept, and targets with as many rows (the loss checks their shape)."""
    X = as_array(X, X_name, ndim=2, dtype=None)
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{y_name} must hold one target per row of {X_name} ({len(X)}), got shape {y.shape}")
    return X, y


def fit(model: Module, loss: _Loss, X, y, *, optimizer: Optimizer | None = None, lr: float | None = None,
        epochs: int | None = None, steps: int | None = None, batch_size: int | None = None, val: tuple | None = None,
        record: Callable[[Module], dict] | None = None, evals_per_epoch: int = 1, rng=0, max_weight: float = 1e6,
        on_divergence: str = "stop") -> TrainingHistory:
    """Train ``model`` on ``X`` (n, d) and targets ``y`` by backpropagation; return the :class:`TrainingHistory`.

    The update is ``optimizer.step(model.gradients())`` with a ``dlmi.optim`` optimizer holding
    ``model.parameters()``, or, given ``lr`` instead, the slides' ``W ← W − η ∂J/∂W``
    (``optim.SGD(lr=lr)``). An optimizer keeps its state, so calling ``fit`` again with the same
    model and optimizer continues the run.

    ``epochs=E``: E passes over the data; without ``batch_size`` each epoch is one full-batch
    step, with it the samples are shuffled by ``rng`` (an int seed, a numpy Generator, which
    continues, or None) and cut into consecutive mini-batches. ``steps=S`` instead: S steps,
    each on ``batch_size`` samples drawn at random without replacement.

    Records are taken before training and, with ``epochs``, ``evals_per_epoch`` times an epoch
    (with ``steps``, once at the end): the loss on the whole training set and on ``val``
    (a pair ``(X_val, y_val)``), in evaluation mode, and whatever ``record(model)`` returns
    (a dict of numbers or arrays). A non-finite output, loss or gradient, or a weight beyond
    ``max_weight`` in size, stops the run (``history.diverged``, and ``history.status`` says where
    and why); ``on_divergence="raise"`` raises :class:`~dlmi.divergence.DivergenceError` instead.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be a dlmi.nn model, got {type(model).__name__}")
    if not isinstance(loss, _Loss):
        raise TypeError(f"loss must be a dlmi.nn loss such as MSELoss(), got {type(loss).__name__}")
    X, y = _samples(X, y)
    sets = {"train": (X, y)}
    if val is not None:
        if not (isinstance(val, tuple) and len(val) == 2):
            raise TypeError("val must be a pair (X_val, y_val) of arrays")
        sets["val"] = _samples(*val, "X_val", "y_val")
    if (optimizer is None) == (lr is None):
        raise TypeError("give either optimizer (a dlmi.optim optimizer) or lr (plain gradient descent), not both")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=check_positive(lr, "lr"))
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a dlmi.optim optimizer, got {type(optimizer).__name__}")
    if (epochs is None) == (steps is None):
        raise TypeError("give either epochs or steps, not both")
    n = len(y)
    batch = n if batch_size is None else min(check_scalar(batch_size, "batch_size", kind=Integral, low=1), n)
    check_scalar(evals_per_epoch, "evals_per_epoch", kind=Integral, low=1)
    check_positive(max_weight, "max_weight")
    check_choice(on_divergence, "on_divergence", ON_DIVERGENCE)
    if record is not None and not callable(record):
        raise TypeError(f"record must be a function of the model returning a dict, got {type(record).__name__}")
    if epochs is not None:
        check_scalar(epochs, "epochs", kind=Integral, low=1)
        n_batches = -(-n // batch)
        every = max(1, n_batches // evals_per_epoch)
        unit, total = "epoch", epochs
    else:
        check_scalar(steps, "steps", kind=Integral, low=0)
        unit, total = "step", steps
    rng = check_rng(rng)

    values: dict[str, list] = {"epoch": [], "step": [], "seconds": []}
    state = {"step": 0, "seconds": 0.0}

    def evaluate(epoch: float) -> str | None:
        """Append one record; return why the run diverged, or None."""
        was_training = model.training
        model.eval()
        try:
            row = {}
            for name, (X_set, y_set) in sets.items():
                out = model.forward(X_set)
                if not np.isfinite(out).all():
                    return "the outputs are no longer finite"
                row[f"{name}_loss"] = loss.forward(out, y_set)
            if record is not None:
                row.update(record(model))
        finally:
            model.train(was_training)
        for key, value in {"epoch": epoch, "step": state["step"], "seconds": state["seconds"], **row}.items():
            values.setdefault(key, []).append(value)
        state["seconds"] = 0.0
        return None

    def train_on(idx) -> str | None:
        """One step on the samples ``idx`` (None: all); return why it diverged, or None."""
        start = time.perf_counter()
        state["step"] += 1
        out = model.forward(X if idx is None else X[idx])
        if not np.isfinite(out).all():
            return "the outputs are no longer finite"
        J = loss.forward(out, y if idx is None else y[idx])
        if not np.isfinite(J):
            return "the loss is no longer finite"
        model.backward(loss.backward())
        grads = model.gradients()
        if not all(np.isfinite(g).all() for g in grads):
            return "the gradient is no longer finite"
        optimizer.step(grads)
        largest = max(float(np.abs(w).max()) for w in model.parameters())
        state["seconds"] += time.perf_counter() - start
        if not largest <= max_weight:
            return f"a weight reached {largest:.3g} (more than max_weight = {max_weight:g})"
        return None

    model.train()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported in words below
        reason, done = evaluate(0.0), 0
        while reason is None and done < total:
            done += 1
            if steps is not None:  # one random batch per step
                reason = train_on(None if batch == n else rng.choice(n, size=batch, replace=False))
                if reason is None and done == total:
                    reason = evaluate(state["step"] * batch / n)
                continue
            order = None if batch == n else rng.permutation(n)
            for k in range(n_batches):
                reason = train_on(None if order is None else order[k * batch:(k + 1) * batch])
                if reason is None and ((k + 1) % every == 0 or k + 1 == n_batches):
                    reason = evaluate(done - 1 + (k + 1) / n_batches)
                if reason is not None:
                    break
    if reason is None:
        status, diverged = f"completed {total} {unit}{'' if total == 1 else 's'}", False
    else:
        number = state["step"] if unit == "step" else done
        status, diverged = divergence_status(unit, number, f"{reason}; lower the learning rate"), True
        stop_or_raise(status, on_divergence)
    arrays = {key: np.array(series) for key, series in values.items()}
    return TrainingHistory(arrays, status, diverged)


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------
def gradient_check(model: Module, loss: _Loss, x, y, eps: float = 1e-6) -> dict[str, float]:
    """Compare ``backward``'s gradients with central differences (J(w+ε) − J(w−ε)) / 2ε.

    Returns, for each parameter name, max|analytic − numeric| / max(|analytic|, |numeric|) taken
    over the whole array (relative to the gradient's largest entry). Use float64: in float32
    rounding alone gives errors near 1e-3. Dropout is switched off during the check.
    """
    check_positive(eps, "eps")
    was_training = model.training
    model.eval()
    try:
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        errors = {}
        for name, w in model.params.items():
            analytic = model.grads[name].copy()
            numeric = np.empty_like(w, dtype=np.float64)
            for i in np.ndindex(w.shape):
                saved = w[i]
                w[i] = saved + eps
                j_plus = loss.forward(model.forward(x), y)
                w[i] = saved - eps
                j_minus = loss.forward(model.forward(x), y)
                w[i] = saved
                numeric[i] = (j_plus - j_minus) / (2 * eps)
            scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-300)
            errors[name] = float(np.abs(analytic - numeric).max() / scale)
    finally:
        model.train(was_training)
    return errors
