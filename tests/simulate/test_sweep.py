import numpy as np
import pytest

from escalade.scenario import ScenarioError, load, override
from escalade.scenario.override import knock_out
from escalade.simulate import sample_parameters, solve_draws, solve_variants
from escalade.simulate.backends import chunk_starts
from escalade.simulate.runs import analysis_tree


@pytest.fixture(scope="module")
def flagship():
    return load("dprk_russia_2024")


@pytest.mark.parametrize("method", ["sobol", "mc"])
def test_the_same_seed_gives_the_same_draws(flagship, method):
    a = sample_parameters(flagship, 100, seed=3, method=method)
    b = sample_parameters(flagship, 100, seed=3, method=method)
    c = sample_parameters(flagship, 100, seed=4, method=method)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


def test_draws_follow_each_distribution(flagship):
    values = sample_parameters(flagship, 4096, seed=1)
    for name, param in flagship.parameters.items():
        assert values[name].mean() == pytest.approx(param.mean(), rel=0.02, abs=0.01), name
    beta = values["p_reveal_combat"]
    assert beta.min() >= 0 and beta.max() <= 1


def test_a_batch_equals_a_loop_of_single_draws_exactly(flagship):
    values = sample_parameters(flagship, 12, seed=2)
    tree = analysis_tree(flagship)
    for policy in (None, "deterrence"):
        batch = solve_draws(flagship, values, policy, tree=tree, chunk=5)
        for k in range(12):
            single = solve_draws(flagship, {n: v[k : k + 1] for n, v in values.items()}, policy, tree=tree)
            if policy is None:  # the West's information set is solved by a traced QRE: to tolerance
                np.testing.assert_allclose(batch.outcome_probs[k], single.outcome_probs[0], atol=1e-7)
            else:
                np.testing.assert_array_equal(batch.outcome_probs[k], single.outcome_probs[0])


def test_process_pool_and_chunking_do_not_change_the_numbers(flagship):
    values = sample_parameters(flagship, 64, seed=5)
    here = solve_draws(flagship, values, "escalation_management", chunk=64)
    pooled = solve_draws(flagship, values, "escalation_management", chunk=10, workers=2)
    np.testing.assert_array_equal(here.outcome_probs, pooled.outcome_probs)
    np.testing.assert_array_equal(here.actor_values, pooled.actor_values)


@pytest.mark.parametrize(
    ("n", "chunk", "workers"), [(1, 1024, 2), (7, 1024, 2), (4096, 1024, 2), (1000, 64, 3), (5, 2, 8)]
)
def test_chunks_cover_every_draw_once_and_keep_every_worker_busy(n, chunk, workers):
    bounds = chunk_starts(n, chunk, workers)
    covered = np.concatenate([np.arange(start, stop) for start, stop in bounds])
    np.testing.assert_array_equal(covered, np.arange(n))
    assert max(stop - start for start, stop in bounds) <= chunk
    assert len(bounds) >= min(n, workers)


def test_a_pool_kept_between_jobs_gives_the_same_numbers_job_after_job(flagship):
    values = sample_parameters(flagship, 30, seed=8)
    here = solve_draws(flagship, values, chunk=1024)
    for _ in range(2):  # the second job reuses the first one's processes
        pooled = solve_draws(flagship, values, chunk=1024, workers=2)
        np.testing.assert_array_equal(here.outcome_probs, pooled.outcome_probs)


def test_a_dask_cluster_gives_the_local_numbers(flagship):
    distributed = pytest.importorskip("distributed")
    values = sample_parameters(flagship, 48, seed=6)
    local = solve_draws(flagship, values, "deterrence", chunk=16)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = solve_draws(flagship, values, "deterrence", chunk=16, scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(local.outcome_probs, remote.outcome_probs)


def test_pinning_and_ranging_parameters(flagship):
    changed = override(flagship, {"p_reveal_combat": 0.25}, {"audience_cost": (2.0, 4.0)})
    values = sample_parameters(changed, 256, seed=1)
    assert np.all(values["p_reveal_combat"] == 0.25)
    assert values["audience_cost"].min() >= 2.0 and values["audience_cost"].max() <= 4.0
    assert "pinned by the user" in changed.parameters["p_reveal_combat"].source


def test_overriding_an_unknown_parameter_names_the_known_ones(flagship):
    with pytest.raises(ScenarioError, match="no parameter 'p_reveal'"):
        override(flagship, {"p_reveal": 0.5})


def test_variants_solved_together_on_two_workers_equal_each_solved_alone(flagship):
    # a claim's knockouts: each variant's chunks are cut alike however many workers share them, and each
    # chunk's result is copied into its place in its own variant's runs
    values = sample_parameters(flagship, 40, seed=9)
    tree = analysis_tree(flagship)
    variants = [(flagship, values), *(knock_out(flagship, [name], values) for name in list(flagship.mechanisms)[:2])]
    courses = [(None, {}), ("deterrence", {})]
    together = list(solve_variants([(s, v, courses) for s, v in variants], tree, chunk=16, workers=2, ahead=3))
    for (scenario, draws), runs in zip(variants, together, strict=True):
        (alone,) = solve_variants([(scenario, draws, courses)], tree, chunk=16)
        for a, b in zip(runs, alone, strict=True):
            for field in ("outcome_probs", "actor_values", "profile", "reached", "tied", "terminal_events"):
                np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        (whole,) = solve_variants([(scenario, draws, courses)], tree, chunk=len(values["rationality"]))
        for a, b in zip(runs, whole, strict=True):  # one chunk: each draw where it belongs (QRE to tolerance)
            np.testing.assert_allclose(a.outcome_probs, b.outcome_probs, atol=1e-7)
    assert not np.array_equal(together[0][0].outcome_probs, together[1][0].outcome_probs)  # variants differ
