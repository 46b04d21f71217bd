"""dlmi.nn: gradients against central differences and torch autograd, dtypes, errors."""

import re

import numpy as np
import pytest
import torch
from scipy import special

import dlmi
from dlmi import nn, optim
from dlmi.divergence import DivergenceError

ACTIVATIONS = {"relu": (nn.ReLU, torch.nn.ReLU), "tanh": (nn.Tanh, torch.nn.Tanh), "sigmoid": (nn.Sigmoid, torch.nn.Sigmoid)}
LOSSES = ("mse", "bce", "ce_int", "ce_onehot")


def random_network(seed: int, dtype=np.float64):
    """A random MLP (depth 1–3, widths 1–7, mixed activations) in dlmi.nn and the same in torch."""
    rng = np.random.default_rng(seed)
    widths = [int(w) for w in rng.integers(1, 8, size=rng.integers(2, 5))]
    layers, t_layers = [], []
    for i, (d_in, d_out) in enumerate(zip(widths[:-1], widths[1:])):
        lin = nn.Linear(d_in, d_out, rng=rng, init=str(rng.choice(nn.INITS)), sigma=0.5, dtype=dtype)
        lin.params["w0"][...] = rng.normal(size=d_out)  # non-zero biases test ∂J/∂w0 too
        t_lin = torch.nn.Linear(d_in, d_out, dtype=torch.float64)
        with torch.no_grad():
            t_lin.weight.copy_(torch.from_numpy(lin.params["W"].T.astype(np.float64)))
            t_lin.bias.copy_(torch.from_numpy(lin.params["w0"].astype(np.float64)))
        layers.append(lin)
        t_layers.append(t_lin)
        if i < len(widths) - 2:
            ours, theirs = ACTIVATIONS[str(rng.choice(list(ACTIVATIONS)))]
            layers.append(ours())
            t_layers.append(theirs())
    return nn.Sequential(*layers), torch.nn.Sequential(*t_layers), widths


def loss_and_targets(kind: str, n: int, d_out: int, rng):
    if kind == "mse":
        return nn.MSELoss(), rng.normal(size=(n, d_out)), torch.nn.MSELoss()
    if kind == "bce":
        return nn.BCEWithLogitsLoss(), rng.uniform(size=(n, d_out)), torch.nn.BCEWithLogitsLoss()
    labels = rng.integers(0, d_out, size=n)
    if kind == "ce_int":
        return nn.CrossEntropyLoss(), labels, torch.nn.CrossEntropyLoss()
    return nn.CrossEntropyLoss(), np.eye(d_out)[labels], torch.nn.CrossEntropyLoss()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", LOSSES)
def test_gradients_match_central_differences(seed, kind):
    model, _, widths = random_network(seed)
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 9))
    x = rng.normal(size=(n, widths[0]))
    loss, y, _ = loss_and_targets(kind, n, widths[-1], rng)
    errors = nn.gradient_check(model, loss, x, y)
    assert set(errors) == set(model.params)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", LOSSES)
def test_gradients_match_torch_autograd(seed, kind):
    model, t_model, widths = random_network(seed)
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(1, 17))
    x = rng.normal(size=(n, widths[0]))
    loss, y, t_loss = loss_and_targets(kind, n, widths[-1], rng)

    value = loss.forward(model.forward(x), y)
    grad_x = model.backward(loss.backward())

    t_x = torch.tensor(x, requires_grad=True)
    t_y = torch.from_numpy(y)
    t_value = t_loss(t_model(t_x), t_y)
    t_value.backward()

    def rel(a, b):
        return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300)

    assert abs(value - t_value.item()) <= 1e-12 * max(1.0, abs(value))
    assert rel(grad_x, t_x.grad.numpy()) < 1e-10
    t_linears = [m for m in t_model if isinstance(m, torch.nn.Linear)]
    ours = [m for m in model.layers if isinstance(m, nn.Linear)]
    for lin, t_lin in zip(ours, t_linears, strict=True):
        assert rel(lin.grads["W"], t_lin.weight.grad.numpy().T) < 1e-10
        assert rel(lin.grads["w0"], t_lin.bias.grad.numpy()) < 1e-10


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Dropout(0.3, rng=0)])
def test_activation_backward_is_the_slides_derivative(layer):
    z = np.linspace(-4, 4, 17)[None, :] + 0.01  # avoid ReLU's kink at exactly 0
    layer.eval()
    g = layer.forward(z)
    ones = np.ones_like(z)
    expected = {
        nn.ReLU: (z > 0).astype(float),
        nn.Sigmoid: special.expit(z) * (1 - special.expit(z)),
        nn.Tanh: 1 - np.tanh(z) ** 2,
        nn.Dropout: ones,
    }[type(layer)]
    np.testing.assert_allclose(layer.backward(ones), expected, rtol=1e-12)
    assert g.shape == z.shape


