"""dlmi.optim follows torch.optim step for step, and refuses bad hyperparameters by name."""

import numpy as np
import pytest
import torch

from dlmi.optim import OPTIMIZERS, SGD, Adadelta, Adagrad, Adam, RMSprop, make_optimizer

#: Every optimizer class of the registry, by class name (torch.optim's name for the same class).
CLASSES = {choice.cls.__name__: choice.cls for choice in OPTIMIZERS.values()}
SHAPES = [(3, 2), (2,), ()]


def _problem(seed=0):
    """A fixed smooth non-quadratic objective: J(θ) = Σ_k ½ θ_kᵀA_kθ_k + b_k·θ_k + 0.1 Σ sin(3θ_k)."""
    rng = np.random.default_rng(seed)
    start, mats, vecs = [], [], []
    for shape in SHAPES:
        n = int(np.prod(shape))
        Q = rng.normal(size=(n, n))
        mats.append(Q @ Q.T / n + 0.1 * np.eye(n))
        vecs.append(rng.normal(size=n))
        start.append(rng.normal(size=shape))

    def grads(params):
        return [
            (A @ p.reshape(-1) + b + 0.3 * np.cos(3 * p.reshape(-1))).reshape(p.shape)
            for p, A, b in zip(params, mats, vecs)
        ]

    return start, grads


def _trajectories(name, hyper, steps=200, seed=0):
    """Parameter trajectories of dlmi.optim and torch.optim fed the same gradient function."""
    start, grads = _problem(seed)
    ours = [p.copy() for p in start]
    opt = CLASSES[name](ours, **hyper)
    theirs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in start]
    torch_hyper = {**hyper, "lr": hyper.get("lr", opt.lr)}
    ref = getattr(torch.optim, name)(theirs, **torch_hyper)
    path_ours, path_theirs = [], []
    for _ in range(steps):
        opt.step(grads(ours))
        for p, g in zip(theirs, grads([t.detach().numpy() for t in theirs])):
            p.grad = torch.from_numpy(g)
        ref.step()
        path_ours.append(np.concatenate([p.ravel() for p in ours]))
        path_theirs.append(np.concatenate([t.detach().numpy().ravel() for t in theirs]))
    return np.array(path_ours), np.array(path_theirs)


CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.03, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.3}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-4, "weight_decay": 0.1}),
    ("RMSprop", {}),
    # (lr=0.005, alpha=0.9, momentum=0.7 ends in a chaotic limit cycle that amplifies the
    # 1-ulp rounding differences between numpy and torch to 1e-8: a property of the dynamics)
    ("RMSprop", {"lr": 0.002, "alpha": 0.9, "momentum": 0.7}),
    ("RMSprop", {"lr": 0.003, "centered": True}),
    ("RMSprop", {"lr": 0.003, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-6}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "betas": (0.0, 0.9), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
]


@pytest.mark.parametrize("name,hyper", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch_over_200_steps(name, hyper):
    ours, theirs = _trajectories(name, hyper)
    assert np.isfinite(ours).all()
    moved = np.abs(ours[-1] - ours[0]).max()
    assert moved > 1e-3, "the trajectory barely moves: the comparison would prove nothing"
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_defaults_are_torchs(name):
    import inspect

    ours = inspect.signature(CLASSES[name]).parameters
    torch_cls = getattr(torch.optim, name)
    theirs = inspect.signature(torch_cls).parameters
    for key, param in ours.items():
        if key == "params":
            continue
        assert key in theirs, f"{name}: {key} is not a torch.optim hyperparameter"
        assert param.default == theirs[key].default, f"{name}.{key}: {param.default} != torch's {theirs[key].default}"


def test_sgd_on_a_quadratic_is_plain_gradient_descent():
    w = np.array([3.0, -1.0])
    SGD([w], lr=0.1).step([2 * w])
    np.testing.assert_allclose(w, [3.0 - 0.6, -1.0 + 0.2])


def test_params_are_updated_in_place_and_float32_stays_float32():
    w = np.ones((2, 2), dtype=np.float32)
    alias = w
    Adam([w], lr=0.1).step([np.ones((2, 2))])
    assert alias is w and w.dtype == np.float32
    np.testing.assert_allclose(w, 0.9, rtol=1e-6)


def test_momentum_reaches_a_quadratic_minimum_faster_than_plain_gd():
    def steps_to_converge(momentum):
        w = np.array([10.0, 1.0])
        opt = SGD([w], lr=0.02, momentum=momentum)
        for k in range(1, 2000):
            opt.step([np.array([1.0, 25.0]) * w])
            if np.abs(w).max() < 1e-3:
                return k
        return None

    plain, heavy = steps_to_converge(0.0), steps_to_converge(0.8)
    assert plain is not None and heavy is not None and heavy < plain / 2


def test_zero_state_and_state_dict_round_trip():
    start, grads = _problem()
    a = [p.copy() for p in start]
    opt = Adam(a, lr=0.05)
    for _ in range(5):
        opt.step(grads(a))
    saved, saved_params = opt.state_dict(), [p.copy() for p in a]
    opt.step(grads(a))
    after_one = [p.copy() for p in a]

    b = [p.copy() for p in saved_params]
    other = Adam(b, lr=0.5)
    other.load_state_dict(saved)
    assert other.lr == 0.05 and other.t == 5
    other.step(grads(b))
    for x, y in zip(after_one, b):
        np.testing.assert_allclose(x, y, atol=1e-14)

    opt.zero_state()
    assert opt.t == 0 and all(not s for s in opt.state)
    assert "Adam(lr=0.05" in repr(opt)


@pytest.mark.parametrize("cls", list(CLASSES.values()))
def test_load_state_dict_refuses_another_optimiser_or_other_shapes(cls):
    start, grads = _problem()
    params = [p.copy() for p in start]
    opt = cls(params, lr=0.01)
    opt.step(grads(params))
    saved = opt.state_dict()
    cls([p.copy() for p in start], lr=0.01).load_state_dict(saved)  # the same class and shapes: fine
    other = SGD if cls is not SGD else Adam
    with pytest.raises(ValueError, match=f"comes from {cls.__name__}"):
        other([p.copy() for p in start], lr=0.01).load_state_dict(saved)
    if any(saved["state"]):
        with pytest.raises(ValueError, match="has shape"):
            cls([np.zeros(p.size + 1) for p in start], lr=0.01).load_state_dict(saved)
    with pytest.raises(TypeError, match="state_dict must be a dict"):
        opt.load_state_dict({"t": 1})


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda w: SGD(w, lr=-0.1), "lr"),
        (lambda w: SGD(w, lr=0.1, momentum=1.2), "momentum"),
        (lambda w: SGD(w, lr=0.1, momentum=-0.1), "momentum"),
        (lambda w: SGD(w, lr=0.1, dampening=2.0), "dampening"),
        (lambda w: SGD(w, lr=0.1, nesterov=True), "nesterov"),
        (lambda w: SGD(w, lr=0.1, weight_decay=-1.0), "weight_decay"),
        (lambda w: Adagrad(w, lr_decay=-1.0), "lr_decay"),
        (lambda w: Adagrad(w, initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda w: Adadelta(w, rho=1.0), "rho"),
        (lambda w: RMSprop(w, alpha=1.5), "alpha"),
        (lambda w: RMSprop(w, eps=-1e-8), "eps"),
        (lambda w: Adam(w, betas=(1.0, 0.999)), "beta1"),
        (lambda w: Adam(w, betas=(0.9, -0.1)), "beta2"),
        (lambda w: Adam(w, lr=float("nan")), "lr"),
    ],
)
def test_bad_hyperparameters_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make([np.zeros(2)])


