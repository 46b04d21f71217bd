"""dlmi.regularisation: notebook 07's training records and repeated trainings."""

import numpy as np
import pytest

from dlmi import nn, optim
from dlmi.data.toy import noisy_sine
from dlmi.regularisation import record_training, repeat_training


def _network(dropout=0.0):
    return nn.mlp([1, 32, 32, 1], "tanh", dropout=dropout, rng=0)


def _sets():
    pairs = [noisy_sine(20, rng=1), noisy_sine(200, rng=2)]
    return [(x[:, None], y[:, None]) for x, y in pairs]


def test_record_training_records_every_epoch_from_the_initial_weights():
    train, val = _sets()
    model = _network(dropout=0.2)
    initial = nn.MSELoss().forward(model.eval().forward(val[0]), val[1])
    model.train()
    record = record_training(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.01), train, val, epochs=30,
                                grid=np.linspace(0, 1, 7)[:, None], test=val)
    assert record.epochs == 30 and record.predictions.shape == (31, 7) and record.status == "completed 30 epochs"
    assert record.val_loss[0] == pytest.approx(initial) and record.test_loss.shape == (31,)
    np.testing.assert_allclose(record.test_loss, record.val_loss)
    assert model.training, "record_training leaves the model in training mode"
    final = nn.MSELoss().forward(model.eval().forward(train[0]), train[1])
    assert record.train_loss[-1] == pytest.approx(final)      # measured in evaluation mode, dropout off
    assert record.train_loss[-1] < record.train_loss[0]
    assert 1 <= record.best_epoch <= 30


def test_record_training_reports_divergence_and_refuses_a_torch_optimiser():
    train, val = _sets()
    model = _network()
    with np.errstate(all="ignore"):
        record = record_training(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=50.0), train, val,
                                    epochs=50, grid=np.zeros((1, 1)))
    assert record.status.startswith("diverged at epoch") and record.epochs < 50
    import torch

    with pytest.raises(TypeError, match="optimizer"):
        record_training(model, nn.MSELoss(), torch.optim.SGD([torch.zeros(1)], lr=0.1), train, val, epochs=1,
                           grid=np.zeros((1, 1)))


def test_repeat_training_pairs_configurations_and_keeps_the_best_epoch():
    configs = {"none": {}, "again": {}, "dropout": {"dropout": 0.2}, "decay": {"weight_decay": 1e-2}}
    runs = repeat_training(3, configs, epochs=60, rng=4, every=10)
    none, again = runs["none"], runs["again"]
    assert none.train.shape == none.test.shape == none.best_epoch.shape == (3,)
    np.testing.assert_array_equal(none.val, again.val)            # same data, same initial weights
    assert np.all(none.val_at_best <= none.val) and set(none.best_epoch) <= {10, 20, 30, 40, 50, 60}
    assert not np.array_equal(runs["dropout"].val, none.val) and not np.array_equal(runs["decay"].val, none.val)
    assert np.all(np.isfinite(runs["dropout"].test)) and runs["none"].train.mean() < 0.5  # it learns
    with pytest.raises(ValueError, match="unknown keys"):
        repeat_training(1, {"x": {"lr": 1.0}}, epochs=1, rng=0)
    with pytest.raises(TypeError, match="configs"):
        repeat_training(1, {}, epochs=1, rng=0)
