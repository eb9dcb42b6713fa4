"""Why play goes as it does: paths across draws, choices two policies change, beliefs, and ties."""

import dataclasses
import textwrap

import numpy as np
import pytest

from escalade.analyze import beliefs, differing_choices, full_profile, path_shares, tie_report, tie_shares
from escalade.game import compile_game, policy_profile, script
from escalade.scenario import loads
from escalade.simulate import reached_sets, tie_labels, tied_nodes
from escalade.solve import solve_spe

# Nature makes the sender strong (prior) or weak; the sender blusters or keeps quiet; the receiver
# hears only the message. Resisting pays the receiver 1 against a weak sender, -1 against a strong
# one; yielding pays it 0. The sender gains 1 when the receiver yields; blustering gains a strong
# sender 2 (so it always blusters) and costs a weak one ``weak_cost`` (negative: a gain).
SIGNALLING = textwrap.dedent(
    """\
    name: signalling
    title: Bluster or keep quiet
    actors:
      - {id: S, name: Sender, utility: {s: 1}}
      - {id: R, name: Receiver, utility: {r: 1}}
    attributes:
      s: sender's payoff
      r: receiver's payoff
    parameters:
      prior: {dist: fixed, value: 0.3, doc: chance the sender is strong, source: test}
      weak_cost: {dist: fixed, value: 2, doc: what blustering costs a weak sender, source: test}
    root: nature
    nodes:
      nature:
        chance:
          strong: {p: prior, next: strong_sender}
          weak: {p: 1 - prior, next: weak_sender}
      strong_sender:
        actor: S
        actions:
          bluster: {next: strong_blustered, effects: {s: 2}}
          quiet: strong_quiet
      weak_sender:
        actor: S
        actions:
          bluster: {next: weak_blustered, effects: {s: -weak_cost}}
          quiet: weak_quiet
      strong_blustered:
        actor: R
        infoset: heard_bluster
        actions: {yield: {next: end, effects: {s: 1}}, resist: {next: end, effects: {r: -1}}}
      weak_blustered:
        actor: R
        infoset: heard_bluster
        actions: {yield: {next: end, effects: {s: 1}}, resist: {next: end, effects: {r: 1}}}
      strong_quiet:
        actor: R
        infoset: heard_quiet
        actions: {yield: {next: end, effects: {s: 1}}, resist: {next: end, effects: {r: -1}}}
      weak_quiet:
        actor: R
        infoset: heard_quiet
        actions: {yield: {next: end, effects: {s: 1}}, resist: {next: end, effects: {r: 1}}}
      end: {outcome: {}}
    """
)

# A pushes or waits; after a push B accepts or resists, and B is exactly indifferent (0 either
# way) while A gets ``gain`` from acceptance and -1 from resistance.
TIED = textwrap.dedent(
    """\
    name: tied
    title: A responder without a preference
    actors:
      - {id: A, name: Challenger, utility: {a: 1}}
      - {id: B, name: Defender, utility: {b: 1}}
    attributes:
      a: A's payoff
      b: B's payoff
    parameters:
      gain: {dist: uniform, low: -1, high: 1, doc: A's gain when B accepts, source: test}
    root: start
    nodes:
      start:
        actor: A
        actions:
          push: reply
          wait: end
      reply:
        actor: B
        actions:
          accept: {next: end, effects: {a: gain}}
          resist: {next: end, effects: {a: -1}}
      end: {outcome: {}}
    """
)

# A opens (talking costs it 5, so it always threatens); B concedes (0) or resists; then A fights
# (B gets -1) or backs down (B gets 1). The policies script A's showdown only.
SHOWDOWN = textwrap.dedent(
    """\
    name: showdown
    title: A scripted showdown
    actors:
      - {id: A, name: Challenger, utility: {a: 1}}
      - {id: B, name: Defender, utility: {b: 1}}
    attributes:
      a: A's payoff
      b: B's payoff
    parameters:
      stake: {dist: uniform, low: 1, high: 2, doc: what A wins by a concession, source: test}
    root: open
    nodes:
      open:
        actor: A
        actions:
          talk: {next: end, effects: {a: -5}}
          threaten: respond
      respond:
        actor: B
        actions:
          concede: {next: end, effects: {a: stake}}
          resist: showdown
      showdown:
        actor: A
        actions:
          fight: {next: end, effects: {b: -1}}
          back_down: {next: end, effects: {b: 1, a: -1}}
      end: {outcome: {}}
    policies:
      hawk: {actor: A, choose: {showdown: fight}}
      dove: {actor: A, choose: {showdown: back_down}}
    """
)

