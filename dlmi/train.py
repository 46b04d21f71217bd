"""The torch training loop every later notebook uses: ``fit`` → ``History``.

    history = fit(model, train_loader, val_loader, loss_fn=nn.BCEWithLogitsLoss(),
                  optimizer=torch.optim.Adam(model.parameters(), 1e-3), epochs=20,
                  metrics={"auc": mean_auc}, early_stopping=EarlyStopping("val_auc", mode="max"))
    history.plot()

A metric is a function ``metric(y_true, y_out) -> float`` of numpy arrays, ``y_out`` being the
model's raw outputs (logits) over a whole epoch; it is reported for the training set (outputs
collected during the epoch, in training mode) as ``train_<name>`` and for the validation set as
``val_<name>``. The metrics of ``METRICS`` can be named instead (each averaged over the output
columns), e.g. for a regressor of brain age:

    history = fit(model, train_loader, val_loader, loss_fn=nn.MSELoss(), optimizer=optimizer, epochs=50,
                  metrics=("mae", "rmse", "r2"), early_stopping=EarlyStopping("val_mae", mode="min"))

Targets of shape (n,) and (n, 1) both suit a one-output model: with an element-wise loss
(``nn.MSELoss``, ``nn.L1Loss``, ``nn.BCEWithLogitsLoss``, ...) the targets are reshaped to the
outputs' shape, since (B, 1) outputs against (B,) targets would silently broadcast to a (B, B)
loss; any other mismatch of shapes with such a loss is an error.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from dataclasses import dataclass, field
from numbers import Integral
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .divergence import divergence_status
from .metrics import mean_absolute_error, mean_auc, pearson_r, r2_score, root_mean_squared_error
from .runtime import get_device, torch_generator
from .validation import as_array, check_choice, check_scalar, rng_argument

Metric = Callable[[np.ndarray, np.ndarray], float]


def _column_mean(metric: Callable) -> Metric:
    """``metric`` (from ``dlmi.metrics``, one value per column) as one float: the mean over the columns.

    Targets (n,) against outputs (n, 1), as a loader of 1-D targets gives them, are compared column to column.
    """
    def averaged(y_true: np.ndarray, y_out: np.ndarray) -> float:
        if y_true.shape != y_out.shape and len(y_true) == len(y_out) and y_true.size == y_out.size:
            y_true = y_true.reshape(y_out.shape)
        return float(np.mean(metric(y_true, y_out)))

    averaged.__name__ = averaged.__qualname__ = metric.__name__
    averaged.__doc__ = f"The mean over the output columns of dlmi.metrics.{metric.__name__}."
    return averaged


#: Metrics that ``fit(..., metrics=("mae", "rmse"))`` knows by name, each a float per epoch (the mean
#: over the output columns): regression errors of raw outputs, and the mean AUC of logits.
METRICS: dict[str, Metric] = {
    "mae": _column_mean(mean_absolute_error),
    "rmse": _column_mean(root_mean_squared_error),
    "r2": _column_mean(r2_score),
    "pearson_r": _column_mean(pearson_r),
    "auc": mean_auc,
}

#: Losses that compare outputs and targets element by element: their shapes must match (else torch broadcasts).
_ELEMENTWISE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.BCEWithLogitsLoss, nn.BCELoss)


class EarlyStopping:
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``monitor`` is a key of the ``History`` (``"val_loss"``, ``"val_mae"``, ``"val_auc"``, ...);
    ``mode="min"`` for losses and errors (MAE, RMSE), ``"max"`` for scores such as AUC or R². With
    ``restore_best`` the model gets back the weights of its best epoch when training ends.
    """

    def __init__(self, monitor: str = "val_loss", *, patience: int = 5, min_delta: float = 0.0,
                 mode: str = "min", restore_best: bool = True):
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a history key such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.patience = check_scalar(patience, "patience", kind=Integral, low=1)
        self.min_delta = check_scalar(min_delta, "min_delta", low=0.0)
        self.mode = check_choice(mode, "mode", ("min", "max"))
        self.restore_best = restore_best

    def improved(self, value: float, best: float | None) -> bool:
        """Whether ``value`` beats ``best`` by more than ``min_delta``."""
        if best is None:
            return True
        return value < best - self.min_delta if self.mode == "min" else value > best + self.min_delta


