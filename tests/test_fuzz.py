"""Random NumPy programs through wengert: never a wrong number (see tests/fuzz_programs.py).

Each program runs on ndarrays (the reference, views writing through as NumPy does) and through
wengert; values must match and the gradient must equal central finite differences, or wengert
raises a clear TypeError/ValueError/RuntimeError. A failure prints the seed and the program.
"""
import pytest

from tests.fuzz_programs import generate, run_many

FAST_SEEDS = range(200)
SLOW_SEEDS = range(10_000, 12_500)


def _report(results, seeds):
    wrong = results["wrong"]
    counts = {k: len(v) for k, v in results.items()}
    head = f"{len(wrong)} of {len(seeds)} programs gave a wrong number ({counts}); first ones:\n\n"
    return head + "\n\n".join(str(o) for _, o in wrong[:3])


def _check(seeds):
    results = run_many(seeds)
    assert not results["wrong"], _report(results, seeds)
    # the fuzzer must test something: most programs run to a checked gradient
    assert len(results["ok"]) >= len(seeds) // 2, {k: len(v) for k, v in results.items()}
    assert len(results["skipped"]) <= len(seeds) // 10


def test_generated_programs_cover_the_constructs():
    text = "\n".join(generate(s).source for s in FAST_SEEDS)
    for construct in ["W.zeros(", "W.stack([", "np.concatenate([", ".T", "[::-1]", ".reshape(",
                      ".ravel()", "+= ", "*= ", "[...] = ", " @ ", "[M", "[[", "np.max(", "np.sum(",
                      "np.prod(", "axis=", "keepdims=True", ".copy()", "np.maximum("]:
        assert construct in text, construct


def test_a_program_is_reproducible_from_its_seed():
    assert generate(7).source == generate(7).source
    assert "seed 7" in generate(7).describe()


def test_fuzz_fixed_seeds():
    _check(FAST_SEEDS)


@pytest.mark.slow
def test_fuzz_many_seeds():
    _check(SLOW_SEEDS)
