"""Estimators with scikit-learn's ``fit``/``predict`` interface for the case studies.

Classifiers (labels 0/1; decision values are positive for label 1):

* ``RegionalSVM`` — a linear SVM on standardised regional features, C chosen by inner CV;
* ``CNNClassifier`` — a torch network for a binary task, trained with ``dlmi.train.fit``
  (3D maps, ROI crops, 2D slices), so that ``dlmi.evaluation.cross_validate`` treats it like
  the SVM;
* ``SliceCNNClassifier`` — a 2D CNN trained on the slices of volumes, its subject-level output
  the mean of the slice probabilities (``aggregate_slices``).

Regressors (a continuous target, e.g. an age in years) and an ordinal classifier (ordered grades):

* ``RidgeRegressor`` — ridge regression on standardised features, α chosen by inner,
  subject-level CV;
* ``CNNRegressor`` — a torch network with one output, trained with ``dlmi.train.fit`` on
  standardised targets (MSE, L1 or Huber loss), predictions in the target's units;
* ``OrdinalLogisticRegression`` — proportional odds (cumulative logits) for ordered grades.

``fit_with_groups`` fits any of them, or a scikit-learn estimator, passing the subject ids to the
``fit`` that takes them.
"""

from __future__ import annotations

import inspect
from numbers import Integral
from typing import Callable, Sequence

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, GroupKFold, GroupShuffleSplit, StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .data.transforms import extract_slices
from .divergence import DivergenceError
from .linear import sigmoid
from .metrics import _labels, mean_absolute_error
from .runtime import local_seed
from .train import EarlyStopping, History, fit, predict, tensor_loader
from .validation import as_array, check_binary, check_choice, check_scalar, check_X_y, seed_from


class RegionalSVM(ClassifierMixin, BaseEstimator):
    """Linear SVM on standardised features, its C chosen by an inner cross-validation.

    ``fit(X, y, groups)`` runs a grid search over ``Cs`` with ``inner_splits`` subject-level
    folds of the training data only (nested CV when called inside an outer fold), scoring
    balanced accuracy, then refits on all the training data. Learned: ``C_``, ``search_``.
    """

    def __init__(self, Cs: Sequence[float] = (1e-3, 1e-2, 1e-1, 1.0), inner_splits: int = 3, rng=0):
        self.Cs = Cs
        self.inner_splits = inner_splits
        self.rng = rng

    def fit(self, X, y, groups=None) -> "RegionalSVM":
        X = as_array(X, "X", ndim=2)
        y = check_binary(y, "y").astype(int)
        check_scalar(self.inner_splits, "inner_splits", kind=Integral, low=2)
        Cs = as_array(self.Cs, "Cs", ndim=1)
        if (Cs <= 0).any():
            raise ValueError(f"Cs must be positive, got {list(self.Cs)}")
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        pipeline = Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="linear", class_weight="balanced"))])
        inner = StratifiedGroupKFold(self.inner_splits, shuffle=True, random_state=seed_from(self.rng))
        self.search_ = GridSearchCV(pipeline, {"svm__C": list(Cs)}, cv=inner, scoring="balanced_accuracy")
        self.search_.fit(X, y, groups=groups)
        self.C_ = float(self.search_.best_params_["svm__C"])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X) -> np.ndarray:
        """Signed distance to the separating hyperplane, (n,); positive means label 1."""
        check_is_fitted(self, "search_")
        return self.search_.decision_function(as_array(X, "X", ndim=2))

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