@dataclass
class History:
    """Per-epoch values of a training run: ``history["val_loss"]`` is a list, one value an epoch.

    ``status`` says how the run ended and ``diverged`` whether its loss ran off to infinity, in the
    words of every result of the course (:func:`dlmi.divergence.divergence_status`).
    """

    values: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    status: str = "completed"
    diverged: bool = False  #: the loss became NaN or infinite; ``status`` says where ("diverged at epoch 3: ...")

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.values:
            raise KeyError(f"no {key!r} in this history; it has {sorted(self.values)}")
        return self.values[key]

    def __contains__(self, key: str) -> bool:
        return key in self.values

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers, from 1."""
        return list(range(1, len(self.values.get("train_loss", [])) + 1))

    def append(self, **values: float) -> None:
        for key, value in values.items():
            self.values.setdefault(key, []).append(float(value))

    def to_frame(self):
        """The history as a pandas DataFrame indexed by epoch."""
        import pandas as pd

        return pd.DataFrame(self.values, index=pd.Index(self.epochs, name="epoch"))

    def plot(self, keys: Sequence[str] | None = None, *, title: str = "Training history"):
        """Losses on the left, other metrics on the right; the best epoch marked. Returns the figure."""
        import matplotlib.pyplot as plt

        keys = list(keys) if keys is not None else list(self.values)
        losses = [k for k in keys if k.endswith("loss")]
        others = [k for k in keys if not k.endswith("loss")]
        fig, axes = plt.subplots(1, 2 if others else 1, figsize=(12 if others else 7, 4.5), squeeze=False)
        for ax, group, label in zip(axes[0], (losses, others), ("loss", "metric")):
            for key in group:
                ax.plot(self.epochs, self.values[key], marker="o", markersize=3, label=key)
            if self.best_epoch is not None:
                ax.axvline(self.best_epoch, color="grey", linestyle="--", label=f"best epoch ({self.best_epoch})")
            ax.set(xlabel="epoch", ylabel=label, title=f"{title}: {label}")
            ax.legend()
        return fig


def tensor_loader(X, y, *, batch_size: int = 64, shuffle: bool = False, rng=0, seed: int | None = None,
                  y_dtype: torch.dtype = torch.float32) -> DataLoader:
    """A ``DataLoader`` over in-memory arrays ``X`` (N, ...) and ``y`` (N, ...), shuffled reproducibly.

    ``rng`` (an int seed, a numpy Generator or None; ``seed`` is its older name) seeds the
    loader's own ``torch.Generator``: torch's global generator is left alone.
    """
    X = as_array(X, "X", dtype=np.float32)
    y = as_array(y, "y", dtype=None)
    generator = torch_generator(rng_argument(rng, seed))
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        got = y.shape[0] if y.ndim else "a scalar"
        raise ValueError(f"X and y must have the same number of samples, got {X.shape[0]} and {got}")
    check_scalar(batch_size, "batch_size", kind=Integral, low=1)
    dataset = TensorDataset(torch.from_numpy(np.ascontiguousarray(X)), torch.as_tensor(y, dtype=y_dtype))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


def _metric_functions(metrics) -> dict[str, Metric]:
    """``metrics`` as {name: function}: a mapping, or a sequence of functions and names of ``METRICS``."""
    if isinstance(metrics, str):
        metrics = (metrics,)
    if isinstance(metrics, Mapping):
        named = dict(metrics)
    else:
        named = {fn if isinstance(fn, str) else getattr(fn, "__name__", f"metric{i}"): fn
                 for i, fn in enumerate(metrics)}
    for name, fn in named.items():
        if isinstance(fn, str):
            named[name] = METRICS[check_choice(fn, f"metrics[{name!r}]", list(METRICS))]
        elif not callable(fn):
            raise TypeError(f"metrics[{name!r}] must be a function (y_true, y_out) -> float or one of "
                            f"{list(METRICS)}, got {type(fn).__name__}")
    return named


def _metric_value(name: str, metric: Metric, y_true: np.ndarray, y_out: np.ndarray) -> float:
    """``metric(y_true, y_out)`` as a float; a metric giving one value per column is an error naming it."""
    value = np.asarray(metric(y_true, y_out), dtype=np.float64)
    if value.size != 1:
        raise ValueError(f"metrics[{name!r}] must give one number, got an array of shape {value.shape}: average "
                         f"its columns, or name it (e.g. 'mae', the mean over columns) from {list(METRICS)}")
    return float(value.reshape(()))


def _match_targets(loss_fn: Callable, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Targets shaped like the outputs for an element-wise loss: (B,) targets → (B, 1) for a one-output model.

    ``nn.MSELoss()(out, y)`` with ``out`` (B, 1) and ``y`` (B,) broadcasts to (B, B) and averages
    every output against every target, with no error. For the losses of ``_ELEMENTWISE_LOSSES``,
    targets with as many values per sample as the outputs are reshaped; other shapes are an error.
    Other losses (``nn.CrossEntropyLoss`` with class indices, a custom loss) get the targets as they are.
    """
    if not isinstance(loss_fn, _ELEMENTWISE_LOSSES) or y.shape == out.shape:
        return y
    if y.ndim >= 1 and out.ndim >= 1 and y.shape[0] == out.shape[0] and y.numel() == out.numel():
        return y.reshape(out.shape)
    raise ValueError(f"{type(loss_fn).__name__} compares outputs and targets element by element, but the model's "
                     f"outputs have shape {tuple(out.shape)} and the targets {tuple(y.shape)}: give the model one "
                     "output per target column, or the targets one column per output")


def _batches(loader):
    for batch in loader:
        if not isinstance(batch, (list, tuple)) or len(batch) != 2:
            raise ValueError("each batch of the loader must be a pair (inputs, targets)")
        yield batch