def test_float32_stays_float32_end_to_end():
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Linear(5, 6, rng=rng, dtype=np.float32), nn.Tanh(), nn.Dropout(0.2, rng=1),
        nn.Linear(6, 4, rng=rng, dtype=np.float32), nn.Sigmoid(), nn.Linear(4, 3, rng=rng, dtype=np.float32),
        nn.ReLU(),
    )
    x = rng.normal(size=(8, 5)).astype(np.float32)
    for loss, y in [
        (nn.MSELoss(), rng.normal(size=(8, 3))),
        (nn.BCEWithLogitsLoss(), rng.uniform(size=(8, 3))),
        (nn.CrossEntropyLoss(), rng.integers(0, 3, size=8)),
    ]:
        out = model.forward(x)
        assert out.dtype == np.float32
        assert isinstance(loss.forward(out, y), float)
        assert loss.backward().dtype == np.float32
        assert model.backward(loss.backward()).dtype == np.float32
        assert all(g.dtype == np.float32 for g in model.gradients())


def test_float32_gradients_are_close_to_float64():
    model64, _, widths = random_network(3)
    model32 = nn.Sequential(*[
        layer if not isinstance(layer, nn.Linear) else nn.Linear(layer.in_features, layer.out_features, dtype=np.float32)
        for layer in model64.layers
    ])
    for w32, w64 in zip(model32.parameters(), model64.parameters()):
        w32[...] = w64
    x = np.random.default_rng(1).normal(size=(6, widths[0]))
    y = np.random.default_rng(2).integers(0, widths[-1], size=6)
    for model, xx in ((model64, x), (model32, x.astype(np.float32))):
        loss = nn.CrossEntropyLoss()
        loss.forward(model.forward(xx), y)
        model.backward(loss.backward())
    for g32, g64 in zip(model32.gradients(), model64.gradients()):
        np.testing.assert_allclose(g32, g64, atol=1e-5 * max(1.0, np.abs(g64).max()))


def test_parameters_and_gradients_are_aligned_live_arrays_updated_in_place():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    params, grads = model.parameters(), model.gradients()
    assert [p.shape for p in params] == [g.shape for g in grads] == [(3, 4), (4,), (4, 2), (2,)]
    assert list(model.params) == ["0.W", "0.w0", "2.W", "2.w0"]
    x, y = np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    history = nn.fit(model, nn.CrossEntropyLoss(), x, y, lr=0.5, epochs=50)
    assert all(a is b for a, b in zip(params, model.parameters())), "parameters were rebound"
    assert all(a is b for a, b in zip(grads, model.gradients())), "gradients were rebound"
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]



def test_losses_are_stable_for_huge_logits_and_match_torch():
    z = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]])
    labels = np.array([1, 0])
    ce = nn.CrossEntropyLoss()
    value = ce.forward(z, labels)
    t_value = torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.from_numpy(labels)).item()
    assert np.isfinite(value) and value == pytest.approx(t_value, rel=1e-12)
    assert np.isfinite(ce.backward()).all()
    bce = nn.BCEWithLogitsLoss()
    y = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])
    value = bce.forward(z, y)
    t_value = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y)).item()
    assert value == pytest.approx(t_value, rel=1e-12)
    np.testing.assert_allclose(bce.backward(), (special.expit(z) - y) / z.size, rtol=1e-12)


def test_sigmoid_and_softmax_are_stable_and_correct():
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 2.5, 40.0, 1000.0])
    with np.errstate(over="raise"):
        np.testing.assert_allclose(nn.sigmoid(z), special.expit(z), rtol=1e-15, atol=0)
        logits = np.array([[1000.0, 999.0, -5.0], [0.1, 0.2, 0.3]])
        np.testing.assert_allclose(nn.softmax(logits), special.softmax(logits, axis=1), rtol=1e-14)
    assert nn.sigmoid(np.float32([1.0, -2.0])).dtype == np.float32
    np.testing.assert_allclose(nn.sigmoid(np.array([0, 1])), [0.5, special.expit(1.0)])