class RidgeRegressor(RegressorMixin, BaseEstimator):
    """Ridge regression on standardised features, its penalty α chosen by an inner, subject-level CV.

    Minimises Σᵢ (yᵢ − b − wᵀzᵢ)² + α‖w‖² on the features z standardised with the training rows'
    means and standard deviations (so that α shrinks every feature alike, whatever its unit).
    ``fit(X, y, groups)`` scores each α of ``alphas`` by its mean absolute error over
    ``inner_splits`` folds of the training data only (``GroupKFold``: the rows of a subject stay in
    one fold; ``groups=None``: one row per subject), then refits the best α on all of it. Called
    inside an outer subject-level fold this is nested cross-validation, as ``RegionalSVM`` does for
    C: the outer test fold never chooses α. The folds are deterministic (nothing is drawn).

    ``fit(X, y, groups=None)``: X (n, p) features, y (n,) real targets; ``predict(X)`` (n,) in the
    target's units. Learned: ``alpha_``, ``search_`` (the ``GridSearchCV``), and ``coef_`` (p,),
    ``intercept_`` for the raw features: ``predict(X) == intercept_ + X @ coef_``.
    """

    def __init__(self, alphas: Sequence[float] = (1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4), inner_splits: int = 5):
        self.alphas = alphas
        self.inner_splits = inner_splits

    def fit(self, X, y, groups=None) -> "RidgeRegressor":
        X, y = check_X_y(X, y)
        alphas = as_array(self.alphas, "alphas", ndim=1)
        if (alphas <= 0).any():
            raise ValueError(f"alphas must be positive, got {list(self.alphas)}")
        groups = _check_groups(groups, len(y))
        check_scalar(self.inner_splits, "inner_splits", kind=Integral, low=2, high=len(np.unique(groups)))
        pipeline = Pipeline([("scale", StandardScaler()), ("ridge", Ridge())])
        self.search_ = GridSearchCV(pipeline, {"ridge__alpha": list(alphas)}, cv=GroupKFold(self.inner_splits),
                                    scoring="neg_mean_absolute_error")
        self.search_.fit(X, y, groups=groups)
        self.alpha_ = float(self.search_.best_params_["ridge__alpha"])
        scaler, ridge = self.search_.best_estimator_["scale"], self.search_.best_estimator_["ridge"]
        self.coef_ = ridge.coef_ / scaler.scale_
        self.intercept_ = float(ridge.intercept_ - self.coef_ @ scaler.mean_)
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted targets (n,) for features X (n, p)."""
        check_is_fitted(self, "search_")
        return self.search_.predict(as_array(X, "X", ndim=2))


def _check_groups(groups, n: int) -> np.ndarray:
    """``groups`` (n,) subject ids, one per row; ``None``: every row its own subject."""
    if groups is None:
        return np.arange(n)
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise ValueError(f"groups must hold one subject id per sample ({n}), got shape {groups.shape}")
    return groups


def fit_with_groups(estimator, X, y, groups=None):
    """``estimator.fit(X, y, groups=groups)`` when its ``fit`` takes ``groups`` (``RegionalSVM``,
    ``RidgeRegressor``: subject-level inner folds), else ``estimator.fit(X, y)``; returns the estimator.

    Never positional: the third argument of scikit-learn's own ``fit`` is often ``sample_weight``.
    """
    if groups is not None and "groups" in inspect.signature(estimator.fit).parameters:
        return estimator.fit(X, y, groups=groups)
    return estimator.fit(X, y)


@torch.no_grad()
def _recalibrate_batchnorm(model: nn.Module, loader) -> None:
    """Re-estimate the running statistics of the trainable batch-norm layers on the training data.

    During training they are exponential averages over the last few batches, which lag behind
    weights that change fast when there are only a few hundred subjects; evaluation then uses
    stale statistics. One pass with fixed weights and a cumulative average ("precise BN") fixes it.
    """
    model.train()  # FineTunedCNN2d keeps its frozen blocks, and their statistics, in evaluation mode
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    device = next(model.parameters()).device
    for x, _ in loader:
        model(x.to(device))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.eval()


class _TorchEstimator(BaseEstimator):
    """What the torch estimators share: their hyperparameters, the training run and the network's output.

    ``make_model()`` returns a fresh ``nn.Module`` with one output, (B, ...) → (B, 1), so that every
    ``fit`` (every fold of a cross-validation) starts from new weights; it is trained with
    ``dlmi.train.fit`` and AdamW. After training, the batch-norm statistics are re-estimated on the
    training data (``_recalibrate_batchnorm``). ``rng`` (an int seed or a Generator) seeds the initial
    weights, the batches, dropout and any validation split, inside the fit only: torch's global
    generator is left as it was. A training run that diverges raises ``dlmi.divergence.DivergenceError``
    with the history's status. Learned: ``model_``, ``history_``.
    """

    #: The shapes X may have: (N, C, L), (N, C, H, W) or (N, C, D, H, W).
    _X_ndim: tuple[int, ...] = (3, 4, 5)

    def __init__(self, make_model: Callable[[], nn.Module], *, epochs: int = 10, lr: float = 1e-3,
                 weight_decay: float = 1e-4, batch_size: int = 16, rng=0, device=None):
        self.make_model = make_model
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.rng = rng
        self.device = device

    def _check_X(self, X) -> np.ndarray:
        return as_array(X, "X", ndim=self._X_ndim, dtype=np.float32)

    def _train(self, X: np.ndarray, y: np.ndarray, loss_fn: nn.Module, seed: int, *,
               validation: tuple[np.ndarray, np.ndarray] | None = None, metrics=(),
               early_stopping: EarlyStopping | None = None) -> None:
        """Train a fresh ``make_model()`` on X (N, ...) and float targets y (N,); ``validation`` = (X_val, y_val)."""
        if not callable(self.make_model):
            raise TypeError("make_model must be a function that returns a fresh nn.Module")
        check_scalar(self.lr, "lr", low=0.0, low_inclusive=False)
        check_scalar(self.weight_decay, "weight_decay", low=0.0)
        with local_seed(seed):
            self.model_ = self.make_model()
            if not isinstance(self.model_, nn.Module):
                raise TypeError(f"make_model() must return an nn.Module, got {type(self.model_).__name__}")
            trainable = [p for p in self.model_.parameters() if p.requires_grad]
            optimizer = torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay)
            loader = tensor_loader(X, y[:, None], batch_size=self.batch_size, shuffle=True, rng=seed)
            val_loader = None if validation is None else tensor_loader(validation[0], validation[1][:, None],
                                                                       batch_size=64)
            self.history_: History = fit(self.model_, loader, val_loader, loss_fn=loss_fn, optimizer=optimizer,
                                         epochs=self.epochs, metrics=metrics, early_stopping=early_stopping,
                                         device=self.device, progress=False)
        if self.history_.diverged:
            raise DivergenceError(f"the CNN did not train: {self.history_.status}")
        _recalibrate_batchnorm(self.model_, tensor_loader(X, y, batch_size=64))

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's output for each row of X (N, ...), in evaluation mode: (N,) float32."""
        check_is_fitted(self, "model_")
        out, _ = predict(self.model_, tensor_loader(X, np.zeros(len(X)), batch_size=64))
        return out[:, 0]