@torch.no_grad()
def predict(model: nn.Module, loader, device=None) -> tuple[np.ndarray, np.ndarray]:
    """Model outputs and targets over a whole loader, in evaluation mode, as numpy arrays."""
    device = device or next(model.parameters()).device
    model.eval()
    outputs, targets = [], []
    for x, y in _batches(loader):
        outputs.append(model(x.to(device)).float().cpu())
        targets.append(y.cpu())
    return torch.cat(outputs).numpy(), torch.cat(targets).numpy()


def _progress_enabled(progress: bool) -> bool:
    return progress and not os.environ.get("CI")


def fit(model: nn.Module, train_loader, val_loader=None, *, loss_fn: Callable, optimizer: torch.optim.Optimizer,
        epochs: int, metrics: Mapping[str, Metric | str] | Sequence[Metric | str] = (),
        early_stopping: EarlyStopping | None = None, device=None, progress: bool = True) -> History:
    """Train ``model`` for ``epochs`` epochs; validate after each; return the ``History``.

    ``metrics``: functions ``(y_true, y_out) -> float`` or names of ``METRICS`` (``"mae"``,
    ``"rmse"``, ``"r2"``, ``"pearson_r"``, ``"auc"``), as a sequence (recorded under the function's
    name or the given name) or a mapping name → function or name; each is recorded per epoch as
    ``train_<name>`` and, with a ``val_loader``, ``val_<name>``, which ``early_stopping`` can monitor.

    Stops early when ``early_stopping`` says so, and stops with a warning when the loss becomes
    NaN or infinite (``history.status`` says where and why); in both cases the best epoch's
    weights are restored when ``early_stopping.restore_best``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable, e.g. torch.nn.BCEWithLogitsLoss()")
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError("early_stopping must be an EarlyStopping or None")
    if early_stopping is not None and early_stopping.monitor.startswith("val_") and val_loader is None:
        raise ValueError(f"early_stopping monitors {early_stopping.monitor!r} but no val_loader was given")
    named_metrics = _metric_functions(metrics)
    if early_stopping is not None:
        recorded = ["train_loss", *(f"train_{k}" for k in named_metrics)]
        if val_loader is not None:
            recorded += ["val_loss", *(f"val_{k}" for k in named_metrics)]
        if early_stopping.monitor not in recorded:
            raise ValueError(f"early_stopping monitors {early_stopping.monitor!r}, which fit does not record: "
                             f"choose one of {recorded}")
    device = torch.device(device) if device is not None else get_device()
    model.to(device)

    history = History()
    best_value, best_state, waited = None, None, 0
    from tqdm.auto import tqdm

    bar = tqdm(total=epochs, desc="training", unit="epoch", disable=not _progress_enabled(progress))
    diverged = False
    for epoch in range(1, epochs + 1):
        model.train()
        total, count, outputs, targets = 0.0, 0, [], []
        for step, (x, y) in enumerate(_batches(train_loader), start=1):
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            out = model(x)
            y = _match_targets(loss_fn, out, y)
            loss = loss_fn(out, y)
            if not torch.isfinite(loss):
                diverged = history.diverged = True
                history.status = divergence_status(
                    "epoch", epoch, f"the training loss became {loss.item()} at batch {step}; "
                    "training stopped — try a smaller learning rate"
                )
                break
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            count += len(x)
            if named_metrics:
                outputs.append(out.detach().float().cpu())
                targets.append(y.cpu())
            bar.set_postfix(epoch=epoch, loss=f"{total / count:.4f}")
        if diverged:
            break
        if count == 0:
            bar.close()
            raise ValueError("train_loader yielded no batches (is it empty, or drop_last with too few samples?)")
        row = {"train_loss": total / count}
        if named_metrics:
            y_out, y_true = torch.cat(outputs).numpy(), torch.cat(targets).numpy()
            row.update({f"train_{k}": _metric_value(k, fn, y_true, y_out) for k, fn in named_metrics.items()})
        if val_loader is not None:
            y_out, y_true = predict(model, val_loader, device)
            out, y = torch.from_numpy(y_out).to(device), torch.from_numpy(y_true).to(device)
            y = _match_targets(loss_fn, out, y)
            row["val_loss"] = float(loss_fn(out, y))
            y_true = y.cpu().numpy()
            row.update({f"val_{k}": _metric_value(k, fn, y_true, y_out) for k, fn in named_metrics.items()})
        history.append(**row)
        bar.set_postfix({k: f"{v:.4f}" for k, v in row.items()})
        bar.update()

        if early_stopping is not None:
            value = history[early_stopping.monitor][-1]
            if math.isfinite(value) and early_stopping.improved(value, best_value):
                best_value, waited, history.best_epoch = value, 0, epoch
                if early_stopping.restore_best:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if waited >= early_stopping.patience:
                    history.status = (
                        f"stopped early at epoch {epoch}: {early_stopping.monitor} has not improved "
                        f"for {early_stopping.patience} epochs (best {best_value:.4f} at epoch {history.best_epoch})"
                    )
                    break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
        if diverged:
            history.status += f"; the weights of epoch {history.best_epoch} were restored"
    if diverged:
        warnings.warn(history.status, RuntimeWarning, stacklevel=2)
    return history
