"""The pins for Binder (environment.yml) and for pip/CI (requirements.lock) must agree."""

from helpers.build.envfile import BINDER_EXTRAS, environment_pins, lock_pins, write_environment


def test_environment_yml_matches_lock_plus_binder_extras():
    lock, env = {**BINDER_EXTRAS, **lock_pins()}, environment_pins()
    assert lock, "requirements.lock has no pins"
    missing = sorted(set(lock) - set(env))
    extra = sorted(set(env) - set(lock))
    differ = sorted(n for n in set(lock) & set(env) if lock[n] != env[n])
    assert not (missing or extra or differ), f"missing={missing} extra={extra} differ={differ}"


def test_every_lock_line_is_an_exact_pin():
    assert all(v for v in lock_pins().values()), "a lock line lacks '==version'"


def test_a_disagreement_is_detected(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("pandas==3.1.1\nnumpy==2.4.6\n")
    env = tmp_path / "environment.yml"
    write_environment(lock, env)
    assert environment_pins(env) == {**BINDER_EXTRAS, **lock_pins(lock)}
    lock.write_text("pandas==3.1.2\nnumpy==2.4.6\n")
    assert environment_pins(env) != {**BINDER_EXTRAS, **lock_pins(lock)}


def test_jupyter_book_stays_on_1x():
    # 2.x downloads its theme at build time and cannot build offline.
    assert lock_pins()["jupyter-book"].startswith("1.")


def test_binder_gets_jupyterlab_with_myst_rendering():
    env = environment_pins()
    for name in ("jupyterlab", "jupyterlab-myst", "jupytext", "nbconvert"):
        assert env.get(name), f"environment.yml lacks a pin for {name}"
