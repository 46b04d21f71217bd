"""Estimators with the scikit-learn interface: the regional SVM and the CNN classifiers."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from torch import nn

import dlmi
from dlmi.estimators import CNNClassifier, RegionalSVM, SliceCNNClassifier, aggregate_slices
from dlmi.metrics import balanced_accuracy
from dlmi.models import SimpleCNN2d


def test_aggregate_slices_averages_per_subject_in_any_order():
    p = np.array([0.2, 0.9, 0.4, 0.7, 0.1])
    subject = np.array([1, 0, 1, 0, 2])
    np.testing.assert_allclose(aggregate_slices(p, subject), [0.8, 0.3, 0.1])
    with pytest.raises(ValueError, match="cover every subject"):
        aggregate_slices(p, np.array([0, 0, 2, 2, 2]))
    with pytest.raises(ValueError, match="one integer subject index"):
        aggregate_slices(p, subject.astype(float))


def test_regional_svm_chooses_c_inside_the_training_data_and_separates(regional_data):
    X, y = regional_data()
    svm = RegionalSVM(Cs=(1e-3, 1e-1, 10.0)).fit(X, y)
    assert svm.C_ in (1e-3, 1e-1, 10.0)
    assert balanced_accuracy(y, svm.predict(X)) > 0.9
    assert svm.decision_function(X).shape == (len(y),)
    with pytest.raises(ValueError, match="Cs must be positive"):
        RegionalSVM(Cs=(0.0, 1.0)).fit(X, y)
    with pytest.raises(ValueError, match="y must hold binary labels"):
        RegionalSVM().fit(X, y + 1)


def _tiny_images(n=64, seed=0):
    """(n, 1, 12, 12) images whose label is a bright square in the upper half."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    X = rng.normal(0.0, 0.3, (n, 1, 12, 12)).astype(np.float32)
    X[y == 1, :, 2:6, 3:9] += 1.0
    return X, y


def _small_cnn():
    return SimpleCNN2d(1, 1, widths=(4, 8))


def test_cnn_classifier_learns_and_repeats_exactly():
    X, y = _tiny_images()
    first = CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, rng=0).fit(X, y)
    assert balanced_accuracy(y, first.predict(X)) > 0.9
    proba = first.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(1), 1)
    second = CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, rng=0).fit(X, y)
    np.testing.assert_allclose(second.decision_function(X), first.decision_function(X), rtol=1e-5, atol=1e-6)
    assert len(first.history_["train_loss"]) == 15


def test_cnn_classifier_names_bad_input():
    X, y = _tiny_images(8)
    with pytest.raises(TypeError, match="make_model"):
        CNNClassifier(lambda: "not a network").fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        CNNClassifier(_small_cnn).fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="not fitted"):
        CNNClassifier(_small_cnn).predict(X)
    with pytest.raises(ValueError, match="lr"):
        CNNClassifier(_small_cnn, lr=0.0).fit(X, y)
    with pytest.raises(ValueError, match=r"y must be one 0/1 label per subject"):
        CNNClassifier(_small_cnn).fit(X, y[:, None])
    with pytest.raises(NotFittedError, match="not fitted"):
        RegionalSVM().decision_function(np.ones((3, 4)))


def test_batchnorm_statistics_are_those_of_the_training_data_after_fit():
    X, y = _tiny_images(48)
    X = X * 2 + 3  # far from the batch-norm's initial statistics (mean 0, variance 1)
    model = CNNClassifier(lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(),
                                                    nn.Linear(2 * 10 * 10, 1)),
                              epochs=2, batch_size=8).fit(X, y)
    conv, norm = model.model_[0], model.model_[1]
    with torch.no_grad():
        out = conv(torch.from_numpy(X))
    torch.testing.assert_close(norm.running_mean, out.mean(dim=(0, 2, 3)), rtol=1e-4, atol=1e-4)
    assert norm.momentum == 0.1 and not model.model_.training


def test_slice_classifier_aggregates_slices_per_subject():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(12), np.ones(12)]
    maps = rng.normal(0.0, 0.3, (24, 10, 12, 12)).astype(np.float32)
    maps[y == 1, :, 2:6, 3:9] += 1.0  # every sagittal slice of a patient shows the sign
    clf = SliceCNNClassifier(_small_cnn, axis=0, discard=0.2, epochs=10, lr=3e-3, batch_size=32).fit(maps, y)
    probabilities, subject = clf.predict_slices(maps)
    assert probabilities.shape == subject.shape == (24 * 6,)
    np.testing.assert_allclose(clf.predict_proba(maps)[:, 1], aggregate_slices(probabilities, subject), atol=1e-6)
    assert balanced_accuracy(y, clf.predict(maps)) > 0.9
    with pytest.raises(ValueError, match="same number of subjects"):
        clf.fit(maps, y[:-1])


def test_seeded_runs_do_not_depend_on_the_global_generator():
    X, y = _tiny_images(32)
    dlmi.seed_everything(123)
    a = CNNClassifier(_small_cnn, epochs=2, rng=5).fit(X, y).decision_function(X)
    torch.manual_seed(999)
    b = CNNClassifier(_small_cnn, epochs=2, rng=5).fit(X, y).decision_function(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fitting_leaves_the_callers_global_generator_where_it_was():
    """Library code never reseeds: what the caller draws after a fit is what it would have drawn."""
    X, y = _tiny_images(32)
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    CNNClassifier(_small_cnn, epochs=1, rng=5).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_a_numpy_generator_is_a_valid_rng_and_seed_is_its_older_name(regional_data):
    X, y = _tiny_images(32)
    a = CNNClassifier(_small_cnn, epochs=1, rng=np.random.default_rng(3)).fit(X, y).decision_function(X)
    assert np.isfinite(a).all()
    svm = RegionalSVM(rng=np.random.default_rng(0)).fit(*regional_data(60))
    assert svm.C_ > 0