def test_bad_types_name_the_argument():
    with pytest.raises(TypeError, match="params"):
        SGD(np.zeros(3), lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\]"):
        SGD([np.zeros(3), [1.0, 2.0]], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\].*float"):
        SGD([np.zeros(3, dtype=int)], lr=0.1)
    with pytest.raises(ValueError, match="params"):
        SGD([], lr=0.1)
    w = np.zeros(2)
    with pytest.raises(ValueError, match="twice"):
        SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match="betas"):
        Adam([w], betas=0.9)
    with pytest.raises(TypeError, match="amsgrad"):
        Adam([w], amsgrad="yes")
    with pytest.raises(TypeError, match="lr"):
        SGD([w], lr="0.1")


def test_mismatched_grads_raise_and_leave_params_untouched():
    w, b = np.ones((2, 3)), np.ones(3)
    opt = Adam([w, b], lr=0.1)
    with pytest.raises(ValueError, match="one gradient per parameter"):
        opt.step([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"grads\[1\].*shape"):
        opt.step([np.ones((2, 3)), np.ones(4)])
    with pytest.raises(ValueError, match=r"grads\[0\].*diverged"):
        opt.step([np.full((2, 3), np.nan), np.ones(3)])
    with pytest.raises(TypeError, match="grads"):
        opt.step(np.ones(3))
    assert opt.t == 0
    np.testing.assert_array_equal(w, 1.0)
    np.testing.assert_array_equal(b, 1.0)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_update_rule_shows_the_equation_and_the_code_of_step(name):
    from dlmi.optim import update_rule

    text = update_rule(CLASSES[name])
    assert text.count("$$") == 2 and r"\begin{aligned}" in text and r"\theta_t" in text
    assert "```python\ndef step(self, grads" in text and ":math:" not in text and "``" not in text.replace("```", "")


def test_update_rule_refuses_what_is_not_an_optimiser():
    from dlmi.optim import Optimizer, update_rule

    for bad in (Adam([np.zeros(1)]), Optimizer, dict):
        with pytest.raises(TypeError, match="optimizer"):
            update_rule(bad)


def test_the_registry_names_each_optimizer_once_with_its_fixed_hyperparameters():
    assert list(OPTIMIZERS) == ["gd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"]
    assert set(CLASSES) == {"SGD", "Adagrad", "Adadelta", "RMSprop", "Adam"}
    w = np.zeros(2)
    momentum = make_optimizer("momentum", [w], lr=0.1)
    assert isinstance(momentum, SGD) and momentum.momentum == 0.9 and not momentum.nesterov
    assert make_optimizer("nesterov", [w], lr=0.1, momentum=0.5).nesterov
    assert make_optimizer("gd", [w], lr=0.1).momentum == 0.0
    assert OPTIMIZERS["rmsprop"].label == "RMSprop" and OPTIMIZERS["gd"].label == "GD"
    with pytest.raises(ValueError, match="optimizer 'gd' fixes momentum=0.0.*'momentum' for momentum > 0"):
        make_optimizer("gd", [w], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="name must be one of"):
        make_optimizer("lbfgs", [w])