class CNNClassifier(ClassifierMixin, _TorchEstimator):
    """A torch network for a binary task, trained with ``dlmi.train.fit`` (AdamW, BCE on one logit).

    ``make_model()`` returns a fresh ``nn.Module`` mapping (B, ...) inputs to (B, 1) logits, so
    that every ``fit`` (every fold of a cross-validation) starts from new weights.
    ``fit(X, y)``: X (N, C, ...) float, y (N,) 0/1. After training, the batch-norm statistics
    are re-estimated on the training data (see ``_recalibrate_batchnorm``). ``rng`` (an int seed
    or a Generator) seeds the initial weights, the batches and dropout, inside the fit only:
    torch's global generator is left as it was. A diverged training raises ``DivergenceError``.
    Learned: ``model_``, ``history_``.
    """

    def _fit_labels(self, X: np.ndarray, y: np.ndarray) -> "CNNClassifier":
        self._train(X, y.astype(np.float32), nn.BCEWithLogitsLoss(), seed_from(self.rng))
        self.classes_ = np.array([0, 1])
        return self

    def fit(self, X, y, groups=None) -> "CNNClassifier":
        """Train on X (N, C, ...) and y (N,) 0/1; ``groups`` is accepted and unused (one row per subject)."""
        X = self._check_X(X)
        y = _labels(y, "y")
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
        return self._fit_labels(X, y)

    def decision_function(self, X) -> np.ndarray:
        """Logits (N,); positive means label 1."""
        return self._outputs(self._check_X(X))

    def predict_proba(self, X) -> np.ndarray:
        """(N, 2) probabilities of labels 0 and 1."""
        p = sigmoid(self.decision_function(X).astype(np.float64))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


