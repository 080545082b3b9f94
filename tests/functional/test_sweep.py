"""Removing a job's work folder: thorough, and never raising (cleanup must not kill a zygote)."""

import os
import stat

from verifier.sandbox.runner.sweep import remove_tree


def test_removes_a_tree_whose_permissions_were_taken_away(tmp_path):
    work = tmp_path / "job"
    (work / "a" / "b").mkdir(parents=True)
    (work / "a" / "b" / "f").write_text("x")
    os.chmod(work / "a" / "b", 0)
    os.chmod(work / "a", stat.S_IXUSR)
    remove_tree(str(work))
    assert not work.exists()


def test_a_folder_already_gone_is_fine(tmp_path):
    remove_tree(str(tmp_path / "never-made"))


def test_never_loosens_what_lies_outside_the_work_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.chmod(outside, 0o500)
    try:
        remove_tree(str(outside / "job"))
        assert stat.S_IMODE(outside.stat().st_mode) == 0o500
    finally:
        os.chmod(outside, 0o700)
