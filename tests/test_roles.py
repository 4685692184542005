"""Roles on staff accounts: the file format, the CLI, and the check pages use (``require_role``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from assistant.errors import AccessDeniedError, ConfigError, RoleRequiredError
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.auth import NOT_LOGGED_IN, Role, StaffAccounts, add_account, verify_login
from assistant.web.staff import StaffHandlers, build_staff_blocks

PASSWORD = "rollen-test-wachtwoord-2026"


def staff_cli(staff_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_STAFF_FILE": str(staff_file), "VB_TEST_PW": PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "staff", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_account_file_without_roles_keeps_working_as_medewerker(tmp_path: Path) -> None:
    """Catches: old ``name:hash`` lines losing access, or being read with more rights than before."""
    staff_file = tmp_path / "staff.txt"
    add_account(staff_file, "anna", PASSWORD)
    name, digest, _roles = staff_file.read_text(encoding="utf-8").strip().split(":")
    staff_file.write_text(f"{name}:{digest}\n", encoding="utf-8")  # the format before roles
    accounts = StaffAccounts(staff_file)
    assert accounts.get("anna") is not None
    assert accounts.get("anna").roles == {Role.MEDEWERKER}  # type: ignore[union-attr]
    assert verify_login(staff_file, "anna", PASSWORD) == "anna"
    assert accounts.require_role(gr.Request(username="anna"), Role.MEDEWERKER).name == "anna"
    with pytest.raises(RoleRequiredError):
        accounts.require_role(gr.Request(username="anna"), Role.BEHEERDER)
    # A changed password keeps the roles; the line is rewritten in the new format.
    accounts.add("anna", PASSWORD + "-nieuw")
    assert staff_file.read_text(encoding="utf-8").strip().endswith(":medewerker")


def test_cli_adds_several_roles_and_changes_them(tmp_path: Path) -> None:
    staff_file = tmp_path / "staff.txt"
    done = staff_cli(
        staff_file, "add", "bea", "--password-env", "VB_TEST_PW", "--role", "beheerder", "--role", "evaluator"
    )
    assert done.returncode == 0, done.stderr
    assert StaffAccounts(staff_file).get("bea").roles == {Role.BEHEERDER, Role.EVALUATOR}  # type: ignore[union-attr]
    assert stat.S_IMODE(staff_file.stat().st_mode) == 0o600
    assert staff_cli(staff_file, "add", "cas", "--password-env", "VB_TEST_PW").returncode == 0
    listed = staff_cli(staff_file, "list").stdout.splitlines()
    assert listed == ["bea\tbeheerder, evaluator", "cas\tmedewerker"]

    # A new password without --role keeps the roles; `roles` replaces them.
    assert staff_cli(staff_file, "add", "bea", "--password-env", "VB_TEST_PW").returncode == 0
    assert StaffAccounts(staff_file).get("bea").roles == {Role.BEHEERDER, Role.EVALUATOR}  # type: ignore[union-attr]
    changed = staff_cli(staff_file, "roles", "bea", "medewerker", "beheerder")
    assert changed.returncode == 0 and changed.stdout.strip() == "bea: beheerder, medewerker"
    assert staff_cli(staff_file, "roles", "cas").stdout.strip() == "cas: medewerker"
    assert verify_login(staff_file, "bea", PASSWORD) == "bea"  # the hash survived the role change

    # Mistakes give a Dutch message and change nothing.
    before = staff_file.read_bytes()
    wrong = staff_cli(staff_file, "roles", "bea", "baas")
    assert wrong.returncode == 2 and "onbekende rol 'baas'" in wrong.stderr and "evaluator" in wrong.stderr
    missing = staff_cli(staff_file, "roles", "niemand", "evaluator")
    assert missing.returncode == 2 and "geen account 'niemand'" in missing.stderr
    assert staff_file.read_bytes() == before


def test_require_role_checks_the_file_on_every_call(tmp_path: Path) -> None:
    """Catches: roles taken from the browser, cached past a change, or a missing login treated as a role."""
    accounts = StaffAccounts(tmp_path / "staff.txt")
    accounts.add("eva", PASSWORD, [Role.EVALUATOR])
    eva = gr.Request(username="eva")
    assert accounts.require_role(eva, Role.EVALUATOR).roles == {Role.EVALUATOR}
    assert accounts.roles(eva) == {Role.EVALUATOR}
    with pytest.raises(RoleRequiredError) as refused:
        accounts.require_role(eva, Role.BEHEERDER)
    assert refused.value.role == "beheerder" and "rol 'beheerder'" in str(refused.value)
    accounts.set_roles("eva", [Role.BEHEERDER])
    assert accounts.require_role(eva, Role.BEHEERDER).name == "eva"
    with pytest.raises(RoleRequiredError):
        accounts.require_role(eva, Role.EVALUATOR)
    for nobody in (None, gr.Request(username=None), gr.Request(username="mallory"), gr.Request(username="EVA")):
        with pytest.raises(AccessDeniedError) as info:
            accounts.require_role(nobody, Role.MEDEWERKER)
        assert not isinstance(info.value, RoleRequiredError) and str(info.value) == NOT_LOGGED_IN
        assert accounts.roles(nobody) == frozenset()
    with pytest.raises(ConfigError):
        accounts.set_roles("eva", [])
    assert accounts.remove("eva")
    with pytest.raises(AccessDeniedError):
        accounts.require_role(eva, Role.BEHEERDER)


def test_the_triage_page_needs_the_medewerker_role(tmp_path: Path) -> None:
    """An evaluator-only account logs in but reads no triage data; a medewerker does."""
    staff_file = tmp_path / "staff.txt"
    accounts = StaffAccounts(staff_file)
    accounts.add("eva", PASSWORD, [Role.EVALUATOR])
    accounts.add("mo", PASSWORD)
    settings = Settings().replace(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", staff_file=staff_file)
    handlers = StaffHandlers(settings, export_dir=tmp_path / "exports")
    build_staff_blocks(handlers)
    with pytest.raises(gr.Error) as refused:
        handlers.whoami(gr.Request(username="eva"))
    assert "rol 'medewerker'" in str(refused.value.message)
    with pytest.raises(RoleRequiredError):
        handlers.user(gr.Request(username="eva"))
    assert handlers.user(gr.Request(username="mo")) == "mo"
    assert handlers.colleagues() == ["mo"]  # requests are assigned to medewerkers only