def test_mse_matches_its_formula():
    loss = nn.MSELoss()
    pred, y = np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0])
    assert loss.forward(pred, y) == pytest.approx((0 + 4 + 9) / 3)
    np.testing.assert_allclose(loss.backward(), 2 * (pred - y) / 3)


def test_dropout_is_inverted_and_off_in_eval():
    drop = nn.Dropout(0.25, rng=0)
    x = np.ones((400, 50))
    out = drop.forward(x)
    kept = out != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # same expectation as in eval mode
    grad = drop.backward(np.full_like(x, 2.0))
    np.testing.assert_array_equal(grad != 0, kept)  # the same units are dropped going back
    drop.eval()
    np.testing.assert_array_equal(drop.forward(x), x)


def test_train_and_eval_propagate_to_every_layer():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Dropout(0.5), nn.ReLU())
    assert model.eval() is model
    assert not model.training and not any(layer.training for layer in model.layers)
    model.train()
    assert model.training and all(layer.training for layer in model.layers)


@pytest.mark.parametrize(
    "init, expected_std",
    [("normal", 0.3), ("xavier", np.sqrt(2 / (300 + 200))), ("he", np.sqrt(2 / 300))],
)
def test_initialisations_draw_the_stated_normal(init, expected_std):
    lin = nn.Linear(300, 200, rng=0, init=init, sigma=0.3)
    W = lin.params["W"]
    assert abs(W.mean()) < 5 * expected_std / np.sqrt(W.size)
    assert W.std() == pytest.approx(expected_std, rel=0.02)
    np.testing.assert_array_equal(lin.params["w0"], 0.0)


def test_init_functions_work_in_place_and_repeat_with_a_seed():
    W = np.zeros((50, 40))
    assert nn.init_normal_(W, 0.5, rng=1) is W and W.std() == pytest.approx(0.5, rel=0.05)
    assert nn.init_he_(W, rng=1) is W and W.std() == pytest.approx(np.sqrt(2 / 50), rel=0.05)
    assert nn.init_xavier_(W, rng=1) is W and W.std() == pytest.approx(np.sqrt(2 / 90), rel=0.05)
    np.testing.assert_array_equal(nn.Linear(4, 3, rng=7).params["W"], nn.Linear(4, 3, rng=7).params["W"])
    np.random.seed(3)
    first = nn.Linear(4, 3).params["W"]
    np.random.seed(3)
    np.testing.assert_array_equal(first, nn.Linear(4, 3).params["W"])


