"""`jit-access local up | down | status`: the whole local stack, on 127.0.0.1, from one command.

`up` starts the embedded AWS, seeds it (organisation, Identity Center permission sets and people), starts
the Slack stand-in, applies examples/local with Terraform against them, writes the Slack secrets into the
SSM parameters the module made (out of band, as an operator would), starts the gateway, and writes
`.jit-access-local/stack.json`. All state lives in `.jit-access-local/` in the current directory; each
process logs to `.jit-access-local/logs/<name>.log`.

- `up` when the stack is already running says so and exits 0 (run `down` first to start afresh); a stack
  of which only some processes still run is stopped and started again.
- The emulator keeps everything in memory, so `down` also deletes the Terraform state: the next `up`
  applies from scratch. Terraform's data directory (providers, modules) and the logs are kept.
- When a step fails, `up` stops what it started and exits non-zero, naming the log to read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from jit_access.local import process, seed

STATE_DIR_NAME = ".jit-access-local"
SERVICES = ("aws", "slack", "gateway")  # start order; stopped in reverse
_REQUIRED_OUTPUTS = (
    "requester_function_name",
    "revoker_function_name",
    "queue_url",
    "schedule_group_name",
    "audit_bucket_name",
    "slack_bot_token_parameter_name",
    "slack_signing_secret_parameter_name",
    "package_path",
)


class StackError(RuntimeError):
    """A step of `up` failed; `log` is the file that says why."""

    def __init__(self, message: str, log: Path | None = None):
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class StackPaths:
    root: Path

    @classmethod
    def under(cls, directory: Path | None = None) -> StackPaths:
        return cls((directory or Path.cwd()).resolve() / STATE_DIR_NAME)

    @property
    def stack_json(self) -> Path:
        return self.root / "stack.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def terraform_data(self) -> Path:
        return self.root / "terraform"

    @property
    def terraform_state(self) -> Path:
        return self.root / "terraform.tfstate"

    @property
    def tfvars(self) -> Path:
        return self.root / "local.tfvars.json"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def ready_file(self, name: str) -> Path:
        return self.run / f"{name}.json"


def find_example_dir() -> Path:
    """examples/local of the checkout we run from (the current directory or above), else of this package."""
    here = Path.cwd().resolve()
    package_root = Path(__file__).resolve().parents[3]
    for base in (here, *here.parents, package_root):
        candidate = base / "examples" / "local"
        if (candidate / "main.tf").is_file():
            return candidate
    raise StackError("examples/local not found: run from the jit-access checkout or pass --example-dir")


def lambda_runtime() -> str:
    minor = sys.version_info.minor
    if sys.version_info.major != 3 or minor not in (11, 12, 13):
        raise StackError(
            f"the local stack runs handlers on this Python ({platform.python_version()}); "
            "Lambda offers python3.11 to python3.13"
        )
    return f"python3.{minor}"


def lambda_architecture() -> str:
    machine = platform.machine().lower()
    return "arm64" if machine in ("arm64", "aarch64") else "x86_64"


class Progress:
    """Plain progress lines with the time each step took."""

    def __init__(self, out: TextIO = sys.stdout):
        self.out = out
        self.started = time.monotonic()

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        self.out.write(f"{text} ...")
        self.out.flush()
        began = time.monotonic()
        try:
            yield
        except BaseException:
            self.out.write(f" failed after {time.monotonic() - began:.1f} s\n")
            self.out.flush()
            raise
        self.out.write(f" done ({time.monotonic() - began:.1f} s)\n")
        self.out.flush()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


# --- processes -----------------------------------------------------------------------------------------


def recorded_pids(paths: StackPaths) -> dict[str, int]:
    pids = {}
    for name in SERVICES:
        pid_file = paths.pid_file(name)
        if pid_file.exists():
            with contextlib.suppress(ValueError):
                pids[name] = int(pid_file.read_text().strip())
    return pids


def running(paths: StackPaths) -> dict[str, int]:
    return {name: pid for name, pid in recorded_pids(paths).items() if process.is_ours(pid)}


def _start_service(
    paths: StackPaths, name: str, module: str, args: list[str], timeout: float = 30.0
) -> dict[str, Any]:
    ready_file = paths.ready_file(name)
    ready_file.unlink(missing_ok=True)
    child = process.spawn(
        name,
        ["-m", module, "--ready-file", str(ready_file), *args],
        log_path=paths.log(name),
        pid_path=paths.pid_file(name),
        env=_child_env(),
    )
    try:
        return process.wait_ready(name, child, ready_file, log_path=paths.log(name), timeout=timeout)
    except process.StartError as error:
        raise StackError(str(error), paths.log(name)) from error


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        env.pop(name, None)
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PYTHONUNBUFFERED": "1"})
    return env


def _boto_session(region: str) -> Any:
    import boto3

    return boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=region)


def _get_json(url: str, timeout: float = 3.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


# --- terraform -----------------------------------------------------------------------------------------


def _terraform(paths: StackPaths, example_dir: Path, *args: str, capture: bool = False) -> str:
    """Run terraform in the example; its output goes to the log as it comes (stdout returned if `capture`)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        raise StackError("terraform is not on PATH (1.11 or later is needed)")
    env = _child_env()
    env.update({"TF_DATA_DIR": str(paths.terraform_data), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    log_path = paths.log("terraform")
    with open(log_path, "a") as log:
        log.write(f"\n$ terraform {' '.join(args)}\n")
        log.flush()
        start = log.tell()
        result = subprocess.run(
            [terraform, *args],
            cwd=example_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else log,
            stderr=log,
            text=True,
        )
    if result.returncode != 0:
        with open(log_path) as log:
            log.seek(start)
            tail = "\n".join(log.read().strip().splitlines()[-15:])
        raise StackError(f"terraform {args[0]} failed (status {result.returncode}):\n{tail}", log_path)
    return result.stdout or ""


def _link_provider_mirror(example_dir: Path, paths: StackPaths) -> None:
    script = example_dir.parent.parent / "scripts" / "link-terraform-mirror.sh"
    if script.is_file():
        with open(paths.log("terraform"), "a") as log:
            subprocess.run([str(script)], stdout=log, stderr=subprocess.STDOUT, check=False)


def _tfvars(*, endpoint: str, slack_api_url: str, seeded: seed.Seeded, region: str) -> dict[str, Any]:
    return {
        "aws_endpoint_url": endpoint,
        "aws_region": region,
        "slack_api_url": slack_api_url,
        "slack_team_id": seed.TEAM_ID,
        "slack_channel_id": seed.CHANNEL_ID,
        "rules": seed.demo_rules(seeded.accounts, seeded.sandbox_ou),
        "group_rules": seed.demo_group_rules(),
        # Not the sandbox account: its name comes from Organizations, as for any account not listed.
        "account_names": {
            account_id: name for name, account_id in seeded.accounts.items() if name in seed.ACCOUNT_NAMES
        },
        "lambda_runtime": lambda_runtime(),
        "lambda_architecture": lambda_architecture(),
        # The virtualenv's Python has pip; it builds the zip during apply.
        "package_build_python": sys.executable,
    }


# --- up / down / status --------------------------------------------------------------------------------


def _write_private_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(partial, path)


def _reset(paths: StackPaths) -> None:
    """Forget the previous stack: its state, pids, extracted code and logs (Terraform's cache stays)."""
    for item in (paths.run, paths.logs, paths.root / "functions"):
        shutil.rmtree(item, ignore_errors=True)
    for item in (
        paths.stack_json,
        paths.terraform_state,
        paths.terraform_state.with_name(paths.terraform_state.name + ".backup"),
    ):
        item.unlink(missing_ok=True)
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.run.mkdir(parents=True, exist_ok=True)


def up(*, directory: Path | None = None, example_dir: Path | None = None, out: TextIO = sys.stdout) -> int:
    paths = StackPaths.under(directory)
    progress = Progress(out)
    paths.root.mkdir(parents=True, exist_ok=True)
    with open(paths.root / "up.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress.say(f"Another `jit-access local up` is running in {paths.root.parent}; wait for it.")
            return 1
        return _up_locked(paths, progress, example_dir)


def _up_locked(paths: StackPaths, progress: Progress, example_dir: Path | None) -> int:
    alive = running(paths)
    if alive and set(alive) == set(SERVICES) and paths.stack_json.exists():
        stack = json.loads(paths.stack_json.read_text())
        progress.say(
            f"The local stack is already up (pids {', '.join(f'{k} {v}' for k, v in alive.items())})."
        )
        progress.say(f"  Slack request URL: {stack.get('events_url')}")
        progress.say("Run `jit-access local down` first to start it afresh.")
        return 0
    if alive:
        progress.say("Found a partly running local stack; stopping it first.")
        _stop_all(paths, progress)

    try:
        example = (example_dir or find_example_dir()).resolve()
        runtime = lambda_runtime()
    except StackError as error:
        progress.say(f"Cannot start: {error}")
        return 1
    _reset(paths)
    region = seed.REGION
    progress.say(f"Starting the jit-access local stack in {paths.root} (Terraform: {example}, {runtime})")
    try:
        stack = _up(paths, progress, example, region)
    except BaseException as error:
        log = getattr(error, "log", None)
        message = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
        progress.say(f"Local stack failed: {message}")
        if log:
            progress.say(f"See {log}")
        progress.say("Stopping what was started.")
        _stop_all(paths, progress, quiet=True)
        if not isinstance(error, Exception | KeyboardInterrupt):
            raise
        return 1
    progress.say(f"The local stack is up ({progress.elapsed:.1f} s).")
    progress.say(f"  Slack request URL:  {stack['events_url']}")
    progress.say(f"  Slack stand-in:     {stack['slack_api_url']}  (calls: {stack['calls_url']})")
    progress.say(f"  Embedded AWS:       {stack['aws_endpoint_url']}")
    progress.say(f"  Run queue/schedules: POST {stack['run_url']}")
    progress.say(f"  Stack file:         {paths.stack_json}")
    return 0


def _up(paths: StackPaths, progress: Progress, example: Path, region: str) -> dict[str, Any]:
    with progress.step("Starting the embedded AWS (moto)"):
        aws = _start_service(paths, "aws", "jit_access.local.aws", [])
        endpoint = aws["url"]
        session = _boto_session(region)
        sts = session.client("sts", endpoint_url=endpoint)
        identity = sts.get_caller_identity()

    with progress.step("Seeding the organisation, Identity Center permission sets and people"):
        seeded = seed.seed(session, endpoint_url=endpoint, region=region)

    bot_token = "xoxb-local-" + secrets.token_hex(12)
    signing_secret = secrets.token_hex(16)
    with progress.step("Starting the Slack stand-in"):
        slack_config = paths.root / "slack.json"
        _write_private_json(
            slack_config,
            {
                "token": bot_token,
                "team_id": seed.TEAM_ID,
                "channel_id": seed.CHANNEL_ID,
                "channel_name": seed.CHANNEL_NAME,
                "people": seed.slack_people(),
            },
        )
        slack = _start_service(
            paths, "slack", "jit_access.local.slack_standin", ["--config", str(slack_config)]
        )

    tfvars = _tfvars(endpoint=endpoint, slack_api_url=slack["api_url"], seeded=seeded, region=region)
    _write_private_json(paths.tfvars, tfvars)
    where = f"{example.parent.name}/{example.name}"
    with progress.step(f"Terraform init ({where})"):
        _link_provider_mirror(example, paths)
        _terraform(paths, example, "init", "-input=false", "-no-color")
    with progress.step("Terraform apply (builds the Lambda zip, creates the module's resources)"):
        _terraform(
            paths,
            example,
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={paths.terraform_state}",
            f"-var-file={paths.tfvars}",
        )
        raw_outputs = json.loads(
            _terraform(paths, example, "output", "-json", f"-state={paths.terraform_state}", capture=True)
        )
        outputs = {name: value.get("value") for name, value in raw_outputs.items()}
        missing = [name for name in _REQUIRED_OUTPUTS if not outputs.get(name)]
        if missing:
            raise StackError(f"examples/local has no output {', '.join(missing)}", paths.log("terraform"))
        package_path = Path(outputs["package_path"])
        if not package_path.is_absolute():
            package_path = (example / package_path).resolve()

    with progress.step("Writing the Slack bot token and signing secret into SSM (out of band)"):
        ssm = session.client("ssm", endpoint_url=endpoint)
        for name, value in (
            (outputs["slack_bot_token_parameter_name"], bot_token),
            (outputs["slack_signing_secret_parameter_name"], signing_secret),
        ):
            ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)

    with progress.step("Starting the local gateway (checks the deployed code, extracts it)"):
        gateway_config = paths.root / "gateway.json"
        _write_private_json(
            gateway_config,
            {
                "aws_endpoint_url": endpoint,
                "region": region,
                "account_id": identity["Account"],
                "api_id": _api_id(outputs.get("slack_request_url")),
                "functions": {
                    "requester": outputs["requester_function_name"],
                    "revoker": outputs["revoker_function_name"],
                },
                "package_path": str(package_path),
                "queue_url": outputs["queue_url"],
                "schedule_group": outputs["schedule_group_name"],
            },
        )
        gateway = _start_service(
            paths, "gateway", "jit_access.local.gateway", ["--config", str(gateway_config)], timeout=60.0
        )
        _get_json(gateway["health_url"])

    stack = {
        "events_url": gateway["events_url"],
        "run_url": gateway["run_url"],
        "health_url": gateway["health_url"],
        "aws_endpoint_url": endpoint,
        "region": region,
        "aws_account_id": identity["Account"],
        "slack_api_url": slack["api_url"],
        "calls_url": f"{slack['url']}/_calls",
        "plan_url": f"{slack['url']}/_plan",
        "signing_secret": signing_secret,
        "bot_token": bot_token,
        "team_id": seed.TEAM_ID,
        "channel_id": seed.CHANNEL_ID,
        "users": seeded.users(),
        "accounts": seeded.accounts,
        "permission_sets": seeded.permission_sets,
        "sso_instance_arn": seeded.instance_arn,
        "identity_store_id": seeded.identity_store_id,
        "rules": tfvars["rules"],
        "group_rules": tfvars["group_rules"],
        "groups": seeded.groups,
        "audit_bucket": outputs["audit_bucket_name"],
        "schedule_group": outputs["schedule_group_name"],
        "queue_url": outputs["queue_url"],
        "requester_function_name": outputs["requester_function_name"],
        "revoker_function_name": outputs["revoker_function_name"],
        "package_path": str(package_path),
        "pids": {name: recorded_pids(paths)[name] for name in SERVICES},
        "logs": {name: str(paths.log(name)) for name in (*SERVICES, "terraform")},
        "terraform_outputs": outputs,
        "example_dir": str(example),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _write_private_json(paths.stack_json, stack)
    return stack


def _api_id(request_url: Any) -> str:
    if not isinstance(request_url, str) or "://" not in request_url:
        return "local"
    host = request_url.split("://", 1)[1].split("/", 1)[0]
    return host.split(".", 1)[0] or "local"


def _stop_all(paths: StackPaths, progress: Progress, *, quiet: bool = False) -> bool:
    stopped_all = True
    pids = recorded_pids(paths)
    for name in reversed(SERVICES):
        pid = pids.get(name)
        if pid is None:
            continue
        was_running = process.is_ours(pid)
        gone = process.stop(pid)
        stopped_all = stopped_all and gone
        if not quiet and was_running:
            progress.say(f"Stopped {name} (pid {pid})" if gone else f"Could not stop {name} (pid {pid})")
        if gone:
            paths.pid_file(name).unlink(missing_ok=True)
            paths.ready_file(name).unlink(missing_ok=True)
    return stopped_all


def down(*, directory: Path | None = None, out: TextIO = sys.stdout) -> int:
    paths = StackPaths.under(directory)
    progress = Progress(out)
    if not paths.root.exists():
        progress.say("No local stack here (no .jit-access-local/).")
        return 0
    if not running(paths):
        progress.say("The local stack is not running.")
    stopped = _stop_all(paths, progress)
    # The emulator's state died with it: the next `up` must apply from scratch.
    for item in (
        paths.stack_json,
        paths.terraform_state,
        paths.terraform_state.with_name(paths.terraform_state.name + ".backup"),
    ):
        item.unlink(missing_ok=True)
    shutil.rmtree(paths.root / "functions", ignore_errors=True)
    progress.say(f"The local stack is down ({progress.elapsed:.1f} s); logs kept in {paths.logs}.")
    return 0 if stopped else 1


def status(*, directory: Path | None = None, out: TextIO = sys.stdout) -> int:
    """Exit 0 when every process runs and answers, 1 when the stack is down, 2 when it is partly up."""
    paths = StackPaths.under(directory)
    progress = Progress(out)
    pids = recorded_pids(paths)
    if not pids:
        progress.say("The local stack is down.")
        return 1
    stack = json.loads(paths.stack_json.read_text()) if paths.stack_json.exists() else {}
    checks = {
        "aws": lambda: (
            _boto_session(stack.get("region", seed.REGION))
            .client("sts", endpoint_url=stack["aws_endpoint_url"])
            .get_caller_identity()
        ),
        "slack": lambda: _get_json(stack["calls_url"].replace("/_calls", "/_health")),
        "gateway": lambda: _get_json(stack["health_url"]),
    }
    healthy = 0
    for name in SERVICES:
        pid = pids.get(name)
        if pid is None or not process.is_ours(pid):
            progress.say(f"{name:8} not running")
            continue
        try:
            checks[name]()
        except Exception as error:
            progress.say(f"{name:8} pid {pid}, not answering ({type(error).__name__})")
            continue
        healthy += 1
        progress.say(f"{name:8} pid {pid}, answering")
    if healthy == len(SERVICES):
        progress.say(f"Slack request URL: {stack.get('events_url')}")
        return 0
    return 2 if healthy else 1