# Nature alone: calm (p) or a crisis, which ends in war or peace with equal chance.
NATURE = textwrap.dedent(
    """\
    name: nature
    title: Nature alone
    actors:
      - {id: A, name: Bystander, utility: {a: 1}}
    attributes:
      a: A's payoff
    parameters:
      p: {dist: uniform, low: 0, high: 1, doc: chance of calm, source: test}
    root: start
    nodes:
      start:
        chance:
          calm: {p: p, next: end}
          crisis: {p: 1 - p, next: course}
      course:
        chance:
          war: {p: 0.5, next: end}
          peace: {p: 0.5, next: end}
      end: {outcome: {}}
    """
)


def signalling(weak_cost: float):
    return solve_spe(compile_game(loads(SIGNALLING), {"prior": 0.3, "weak_cost": weak_cost}))


def by_infoset(rows):
    return {row.infoset: row for row in rows}


# --- path_shares ---------------------------------------------------------------------------


def test_path_shares_average_the_draws_and_count_single_leaders():
    game = compile_game(loads(NATURE), {"p": [0.6, 0.2]})
    probs = solve_spe(game).outcome_probs  # draw 0: calm .6, war .2, peace .2; draw 1: .2, .4, .4
    rows = path_shares(game.tree, probs, top=2)
    assert [row.moves for row in rows] == [["chance: calm"], ["chance: crisis", "chance: war"]]
    assert [row.mean for row in rows] == pytest.approx([0.4, 0.3])
    # war and peace tie for the lead in draw 1, so neither is the single most probable path
    assert [row.modal_share for row in rows] == [0.5, 0.0]
    assert (rows[0].low, rows[0].high) == pytest.approx((0.22, 0.58))  # 5% and 95% between .2 and .6


def test_path_shares_means_are_the_mean_outcome_probabilities():
    game = compile_game(loads(NATURE), {"p": [0.1, 0.5, 0.9]})
    probs = solve_spe(game).outcome_probs
    rows = path_shares(game.tree, probs)
    expected = np.sort(probs.mean(axis=0))[::-1]
    assert [row.mean for row in rows] == pytest.approx(expected.tolist())


# --- beliefs -------------------------------------------------------------------------------


def test_a_pooling_message_leaves_the_prior_as_the_belief():
    rows = by_infoset(beliefs(signalling(weak_cost=-2.0)))  # blustering pays both types
    heard = rows["heard_bluster"]
    assert heard.verdict == "pools"
    assert heard.belief == pytest.approx([0.3, 0.7])
    assert heard.reach == pytest.approx(1.0)
    assert heard.types == ["strong", "weak"]
    assert heard.histories == [["chance: strong", "S: bluster"], ["chance: weak", "S: bluster"]]


def test_a_message_nobody_sends_is_unreached_with_no_belief():
    quiet = by_infoset(beliefs(signalling(weak_cost=-2.0)))["heard_quiet"]
    assert quiet.verdict == "unreached"
    assert quiet.reach == 0.0
    assert np.isnan(quiet.belief).all()
    assert quiet.types == []


def test_separating_messages_reveal_the_type():
    rows = by_infoset(beliefs(signalling(weak_cost=2.0)))  # only the strong type blusters
    assert set(rows) == {"heard_bluster", "heard_quiet"}  # the sender's one-node sets are left out
    assert rows["heard_bluster"].verdict == "separates"
    assert rows["heard_bluster"].belief == pytest.approx([1.0, 0.0])
    assert rows["heard_bluster"].types == ["strong"]
    assert rows["heard_quiet"].verdict == "separates"
    assert rows["heard_quiet"].belief == pytest.approx([0.0, 1.0])
    assert rows["heard_quiet"].types == ["weak"]


def test_a_scripted_mixed_message_gives_the_bayes_posterior():
    scenario = loads(SIGNALLING + "policies:\n  mixed: {actor: S, choose: {weak_sender: {bluster: 0.5, quiet: 0.5}}}\n")
    game = compile_game(scenario, {"prior": 0.3, "weak_cost": 2.0})
    solution = solve_spe(script(game, policy_profile(scenario, game.tree, "mixed")))
    heard = by_infoset(beliefs(solution))["heard_bluster"]
    # strong blusters (0.3), weak half the time (0.35): posterior 0.3 / 0.65 strong
    assert heard.verdict == "pools"
    assert heard.belief == pytest.approx([0.3 / 0.65, 0.35 / 0.65])