def test_bad_input_raises_errors_that_name_the_argument():
    lin = nn.Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\)"):
        lin.forward(np.ones((4, 5)))
    with pytest.raises(ValueError, match="x must have 2 dimension"):
        lin.forward(np.ones(3))
    with pytest.raises(TypeError, match="x has dtype float32"):
        lin.forward(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match="forward before backward"):
        nn.Linear(3, 2).backward(np.ones((4, 2)))
    for layer in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Dropout(0.1)):
        with pytest.raises(RuntimeError, match="forward before backward"):
            layer.backward(np.ones((2, 2)))
    lin.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="grad_out must have the shape"):
        lin.backward(np.ones((4, 3)))
    for loss in (nn.MSELoss(), nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss()):
        with pytest.raises(RuntimeError, match="forward before backward"):
            loss.backward()
    with pytest.raises(ValueError, match="target must have the shape of pred"):
        nn.MSELoss().forward(np.ones((4, 1)), np.ones(4))
    with pytest.raises(TypeError, match="target of shape \\(n,\\) must hold integer class indices"):
        nn.CrossEntropyLoss().forward(np.ones((4, 3)), np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="target class indices must be in \\[0, 3\\)"):
        nn.CrossEntropyLoss().forward(np.ones((4, 3)), np.array([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="target must have 4 labels"):
        nn.CrossEntropyLoss().forward(np.ones((4, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="one-hot target rows"):
        nn.CrossEntropyLoss().forward(np.ones((2, 3)), np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match="pred must hold logits of shape \\(n, C\\)"):
        nn.CrossEntropyLoss().forward(np.ones(4), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="target must hold values in \\[0, 1\\]"):
        nn.BCEWithLogitsLoss().forward(np.zeros(3), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="pred contains NaN.*diverged"):
        nn.MSELoss().forward(np.array([np.nan, 1.0]), np.ones(2))
    with pytest.raises(TypeError, match="pred must hold numbers"):
        nn.MSELoss().forward(np.array(["a", "b"]), np.ones(2))
    with pytest.raises(TypeError, match="layers\\[1\\] must be a dlmi.nn layer"):
        nn.Sequential(nn.ReLU(), np.tanh)
    with pytest.raises(ValueError, match="in_features must be in"):
        nn.Linear(0, 3)
    with pytest.raises(TypeError, match="out_features must be an integer"):
        nn.Linear(3, 2.5)
    with pytest.raises(ValueError, match="init must be one of"):
        nn.Linear(3, 2, init="uniform")
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        nn.Linear(3, 2, dtype=np.int64)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        nn.Linear(3, 2, rng="seed")
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout(1.0)
    with pytest.raises(ValueError, match="sigma must be in"):
        nn.init_normal_(np.zeros((2, 2)), sigma=0.0)
    with pytest.raises(ValueError, match="lr must be in"):
        nn.fit(nn.Linear(1, 1), nn.MSELoss(), np.ones((2, 1)), np.ones((2, 1)), lr=-1, epochs=3)


def test_gradient_check_detects_a_wrong_backward():
    class WrongTanh(nn.Tanh):
        def backward(self, grad_out):
            return grad_out * (1 - self._g)  # forgot the square

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 4, rng=rng), WrongTanh(), nn.Linear(4, 1, rng=rng))
    errors = nn.gradient_check(model, nn.MSELoss(), rng.normal(size=(5, 3)), rng.normal(size=(5, 1)))
    assert errors["0.W"] > 1e-2 and errors["2.W"] < 1e-6


def test_gradient_check_leaves_the_model_unchanged_and_in_its_mode():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Dropout(0.5, rng=0), nn.Linear(3, 1, rng=1))
    before = [p.copy() for p in model.parameters()]
    rng = np.random.default_rng(0)
    errors = nn.gradient_check(model, nn.MSELoss(), rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    assert max(errors.values()) < 1e-6
    assert model.training
    for a, b in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, b)





def test_elementwise_functions_and_initialisers_name_bad_input():
    with pytest.raises(TypeError, match="z must hold numbers"):
        nn.softmax(["a", "b"])
    with pytest.raises(TypeError, match="z must"):
        nn.sigmoid(None)
    with pytest.raises(ValueError, match="axis"):
        nn.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="weight must be a float numpy array"):
        nn.init_normal_(np.zeros((3, 3), dtype=int), 1.0)
    with pytest.raises(ValueError, match=r"weight must be a \(d_in, d_out\) matrix"):
        nn.init_xavier_(np.zeros(5))
    np.testing.assert_allclose(nn.softmax(np.array([[1.0, 2.0, 3.0]]), axis=-1).sum(), 1.0)



def test_seeds_are_checked_and_named():
    with pytest.raises(ValueError, match="rng must be a non-negative int seed"):
        nn.Linear(2, 2, rng=-1)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        nn.Linear(2, 2, rng="a")
    dlmi.seed_everything(3)
    first = nn.Linear(2, 2).params["W"].copy()
    dlmi.seed_everything(3)
    np.testing.assert_array_equal(nn.Linear(2, 2).params["W"], first)  # rng=None follows seed_everything


# --------------------------------------------------------------------------- mlp and fit
def test_mlp_builds_the_layers_and_seeds_each_linear_layer_from_rng_plus_k():
    model = nn.mlp([2, 8, 8, 1], "tanh", rng=5)
    assert [type(m) for m in model.layers] == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    for k, layer in enumerate(model.layers[::2]):
        np.testing.assert_array_equal(layer.params["W"], nn.Linear(layer.in_features, layer.out_features, rng=5 + k).params["W"])
    assert [type(m) for m in nn.mlp([3, 4, 2], "linear", rng=0).layers] == [nn.Linear, nn.Linear]
    dropped = nn.mlp([1, 4, 4, 1], "relu", init="he", dropout=0.2, rng=0)
    assert [type(m) for m in dropped.layers] == [nn.Linear, nn.ReLU, nn.Dropout, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]
    mixed = nn.mlp([2, 64, 1], "relu", init=["normal", "xavier"], sigma=3.0, rng=0)
    assert mixed[0].init == "normal" and mixed[2].init == "xavier" and mixed[0].params["W"].std() > 1.5
    shared = np.random.default_rng(0)
    a = nn.mlp([2, 3, 1], rng=shared)
    assert not np.array_equal(a[0].params["W"][:, 0], a[2].params["W"][:1, 0])  # one generator, drawn in turn
    with pytest.raises(ValueError, match="init must be one name or one per Linear layer"):
        nn.mlp([2, 3, 1], init=["he"])
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.mlp([2, 3, 1], "gelu")
    with pytest.raises(TypeError, match="sizes must be a list"):
        nn.mlp([2])


