"""dlmi.train.fit on tiny models: every path, including early stopping and divergence."""

import warnings

import numpy as np
import pytest
import torch
from torch import nn

import dlmi
from dlmi.metrics import mean_absolute_error, mean_auc, r2_score
from dlmi.train import METRICS, EarlyStopping, History, fit, predict, tensor_loader


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 2)) + 2.5 * y[:, None]
    return X.astype(np.float32), y.astype(np.float32)[:, None]


def _accuracy(y_true, y_out):
    return float(((y_out > 0) == (y_true > 0.5)).mean())


def _setup(lr=0.1, seed=0):
    dlmi.seed_everything(seed)
    X, y = _blobs()
    train = tensor_loader(X[:150], y[:150], batch_size=32, shuffle=True, rng=seed)
    val = tensor_loader(X[150:], y[150:], batch_size=64)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    return model, train, val, torch.optim.SGD(model.parameters(), lr=lr)


def test_fit_learns_and_records_every_epoch():
    model, train, val, opt = _setup()
    history = fit(model, train, val, loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt, epochs=15,
                  metrics={"acc": _accuracy}, progress=False)
    assert history.epochs == list(range(1, 16))
    assert set(history.values) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert history["val_acc"][-1] > 0.9
    assert history.status == "completed" and not history.diverged
    outputs, targets = predict(model, val)
    assert outputs.shape == (50, 1) and targets.shape == (50, 1)
    assert _accuracy(targets, outputs) == pytest.approx(history["val_acc"][-1])


def test_fit_is_deterministic_on_cpu_for_a_seed():
    runs = []
    for _ in range(2):
        model, train, val, opt = _setup(seed=3)
        runs.append(fit(model, train, val, loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt, epochs=3,
                        device="cpu", progress=False)["val_loss"])
    assert runs[0] == runs[1]


def test_early_stopping_restores_the_best_epoch():
    model, train, val, opt = _setup()
    calls = iter([0.5, 0.4, 0.3, 0.35, 0.36, 0.37, 0.38, 0.2])

    def scripted(y_true, y_out):  # a validation score that is best (lowest) at epoch 3
        return next(calls) if len(y_true) == 50 else 0.0

    states = []

    class Spy(EarlyStopping):
        def improved(self, value, best):
            states.append({k: v.clone() for k, v in model.state_dict().items()})
            return super().improved(value, best)

    stopper = Spy("val_score", patience=3, mode="min")
    history = fit(model, train, val, loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt, epochs=8,
                  metrics={"score": scripted}, early_stopping=stopper, progress=False)
    assert history.best_epoch == 3
    assert len(history.epochs) == 6 and "stopped early at epoch 6" in history.status
    for key, value in model.state_dict().items():
        assert torch.equal(value, states[2][key]), f"{key} is not the weights of epoch 3"


def test_early_stopping_min_delta_and_mode():
    stop = EarlyStopping("val_auc", mode="max", min_delta=0.01)
    assert stop.improved(0.80, None)
    assert stop.improved(0.82, 0.80)
    assert not stop.improved(0.805, 0.80)


def test_divergence_is_reported_in_words_and_stops():
    model, train, val, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=1e6)
    X = np.full((64, 2), 1e3, np.float32)
    loader = tensor_loader(X, np.ones((64, 1), np.float32) * 5, batch_size=16)
    with pytest.warns(RuntimeWarning, match="diverged"):
        history = fit(model, loader, None, loss_fn=nn.MSELoss(), optimizer=opt, epochs=50, progress=False)
    assert history.diverged and history.status.startswith("diverged at epoch") and "smaller learning rate" in history.status
    assert len(history.epochs) < 50


def test_divergence_restores_the_best_epoch_weights():
    """Early stopping's best weights come back also when a later epoch diverges."""
    model, train, val, opt = _setup()
    bce, calls = nn.BCEWithLogitsLoss(), {"n": 0}

    def loss_that_blows_up(out, y):  # 5 training batches + 1 validation call per epoch
        calls["n"] += 1
        return bce(out, y) * (float("inf") if calls["n"] > 2 * 6 + 1 else 1.0)  # epoch 3, batch 2

    with pytest.warns(RuntimeWarning, match="diverged"):
        history = fit(model, train, val, loss_fn=loss_that_blows_up, optimizer=opt, epochs=10,
                      early_stopping=EarlyStopping(patience=10), progress=False)
    assert history.diverged and history.status.startswith("diverged at epoch 3: the training loss became inf at batch 2")
    assert history.best_epoch in (1, 2) and f"weights of epoch {history.best_epoch} were restored" in history.status
    y_out, y_true = predict(model, val)
    restored = float(bce(torch.from_numpy(y_out), torch.from_numpy(y_true)))
    assert restored == pytest.approx(history["val_loss"][history.best_epoch - 1], abs=1e-6)