# --- ties ----------------------------------------------------------------------------------


def test_backward_induction_flags_the_node_where_it_broke_a_tie():
    solution = solve_spe(compile_game(loads(TIED), {"gain": [1.0, -0.5]}))
    tree = solution.game.tree
    reply = tree.node_labels.index("reply")
    assert solution.ties[:, reply].tolist() == [True, True]
    assert not solution.ties[:, np.arange(tree.n_nodes) != reply].any()  # A strictly prefers


def test_tie_report_gives_the_tied_alternative_on_reached_nodes_only():
    solution = solve_spe(compile_game(loads(TIED), {"gain": [1.0, -0.5]}))
    # draw 0: A pushes and B accepts (first listed); draw 1: A waits, so the tie is off the path
    (row,) = tie_report(solution)
    assert (row.actor, row.node, row.history) == ("B", "reply", ["A: push"])
    assert (row.chosen, row.alternative) == ("accept", "resist")
    assert row.share == 0.5
    assert row.reach == 1.0
    assert row.chosen_values == pytest.approx({"A": 1.0, "B": 0.0})
    assert row.alternative_values == pytest.approx({"A": -1.0, "B": 0.0})


def test_a_sweep_keeps_per_scenario_node_whether_a_tie_was_broken_where_play_went():
    # draw 0: A pushes and B's tie is broken on the path; draw 1: A waits, so the tie at reply is off it
    solution = solve_spe(compile_game(loads(TIED), {"gain": [1.0, -0.5]}))
    tree = solution.game.tree
    tied = tied_nodes(tree, solution.ties, solution.reach)
    labels = tie_labels(tree)
    assert tied[:, labels.index("reply")].tolist() == [True, False]
    assert not np.delete(tied, labels.index("reply"), axis=1).any()
    assert tie_shares(tree, tied) == {"reply": 0.5}


def test_tie_report_needs_a_solution_that_records_ties():
    solution = solve_spe(compile_game(loads(TIED), {"gain": 1.0}))
    with pytest.raises(ValueError, match="does not record ties"):
        tie_report(dataclasses.replace(solution, ties=None))


def test_ties_inside_an_information_set_subgame_are_not_flagged():
    # the receiver's sets are solved together by the QRE limit, not node by node
    solution = signalling(weak_cost=2.0)
    assert solution.ties is not None
    assert not solution.ties.any()


# --- differing_choices ---------------------------------------------------------------------


def test_two_policies_change_exactly_the_responders_choice():
    scenario = loads(SHOWDOWN)
    game = compile_game(scenario, {"stake": [1.0, 1.5, 2.0]})
    solved = {}
    for policy in ("hawk", "dove"):
        fixed = policy_profile(scenario, game.tree, policy)
        solution = solve_spe(script(game, fixed))
        solved[policy] = (full_profile(solution.profile, fixed), reached_sets(game.tree, solution.reach))
    (row,) = differing_choices(game.tree, solved["hawk"][0], solved["dove"][0], solved["hawk"][1], solved["dove"][1])
    assert (row.actor, row.infoset) == ("B", "respond")
    assert (row.action_a, row.action_b) == ("concede", "resist")
    assert row.share_differing == 1.0
    assert row.share_reached == 1.0


def test_a_mixed_choice_that_barely_tips_is_no_difference():
    tree = compile_game(loads(TIED), {"gain": 1.0}).tree
    a = np.array([[1.0, 0.0, 0.51, 0.49]])  # A pushes; B's reply tips from accept ...
    b = np.array([[1.0, 0.0, 0.49, 0.51]])  # ... to resist
    reached = reached_sets(tree, np.ones((1, tree.n_nodes)))
    assert differing_choices(tree, a, b, reached, reached) == []
    (row,) = differing_choices(tree, a, b, reached, reached, threshold=0.0)
    assert (row.infoset, row.action_a, row.action_b) == ("reply", "accept", "resist")


def test_a_choice_off_the_path_under_both_policies_does_not_count():
    tree = compile_game(loads(TIED), {"gain": 1.0}).tree
    a = np.array([[0.0, 1.0, 1.0, 0.0]])
    b = np.array([[0.0, 1.0, 0.0, 1.0]])
    reach = np.ones((1, tree.n_nodes))
    reach[0, tree.node_labels.index("reply")] = 0.0
    reached = reached_sets(tree, reach)
    assert not reached.all()
    assert differing_choices(tree, a, b, reached, reached) == []