def aggregate_slices(probabilities, subject_index) -> np.ndarray:
    """Subject-level probabilities: the mean of each subject's slice probabilities (soft voting).

    ``probabilities`` (M,) and ``subject_index`` (M,) ints 0..n-1 → (n,), subject ``i`` at row ``i``.
    """
    probabilities = as_array(probabilities, "probabilities", ndim=1)
    subject_index = np.asarray(subject_index)
    if subject_index.shape != probabilities.shape or not np.issubdtype(subject_index.dtype, np.integer):
        raise ValueError("subject_index must hold one integer subject index per probability")
    if subject_index.min() < 0:
        raise ValueError("subject_index must be non-negative")
    counts = np.bincount(subject_index)
    if (counts == 0).any():
        raise ValueError("subject_index must cover every subject 0..n-1")
    return np.bincount(subject_index, weights=probabilities) / counts


class SliceCNNClassifier(CNNClassifier):
    """2D slice-level CNN: trained on the slices of the subjects' maps, each with its subject's label.

    ``fit(maps, y)`` with maps (N, D, H, W); ``predict_proba(maps)`` averages each subject's
    slice probabilities (``aggregate_slices``). ``axis`` and ``discard`` as in ``dlmi.data.transforms.extract_slices``.
    """

    def __init__(self, make_model: Callable[[], nn.Module], *, axis: int = 0, discard: float = 0.2,
                 epochs: int = 5, lr: float = 1e-3, weight_decay: float = 1e-4, batch_size: int = 64,
                 rng=0, device=None):
        super().__init__(make_model, epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                         rng=rng, device=device)
        self.axis = axis
        self.discard = discard

    def fit(self, X, y, groups=None) -> "SliceCNNClassifier":
        """Train on the slices of maps X (N, D, H, W) labelled with y (N,) 0/1."""
        y = check_binary(y, "y")
        slices, subject = extract_slices(X, axis=self.axis, discard=self.discard)
        if subject[-1] + 1 != len(y):
            raise ValueError(f"X and y must have the same number of subjects, got {subject[-1] + 1} and {len(y)}")
        return self._fit_labels(slices, y[subject])

    def predict_slices(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Label-1 probability of each slice of maps X (N, D, H, W): (probabilities (M,), subject_index (M,))."""
        slices, subject = extract_slices(X, axis=self.axis, discard=self.discard)
        return sigmoid(self._outputs(slices).astype(np.float64)), subject

    def decision_function(self, X) -> np.ndarray:
        """Subject-level log-odds (N,) of the mean slice probability."""
        p = np.clip(aggregate_slices(*self.predict_slices(X)), 1e-7, 1 - 1e-7)
        return np.log(p / (1 - p))


#: The losses ``CNNRegressor`` trains with (on standardised targets): torch's MSELoss, L1Loss, HuberLoss.
REGRESSION_LOSSES = ("mse", "l1", "huber")


def _mae_in_units(scale: float) -> Callable[[np.ndarray, np.ndarray], float]:
    """The MAE of outputs against standardised targets, in the targets' units: s·MAE(z, ẑ) = MAE(y, ŷ)."""
    def mae(z_true: np.ndarray, z_out: np.ndarray) -> float:
        return scale * mean_absolute_error(z_true.reshape(-1), z_out.reshape(-1))

    return mae


class CNNRegressor(RegressorMixin, _TorchEstimator):
    """A torch network for a continuous target, trained with ``dlmi.train.fit`` on standardised targets.

    ``fit(X, y, groups=None)``: X (N, C, ...) images or volumes, or (N, p) features for a network
    that takes them; y (N,) real targets (an age in years, a clinical score). The network learns
    z = (y − ȳ)/s, the targets standardised by the training targets' mean ȳ and standard deviation
    s (learned ``y_mean_``, ``y_scale_``), so that the usual initial weights and learning rates
    suit a target in any unit; ``predict(X)`` maps its output back, ŷ = ȳ + s·output: (N,) floats in
    the target's units.

    Parameters
    ----------
    make_model : a function returning a fresh ``nn.Module`` with one output, (B, ...) → (B, 1).
    loss : ``"mse"`` (``nn.MSELoss``: predicts the conditional mean, pulled by outliers),
        ``"l1"`` (``nn.L1Loss``: the conditional median, robust to them) or ``"huber"``
        (``nn.HuberLoss``: quadratic for errors within ``huber_delta``, linear beyond).
    huber_delta : where the Huber loss turns linear, in standard deviations of the training targets
        (the loss compares standardised targets).
    validation_fraction : the share of the training subjects (by ``groups`` when given: no subject
        on both sides) held out to stop early: training stops when their MAE, ``val_mae`` in the
        target's units, has not improved for ``patience`` epochs, and the best epoch's weights are
        restored. 0 trains for all ``epochs`` on every subject.
    epochs, lr, weight_decay, batch_size, rng, device : as ``CNNClassifier`` (``rng`` also draws
        the validation subjects).

    After training, the batch-norm statistics are re-estimated on the training subjects; a run that
    diverges raises ``DivergenceError``. Learned: ``model_``, ``history_`` (its ``train_mae`` and
    ``val_mae`` in the target's units, its losses on the standardised scale), ``y_mean_``, ``y_scale_``.
    """

    _X_ndim = (2, 3, 4, 5)

    def __init__(self, make_model: Callable[[], nn.Module], *, loss: str = "mse", huber_delta: float = 1.0,
                 validation_fraction: float = 0.0, patience: int = 5, epochs: int = 10, lr: float = 1e-3,
                 weight_decay: float = 1e-4, batch_size: int = 16, rng=0, device=None):
        super().__init__(make_model, epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                         rng=rng, device=device)
        self.loss = loss
        self.huber_delta = huber_delta
        self.validation_fraction = validation_fraction
        self.patience = patience

    def _loss_function(self) -> nn.Module:
        check_choice(self.loss, "loss", REGRESSION_LOSSES)
        check_scalar(self.huber_delta, "huber_delta", low=0.0, low_inclusive=False)
        return {"mse": nn.MSELoss, "l1": nn.L1Loss, "huber": lambda: nn.HuberLoss(delta=self.huber_delta)}[self.loss]()

    def fit(self, X, y, groups=None) -> "CNNRegressor":
        """Train on X (N, ...) and real targets y (N,); ``groups`` (N,) subject ids keep a subject's rows
        on one side of the validation split."""
        X = self._check_X(X)
        y = as_array(y, "y", ndim=1)
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
        groups = _check_groups(groups, len(y))
        loss_fn = self._loss_function()
        check_scalar(self.validation_fraction, "validation_fraction", low=0.0, high=1.0, high_inclusive=False)
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std())
        if self.y_scale_ == 0:
            raise ValueError("y is constant: there is nothing to regress")
        z = ((y - self.y_mean_) / self.y_scale_).astype(np.float32)
        seed = seed_from(self.rng)
        metrics = {"mae": _mae_in_units(self.y_scale_)}
        if self.validation_fraction == 0:
            self._train(X, z, loss_fn, seed, metrics=metrics)
            return self
        early_stopping = EarlyStopping("val_mae", patience=self.patience, mode="min")
        split = GroupShuffleSplit(n_splits=1, test_size=self.validation_fraction, random_state=seed)
        train, val = next(split.split(X, z, groups))
        self._train(X[train], z[train], loss_fn, seed, validation=(X[val], z[val]), metrics=metrics,
                    early_stopping=early_stopping)
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted targets (N,), float64, in the units of the training targets."""
        outputs = self._outputs(self._check_X(X)).astype(np.float64)
        return self.y_mean_ + self.y_scale_ * outputs


def _ordinal_objective(params: np.ndarray, X: np.ndarray, y: np.ndarray, n_cuts: int,
                       C: float) -> tuple[float, np.ndarray]:
    """(½‖w‖²/C − Σᵢ log P(yᵢ | xᵢ)) / n and its gradient, for the proportional-odds model.

    ``params`` = (w (p,), a (n_cuts,)) with thresholds θ₀ = a₀, θ_k = θ_{k−1} + e^{a_k}; y (n,) class
    indices 0..n_cuts. Row i's probability is σ(u) − σ(l) with u = θ_{yᵢ} − ηᵢ (+∞ for the top class),
    l = θ_{yᵢ−1} − ηᵢ (−∞ for the bottom one), η = Xw, computed without cancellation as
    σ(u)·σ(−l)·(1 − e^{l−u}); then ∂ log p/∂u = σ(−u) / (σ(−l)(1 − e^{l−u})) and
    −∂ log p/∂l = σ(l) / (σ(u)(1 − e^{l−u})).
    """
    n, p = X.shape
    w, a = params[:p], params[p:]
    steps = np.exp(a[1:])
    theta = a[0] + np.r_[0.0, np.cumsum(steps)]
    eta = X @ w
    top, bottom = y == n_cuts, y == 0
    upper = np.where(top, np.inf, theta[np.minimum(y, n_cuts - 1)] - eta)
    lower = np.where(bottom, -np.inf, theta[np.maximum(y - 1, 0)] - eta)
    log_gap = np.log(-np.expm1(lower - upper))  # log(1 − e^{l−u})
    log_p = log_expit(upper) + log_expit(-lower) + log_gap
    d_upper = np.exp(log_expit(-upper) - log_expit(-lower) - log_gap)  # ∂ log p / ∂u
    d_lower = np.exp(log_expit(lower) - log_expit(upper) - log_gap)  # −∂ log p / ∂l
    grad_w = X.T @ (d_upper - d_lower) + w / C  # ∂u/∂η = ∂l/∂η = −1
    grad_theta = (np.bincount(y[~bottom] - 1, d_lower[~bottom], minlength=n_cuts)
                  - np.bincount(y[~top], d_upper[~top], minlength=n_cuts))
    tail = np.cumsum(grad_theta[::-1])[::-1]  # ∂/∂θ_j summed over j ≥ k: each e^{a_k} moves every later θ
    grad_a = np.r_[tail[0], steps * tail[1:]]
    return (0.5 * w @ w / C - log_p.sum()) / n, np.r_[grad_w, grad_a] / n


class OrdinalLogisticRegression(ClassifierMixin, BaseEstimator):
    """The proportional-odds model (cumulative logits) for ordered grades, by penalised maximum likelihood.

    With K ordered classes c₀ < c₁ < … < c_{K−1} (``classes_``: the sorted distinct values of y,
    integer or float grades such as a CDR of 0, 0.5, 1, 2) and the features x standardised with the
    training means and standard deviations,

        P(y ≤ c_k | x) = σ(θ_k − wᵀx),   k = 0, …, K − 2,   θ₀ < θ₁ < … < θ_{K−2},

    one weight vector w for every cut (the proportional-odds assumption: a feature shifts every
    cumulative log-odds by the same amount), and P(y = c_k | x) = P(y ≤ c_k | x) − P(y ≤ c_{k−1} | x).
    Equivalently, a latent score y* = wᵀx + ε (ε logistic) is cut at the thresholds θ. ``fit`` minimises

        ½‖w‖² − C Σᵢ log P(yᵢ | xᵢ)

    (scikit-learn's ``LogisticRegression`` penalty; the thresholds are not penalised) by L-BFGS
    with the exact gradient, the thresholds written θ₀ = a₀, θ_k = θ_{k−1} + e^{a_k} so that they stay
    ordered. With K = 2 it is logistic regression: P(y = c₁ | x) = σ(wᵀx − θ₀).

    ``predict`` returns the most probable class (the mode: the best guess for accuracy).
    ``predict_median`` returns the median class instead, the first c_k with P(y ≤ c_k | x) ≥ ½,
    which minimises the expected absolute error on the grades' scale (the best guess for the MAE);
    the two differ when the probability is spread over several grades.

    ``fit(X, y)``: X (n, p), y (n,). Learned: ``classes_`` (K,), and for the raw features ``coef_``
    w (p,) and ``thresholds_`` θ (K − 1,), so that P(y ≤ c_k | x) = σ(thresholds_[k] − x @ coef_).
    """

    def __init__(self, C: float = 1.0):
        self.C = C

    def fit(self, X, y) -> "OrdinalLogisticRegression":
        X, y = check_X_y(X, y)
        check_scalar(self.C, "C", low=0.0, low_inclusive=False)
        self.classes_ = np.unique(y)
        n_cuts = len(self.classes_) - 1
        if n_cuts < 1:
            raise ValueError(f"y must hold at least 2 distinct grades, got only {self.classes_[0]:g}")
        index = np.searchsorted(self.classes_, y)
        mean, sd = X.mean(axis=0), X.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)  # a constant feature stays 0 after centring, as in StandardScaler
        Z = (X - mean) / sd
        cumulative = np.cumsum(np.bincount(index))[:-1] / len(y)  # start: the thresholds of w = 0
        theta0 = np.log(cumulative / (1 - cumulative))
        start = np.r_[np.zeros(X.shape[1]), theta0[0], np.log(np.diff(theta0))]
        result = minimize(_ordinal_objective, start, args=(Z, index, n_cuts, float(self.C)), jac=True,
                          method="L-BFGS-B", options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8})
        w, a = result.x[:X.shape[1]], result.x[X.shape[1]:]
        theta = a[0] + np.r_[0.0, np.cumsum(np.exp(a[1:]))]
        self.coef_ = w / sd  # θ_k − wᵀ(x − μ)/σ = (θ_k + wᵀμ/σ) − (w/σ)ᵀx
        self.thresholds_ = theta + w @ (mean / sd)
        self.n_iter_ = int(result.nit)
        return self

    def _check_features(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = as_array(X, "X", ndim=(1, 2))
        X = X[:, None] if X.ndim == 1 else X
        if X.shape[1] != len(self.coef_):
            raise ValueError(f"X must have {len(self.coef_)} features as in fit, got shape {X.shape}")
        return X

    def decision_function(self, X) -> np.ndarray:
        """The latent score wᵀx (n,): higher means higher grades."""
        return self._check_features(X) @ self.coef_

    def cumulative_proba(self, X) -> np.ndarray:
        """P(y ≤ c_k | x) for k = 0..K−2: (n, K − 1), increasing along each row."""
        latent = self.decision_function(X)
        return expit(self.thresholds_[None, :] - latent[:, None])

    def predict_proba(self, X) -> np.ndarray:
        """P(y = c_k | x): (n, K), each row summing to 1."""
        cumulative = self.cumulative_proba(X)
        n = len(cumulative)
        return np.diff(np.hstack([np.zeros((n, 1)), cumulative, np.ones((n, 1))]), axis=1)

    def predict(self, X) -> np.ndarray:
        """The most probable grade of each row (n,), a value of ``classes_``."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def predict_median(self, X) -> np.ndarray:
        """The median grade of each row (n,): the first c_k with P(y ≤ c_k | x) ≥ ½."""
        below_half = self.cumulative_proba(X) < 0.5
        return self.classes_[below_half.sum(axis=1)]

    def score(self, X, y) -> float:
        """Accuracy of ``predict`` on X (n, p) against grades y (n,), float grades included."""
        X, y = check_X_y(X, y)
        return float(np.mean(self.predict(X) == y))