def test_history_frame_and_plot():
    history = History()
    history.append(train_loss=1.0, val_loss=1.2, val_auc=0.6)
    history.append(train_loss=0.5, val_loss=0.9, val_auc=0.7)
    history.best_epoch = 2
    frame = history.to_frame()
    assert list(frame.index) == [1, 2] and frame.loc[2, "val_auc"] == 0.7
    fig = history.plot()
    assert len(fig.axes) == 2 and fig.axes[0].get_xlabel() == "epoch"
    with pytest.raises(KeyError, match="val_acc"):
        history["val_acc"]


def test_bad_arguments_are_named():
    model, train, val, opt = _setup()
    loss = nn.BCEWithLogitsLoss()
    with pytest.raises(TypeError, match="model"):
        fit("net", train, val, loss_fn=loss, optimizer=opt, epochs=1)
    with pytest.raises(TypeError, match="optimizer"):
        fit(model, train, val, loss_fn=loss, optimizer="adam", epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, train, val, loss_fn=loss, optimizer=opt, epochs=0)
    with pytest.raises(ValueError, match="val_loader"):
        fit(model, train, None, loss_fn=loss, optimizer=opt, epochs=1, early_stopping=EarlyStopping())
    with pytest.raises(TypeError, match="metrics"):
        fit(model, train, val, loss_fn=loss, optimizer=opt, epochs=1, metrics={"acc": 3})
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="same number of samples"):
        tensor_loader(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="same number of samples"):
        tensor_loader(np.ones((3, 2)), 3)
    with pytest.raises(TypeError, match="rng"):
        tensor_loader(np.ones((3, 2)), np.ones(3), rng="a")
    with pytest.raises(TypeError, match="not both"):
        tensor_loader(np.ones((3, 2)), np.ones(3), rng=1, seed=2)
    with pytest.raises(ValueError, match="'val_auc', which fit does not record"):  # before any training
        fit(model, train, val, loss_fn=loss, optimizer=opt, epochs=1, early_stopping=EarlyStopping("val_auc"))
    empty = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(3, 2), torch.ones(3, 1)),
                                        batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match="train_loader yielded no batches"):
        fit(model, empty, None, loss_fn=loss, optimizer=opt, epochs=1, progress=False)


# ---------------------------------------------------------------- regression


def _regression_setup(y_shape=(-1,), seed=0, lr=0.05, outputs=1):
    """A linear regressor of y = X·w + 3 + noise (n = 240: 180 to train, 60 to validate)."""
    dlmi.seed_everything(seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(240, 3)).astype(np.float32)
    y = (X @ np.array([1.5, -2.0, 0.5]) + 3.0 + 0.3 * rng.normal(size=240)).astype(np.float32)
    y = y.reshape(y_shape) if outputs == 1 else np.column_stack([y, 2 - y])
    train = tensor_loader(X[:180], y[:180], batch_size=32, shuffle=True, rng=seed)
    val = tensor_loader(X[180:], y[180:], batch_size=64)
    model = nn.Linear(3, outputs)
    return model, train, val, torch.optim.SGD(model.parameters(), lr=lr)