def test_fit_full_batch_is_the_slides_gradient_descent():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    y = x @ np.array([[1.0], [-2.0]]) + 0.5
    model, twin = nn.mlp([2, 1], rng=0), nn.mlp([2, 1], rng=0)
    history = nn.fit(model, nn.MSELoss(), x, y, lr=0.1, epochs=20)
    loss = nn.MSELoss()
    costs = []
    for _ in range(20):
        costs.append(loss.forward(twin.forward(x), y))
        twin.backward(loss.backward())
        for w, g in zip(twin.parameters(), twin.gradients()):
            w -= 0.1 * g
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(history.train_loss[:-1], costs, rtol=1e-12)  # entry 0: before training
    np.testing.assert_array_equal(history.epoch, np.arange(21))
    assert history.status == "completed 20 epochs" and not history.diverged and history.val_loss is None
    assert history.seconds[0] == 0 and np.all(history.seconds[1:] > 0)


def test_fit_mini_batches_record_within_epochs_validate_and_continue():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    model = nn.mlp([2, 16, 1], "tanh", rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    first = nn.fit(model, nn.BCEWithLogitsLoss(), x, y, optimizer=opt, epochs=2, batch_size=16, evals_per_epoch=2,
                   val=(x[:8], y[:8]), record=lambda m: {"accuracy": nn.accuracy(m, x, y[:, 0])})
    np.testing.assert_allclose(first.epoch, [0, 0.5, 1, 1.5, 2])
    np.testing.assert_array_equal(first.step, [0, 2, 4, 6, 8])
    assert first.val_loss.shape == first["accuracy"].shape == (5,)
    again = nn.fit(model, nn.BCEWithLogitsLoss(), x, y, optimizer=opt, epochs=1, batch_size=16)
    assert opt.t == 12 and again.train_loss[0] == pytest.approx(first.train_loss[-1])  # continues where it stopped
    steps = nn.fit(model, nn.BCEWithLogitsLoss(), x, y, optimizer=opt, steps=5, batch_size=8, rng=3)
    np.testing.assert_array_equal(steps.step, [0, 5]) and steps.status == "completed 5 steps"
    with pytest.raises(TypeError, match="either optimizer"):
        nn.fit(model, nn.BCEWithLogitsLoss(), x, y, optimizer=opt, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="either epochs or steps"):
        nn.fit(model, nn.BCEWithLogitsLoss(), x, y, lr=0.1)
    with pytest.raises(TypeError, match="dlmi.optim optimizer"):
        nn.fit(model, nn.BCEWithLogitsLoss(), x, y, optimizer="adam", epochs=1)


def test_fit_says_in_words_where_it_diverged_or_raises_the_shared_error():
    x = np.random.default_rng(0).normal(size=(20, 1))
    history = nn.fit(nn.Linear(1, 1, rng=0), nn.MSELoss(), x, 3 * x, lr=1.5, epochs=2000)
    assert history.diverged and re.match(r"diverged at epoch \d+: a weight reached .* lower the learning rate",
                                         history.status)
    assert np.all(np.isfinite(history.train_loss)) and len(history.train_loss) < 2001
    model = nn.mlp([1, 4, 1], "sigmoid", rng=0)
    with pytest.raises(DivergenceError, match="diverged at step"):
        nn.fit(model, nn.BCEWithLogitsLoss(), x, (x > 0).astype(float), lr=1e8, steps=50, on_divergence="raise")
    assert issubclass(DivergenceError, FloatingPointError)
    broken = nn.Linear(1, 1, rng=0)
    broken.params["W"][0, 0] = np.inf
    stopped = nn.fit(broken, nn.MSELoss(), x, x, lr=0.1, epochs=3)
    assert stopped.status.startswith("diverged at epoch 0: the outputs are no longer finite")


def test_predict_proba_and_accuracy_of_a_binary_classifier():
    model = nn.Linear(1, 1, rng=0)
    model.params["W"][...] = 1.0
    x = np.array([[-2.0], [0.0], [3.0]])
    np.testing.assert_allclose(nn.predict_proba(model, x), nn.sigmoid(x[:, 0]))
    assert nn.accuracy(model, x, np.array([0, 1, 1])) == pytest.approx(2 / 3)
