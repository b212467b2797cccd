"""`make demo`: the whole lifecycle on this machine, told step by step and checked at every step.

alice asks for AdministratorAccess on production for an hour; the request lands in #aws-access naming bob;
carol's click is refused (she does not approve production); bob approves; the assignment exists in Identity
Center with a revoke schedule at the end; the clock is moved past the end and the assignment is gone. Then
carol, on a small-team rule, approves her own read-only access to log-archive. Finally the auditor's
question is answered from the audit bucket.

Exits non-zero, naming the step, when anything does not happen as told. Starts the local stack when it is
not running and stops it at the end (keeps it with --keep; never stops a stack it did not start).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jit_access import cli
from jit_access.local import stack as local_stack
from jit_access.local.client import LocalStack


class DemoFailed(RuntimeError):
    pass


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise DemoFailed(what)


class Story:
    def __init__(self, stack: LocalStack, out: Any = sys.stdout):
        self.stack = stack
        self.out = out
        self.scheduler = stack.aws("scheduler")
        self.step_number = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def step(self, text: str) -> None:
        self.step_number += 1
        self.say(f"\n{self.step_number}. {text}")

    def revoke_schedule(self, request_id: str) -> dict[str, Any] | None:
        name = f"jit-revoke-{request_id}"
        if name not in self.stack.revoke_schedule_names():
            return None
        return dict(self.scheduler.get_schedule(GroupName=self.stack["schedule_group"], Name=name))

    def channel_text(self, request_id: str) -> str:
        """The request's channel message as posted and updated, and its thread, as one text."""
        ts = self.stack.message_ts(request_id)
        texts = []
        for call in self.stack.slack_calls():
            args = call["args"]
            about_it = request_id in str(args) or (
                ts is not None and ts in (args.get("ts"), args.get("thread_ts"))
            )
            if call["method"] in ("chat.postMessage", "chat.update") and about_it:
                texts.append(str(args))
        return "\n".join(texts)

    def request(self, who: str, account: str, permission_set: str, duration: str, reason: str) -> str:
        before = set(self.stack.request_ids())
        opened = self.stack.press_shortcut(who)
        expect(opened.status == 200, f"the shortcut was refused ({opened.status} {opened.text})")
        expect(bool(self.stack.slack_calls("views.open")), "no request form was opened")
        submitted = self.stack.submit_request(
            who, account=account, permission_set=permission_set, duration=duration, reason=reason
        )
        expect(submitted.status == 200, f"the form was refused ({submitted.status} {submitted.text})")
        expect("errors" not in submitted.text, f"the form showed errors: {submitted.text}")
        self.stack.run()
        new = [i for i in self.stack.request_ids() if i not in before]
        expect(len(new) == 1, f"expected one new request message in the channel, found {len(new)}")
        return new[0]

    def tell(self) -> None:
        bob = self.stack.user("bob")

        self.step("alice asks for AdministratorAccess on production for 1 hour (reason: INC-4711)")
        request_id = self.request(
            "alice", "production", "AdministratorAccess", "1h", "INC-4711 restore orders"
        )
        posted = self.channel_text(request_id)
        expect(f"<@{bob['slack_id']}>" in posted, "the channel message does not name the approver bob")
        expect(
            not self.stack.has_access("alice", "production", "AdministratorAccess"), "access before approval"
        )
        self.say(f"   Request {request_id} is in #aws-access, waiting for bob (<@{bob['slack_id']}>).")

        self.step("carol clicks Approve: she does not approve production access")
        self.stack.approve("carol", request_id)
        self.stack.run()
        refused = self.stack.ephemerals_to("carol")
        expect(bool(refused), "carol was not told her click was refused")
        expect(
            not self.stack.has_access("alice", "production", "AdministratorAccess"),
            "carol's click granted access",
        )
        self.say(f"   Only carol sees: {refused[-1]!r}. Nothing changed.")

        self.step("bob clicks Approve")
        approved_at, clicked = datetime.now(UTC), time.monotonic()
        self.stack.approve("bob", request_id)
        self.stack.run()
        expect(
            self.stack.has_access("alice", "production", "AdministratorAccess"),
            "no Identity Center assignment",
        )
        schedule = self.revoke_schedule(request_id)
        expect(schedule is not None, "no revoke schedule was created")
        assert schedule is not None
        granted_after = time.monotonic() - clicked
        self.say(f"   alice has AdministratorAccess on production, {granted_after:.1f} s after bob's click.")
        self.say(f"   Revoke scheduled: {schedule['ScheduleExpression']} (schedule {schedule['Name']}).")

        self.step("The clock moves past the end of the hour: the revoke schedule fires")
        self.stack.run(approved_at + timedelta(hours=1, minutes=1))
        expect(
            not self.stack.has_access("alice", "production", "AdministratorAccess"), "access was not revoked"
        )
        expect(self.revoke_schedule(request_id) is None, "the revoke schedule is still there")
        expect("Access ended" in self.channel_text(request_id), "the channel message was not updated")
        self.say(
            "   The assignment is gone; nobody had to remember. The channel message says 'Access ended'."
        )

        self.step("carol asks for ReadOnlyAccess on log-archive: a small-team rule lets her approve herself")
        own_request = self.request("carol", "log-archive", "ReadOnlyAccess", "30m", "check backup retention")
        expect(
            self.stack.has_access("carol", "log-archive", "ReadOnlyAccess"),
            "self-approval did not grant access",
        )
        expect("Self-approved" in self.channel_text(own_request), "the channel does not say self-approved")
        self.say("   Granted at once on her own approval; the channel thread and the trail say so.")
        self.stack.run(datetime.now(UTC) + timedelta(minutes=31))
        expect(
            not self.stack.has_access("carol", "log-archive", "ReadOnlyAccess"),
            "carol's access was not revoked",
        )
        self.say("   ... and revoked 30 minutes later.")

        self.step("The auditor asks: who had elevated access in the last 30 days, for how long, and why?")
        self.say("   $ jit-access audit sessions --bucket <audit bucket> --since 30d\n")
        table = self.audit_table()
        self.say("\n".join("   " + line for line in table.splitlines()))
        expect("INC-4711 restore orders" in table, "the audit table does not show alice's session and reason")
        expect("check backup retention" in table, "the audit table does not show carol's session")
        self.say(
            "\n   (Sessions here last seconds: the demo jumps the clock that decides what is due, while the"
            "\n   functions record the real time at which they revoked.)"
        )

    def audit_table(self) -> str:
        buffer = io.StringIO()
        credentials = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        credentials["AWS_DEFAULT_REGION"] = self.stack["region"]
        saved = {name: os.environ.get(name) for name in credentials}
        os.environ.update(credentials)
        try:
            with redirect_stdout(buffer):
                status = cli.main(
                    [
                        "audit",
                        "sessions",
                        "--bucket",
                        self.stack["audit_bucket"],
                        "--since",
                        "30d",
                        "--endpoint-url",
                        self.stack["aws_endpoint_url"],
                    ]
                )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        expect(status == 0, f"jit-access audit failed: {buffer.getvalue()}")
        return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the local stack running afterwards")
    parser.add_argument("--dir", type=Path, default=None, help="directory holding .jit-access-local/")
    args = parser.parse_args(argv)

    started = time.monotonic()
    already_up = local_stack.status(directory=args.dir, out=io.StringIO()) == 0
    if already_up:
        print("Using the local stack that is already running.")
    elif local_stack.up(directory=args.dir) != 0:
        print("\nDEMO FAILED: the local stack did not start.", file=sys.stderr)
        return 1
    story = Story(LocalStack.load(args.dir))
    try:
        story.stack.clear_calls()
        story.tell()
    except DemoFailed as failure:
        print(f"\nDEMO FAILED at step {story.step_number}: {failure}", file=sys.stderr)
        print(f"Logs: {Path(story.stack.root) / 'logs'}", file=sys.stderr)
        return 1
    finally:
        if not (already_up or args.keep):
            print()
            local_stack.down(directory=args.dir)
    elapsed = time.monotonic() - started
    print(f"\nDemo complete in {elapsed:.0f} s: requested, approved, granted, revoked, audited.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