def test_fit_records_regression_metrics_by_name_and_stops_on_val_mae(one_torch_thread):
    model, train, val, opt = _regression_setup()
    history = fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=40, metrics=("mae", "rmse", "r2"),
                  early_stopping=EarlyStopping("val_mae", mode="min", patience=3), progress=False)
    assert set(history.values) == {f"{part}_{name}" for part in ("train", "val")
                                   for name in ("loss", "mae", "rmse", "r2")}
    val_mae = history["val_mae"]
    assert history.best_epoch == int(np.argmin(val_mae)) + 1
    assert val_mae[history.best_epoch - 1] < 0.4 and history["val_r2"][history.best_epoch - 1] > 0.95
    # the MSE loss is the square of the RMSE, pair by pair (no (B, 1) − (B,) broadcasting)
    np.testing.assert_allclose(np.square(history["val_rmse"]), history["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(np.square(history["train_rmse"]), history["train_loss"], rtol=1e-4)
    # the best epoch's weights are back: their validation MAE is the recorded one
    outputs, targets = predict(model, val)
    assert outputs.shape == (60, 1) and targets.shape == (60,)
    assert mean_absolute_error(targets, outputs[:, 0]) == pytest.approx(val_mae[history.best_epoch - 1], rel=1e-5)
    assert r2_score(targets, outputs[:, 0]) == pytest.approx(history["val_r2"][history.best_epoch - 1], rel=1e-5)


def test_targets_of_shape_n_or_n_by_1_train_a_one_output_regressor_alike(one_torch_thread):
    """(B, 1) outputs against (B,) targets would make MSELoss average a (B, B) matrix (with only a
    warning from torch); fit gives the targets the outputs' shape, so both shapes train identically."""
    histories = []
    for shape in [(-1,), (-1, 1)]:
        model, train, val, opt = _regression_setup(y_shape=shape, seed=2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # torch's "Using a target size ... different to the input size"
            histories.append(fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=4,
                                 metrics=["mae"], progress=False))
        outputs, targets = predict(model, val)
        assert histories[-1]["val_loss"][-1] == pytest.approx(np.mean((outputs.ravel() - targets.ravel()) ** 2),
                                                              rel=1e-5)
    assert histories[0].values == histories[1].values
    # what the reshaping prevents: one output against every target of the batch
    out, y = torch.arange(4.0)[:, None], torch.arange(4.0)  # perfect predictions
    assert nn.MSELoss()(out, y[:, None]) == 0
    with pytest.warns(UserWarning, match="target size"):
        assert nn.MSELoss()(out, y) == pytest.approx(2.5)  # the mean of (i − j)² over all 16 pairs


def test_an_elementwise_loss_refuses_targets_of_another_shape_and_a_custom_loss_gets_them_as_they_are():
    model, train, val, opt = _regression_setup(y_shape=(-1, 1))
    X, y = np.ones((40, 3), np.float32), np.ones((40, 3), np.float32)
    with pytest.raises(ValueError, match=r"MSELoss compares outputs and targets element by element, but the model's "
                                         r"outputs have shape \(8, 1\) and the targets \(8, 3\)"):
        fit(model, tensor_loader(X, y, batch_size=8), None, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1,
            progress=False)
    seen = []

    def squared_error(out, target):  # a custom loss that expects (B,) targets: left alone
        seen.append(tuple(target.shape))
        return ((out[:, 0] - target) ** 2).mean()

    model, train, val, opt = _regression_setup(y_shape=(-1,))
    fit(model, train, val, loss_fn=squared_error, optimizer=opt, epochs=1, progress=False)
    assert set(seen) <= {(32,), (20,), (60,)} and (60,) in seen


def test_metrics_by_name_in_a_mapping_and_bad_names():
    model, train, val, opt = _regression_setup()
    history = fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=2,
                  metrics={"age_error": "mae", "fit": "r2", "mean_absolute_error": mean_absolute_error},
                  progress=False)
    assert {"train_age_error", "val_age_error", "val_fit", "val_mean_absolute_error"} <= set(history.values)
    assert history["val_age_error"] == history["val_mean_absolute_error"]
    assert "val_rmse" in fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1, metrics="rmse",
                             progress=False)
    assert set(METRICS) == {"mae", "rmse", "r2", "pearson_r", "auc"}
    with pytest.raises(ValueError, match=r"metrics\['maee'\] must be one of \['mae'"):
        fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1, metrics=["maee"])
    with pytest.raises(ValueError, match=r"metrics\['error'\] must be one of"):
        fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1, metrics={"error": "l1"})
    # a metric with one value per column must be averaged, or named
    model, train, val, opt = _regression_setup(outputs=2)
    with pytest.raises(ValueError, match=r"metrics\['mean_absolute_error'\] must give one number, got an array "
                                         r"of shape \(2,\)"):
        fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1, metrics=[mean_absolute_error],
            progress=False)
    two = fit(model, train, val, loss_fn=nn.MSELoss(), optimizer=opt, epochs=1, metrics=["mae"], progress=False)
    outputs, targets = predict(model, val)
    assert two["val_mae"][-1] == pytest.approx(np.mean(mean_absolute_error(targets, outputs)), rel=1e-5)


def test_auc_by_name_for_a_classifier():
    model, train, val, opt = _setup()
    history = fit(model, train, val, loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt, epochs=3, metrics=["auc"],
                  early_stopping=EarlyStopping("val_auc", mode="max"), progress=False)
    outputs, targets = predict(model, val)
    assert history["val_auc"][history.best_epoch - 1] == pytest.approx(mean_auc(targets, outputs))
