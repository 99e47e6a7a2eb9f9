"""deploy/: systemd units verified by systemd-analyze, the compose file's structure, the
screen launcher's flags and crash restart (with a stand-in browser)."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.support import DEPLOY, need

UNITS = sorted(p.name for p in (DEPLOY / "systemd").iterdir() if p.suffix in {".service", ".timer"})


def _stub(path: Path) -> None:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


def _installed_copy(tmp: Path) -> Path:
    """The units as installed, with /opt/sira's programs replaced by stand-ins that exist."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    for name in ("sira", "sira-agent", "sira-backup", "sira-screen"):
        _stub(bin_dir / name)
    units = tmp / "units"
    units.mkdir()
    for src in [*(DEPLOY / "systemd").iterdir(), DEPLOY / "kiosk" / "sira-screen@.service"]:
        if src.suffix not in {".service", ".timer"}:
            continue
        text = src.read_text()
        text = text.replace("/opt/sira/.venv/bin/", f"{bin_dir}/")
        text = text.replace("/opt/sira/deploy/backup/sira-backup", f"{bin_dir}/sira-backup")
        text = text.replace("/opt/sira/deploy/kiosk/sira-screen", f"{bin_dir}/sira-screen")
        (units / src.name).write_text(text)
    # Template units are verified through an instance.
    (units / "sira@8001.service").write_text((units / "sira@.service").read_text())
    (units / "sira-screen@display.service").write_text((units / "sira-screen@.service").read_text())
    return units


def test_systemd_units_verify(tmp_path: Path) -> None:
    tool = need("systemd-analyze")
    units = _installed_copy(tmp_path)
    names = [
        "sira@8001.service",
        "sira-migrate.service",
        "sira-agent.service",
        "sira-purge.service",
        "sira-purge.timer",
        "sira-backup.service",
        "sira-backup.timer",
    ]
    r = subprocess.run(
        [tool, "verify", *names], cwd=units, capture_output=True, text=True, timeout=60
    )
    # verify exits 0 on unknown keys and only warns: any output at all is a finding.
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr
    assert r.stdout.strip() == "", r.stdout


def test_systemd_units_parse_and_say_what_they_run() -> None:
    """Without systemd-analyze too: every unit parses and runs the documented command."""
    for name in UNITS:
        cp = configparser.ConfigParser(strict=True, interpolation=None)
        cp.optionxform = str  # type: ignore[assignment,method-assign]
        cp.read(DEPLOY / "systemd" / name)
        assert "Unit" in cp, name
        if name.endswith(".timer"):
            assert cp["Timer"]["OnCalendar"]
            assert cp["Timer"]["Persistent"] in ("yes", "true")
    server = _unit("sira@.service")
    assert server["Service"]["ExecStart"].endswith("sira serve --host 127.0.0.1 --port %i")
    assert server["Service"]["Restart"] == "always"
    assert "sira-migrate.service" in server["Unit"]["Requires"]
    agent = _unit("sira-agent.service")
    assert agent["Service"]["ExecStart"] == (
        "/opt/sira/.venv/bin/sira-agent --server ${SIRA_SERVER_URL} "
        "--token-file /etc/sira/agent.token"
    )
    assert _unit("sira-migrate.service")["Service"]["ExecStart"].endswith("sira init")
    assert _unit("sira-purge.service")["Service"]["ExecStart"].endswith("sira purge")


def _unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=True, interpolation=None)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read(DEPLOY / "systemd" / name)
    return cp


def test_compose_file_structure() -> None:
    """No container engine here: the compose file is parsed and its wiring checked."""
    doc = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    services = doc["services"]
    assert {"postgres", "redis", "migrate", "server"} <= set(services)
    server = services["server"]
    env = server["environment"]
    assert env["SIRA_DATABASE_URL"].startswith("postgresql+psycopg://sira:")
    assert "@postgres:5432/sira" in env["SIRA_DATABASE_URL"]
    assert env["SIRA_REDIS_URL"] == "redis://redis:6379/0"
    assert "--workers" in server["command"]
    assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert server["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["sira", "init"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("postgres", "redis", "server"):
        assert services[name]["healthcheck"]["test"], name
    assert "pgdata" in doc["volumes"]
    build = services["migrate"]["build"]
    dockerfile = (DEPLOY / "compose").joinpath(build["context"], build["dockerfile"]).resolve()
    assert dockerfile.is_file()
    # Every directory the image copies exists in the repository.
    root = (DEPLOY / "compose" / build["context"]).resolve()
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            for part in line.split()[1:-1]:
                assert (root / part).exists(), f"Dockerfile copies missing {part}"


def test_scripts_are_executable_and_parse() -> None:
    for script in ("backup/sira-backup", "backup/sira-restore", "kiosk/sira-screen"):
        path = DEPLOY / script
        assert path.stat().st_mode & stat.S_IXUSR, script
        r = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("role", ["kiosk", "display"])
def test_screen_launcher_flags_and_crash_restart(tmp_path: Path, role: str) -> None:
    """A stand-in browser records its arguments and 'crashes'; the launcher restarts it."""
    calls = tmp_path / "calls"
    fake = tmp_path / "chromium"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    fake.chmod(0o755)
    env = {
        **os.environ,
        "CHROMIUM": str(fake),
        "HOME": str(tmp_path),
        "SIRA_SCREEN_RESTART_S": "0",
        "SIRA_SCREEN_MAX_RESTARTS": "3",
    }
    url = f"https://sira.test/{role}/#token=sdt_x"
    r = subprocess.run(
        [str(DEPLOY / "kiosk" / "sira-screen"), role, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1  # the browser's status after the last allowed restart
    runs = calls.read_text().splitlines()
    assert len(runs) == 3  # started, crashed, restarted twice more
    args = runs[0].split()
    assert "--kiosk" in args
    assert args[-1] == url
    assert "--noerrdialogs" in args
    assert ("--autoplay-policy=no-user-gesture-required" in args) == (role == "display")
    assert r.stderr.count("restarting") == 3
    bad = subprocess.run(
        [str(DEPLOY / "kiosk" / "sira-screen"), "tv", url], env=env, capture_output=True
    )
    assert bad.returncode == 2


def test_nginx_serves_the_screens_with_the_apps_security_headers() -> None:
    """nginx serves the screens' files itself: the same headers the app sends (an add_header
    in a location drops the server's, so HSTS is repeated there too)."""
    from server.edge import PAGE_HEADERS

    for text in [
        (DEPLOY / "nginx" / "sira-static.conf").read_text(),
        (DEPLOY / "nginx" / "sira.conf").read_text().split("location ~ ^/t/", 1)[1].split("}")[0],
    ]:
        for name, value in PAGE_HEADERS.items():
            assert f'add_header {name} "{value}" always;' in text
        assert "add_header Strict-Transport-Security" in text


def test_no_deployment_file_asks_for_a_secret_nothing_reads() -> None:
    for path in [
        DEPLOY / "systemd" / "sira.env.example",
        DEPLOY / "compose" / "compose.yaml",
    ]:
        assert "SIRA_SECRET_KEY" not in path.read_text(), path
