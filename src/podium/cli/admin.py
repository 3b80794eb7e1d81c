"""`podium token`, `podium samples` and `podium demo`: what maintainers run."""

from __future__ import annotations

import argparse
import sys

from podium.cli.common import data_home
from podium.cli.tables import print_local_tables
from podium.errors import UsageError


def cmd_token(args: argparse.Namespace) -> int:
    from podium.tokens import TokenStore

    tokens = TokenStore(data_home(args))
    if args.token_command == "create":
        token = tokens.create(args.name, args.role, args.expires_days, orgs=args.org)
        print(token)
        held = "every org" if args.role == "admin" else "orgs " + ", ".join(tokens.orgs_of(args.name))
        print(f"token for {args.name} ({args.role}, {held}): shown once, only its hash is stored", file=sys.stderr)
    elif args.token_command == "grant":
        held = tokens.grant(args.name, args.org)
        print(f"{args.name} now submits for: {', '.join(held)}")
    elif args.token_command == "revoke" and args.org:
        held = tokens.ungrant(args.name, args.org)
        print(f"{args.name} now submits for: {', '.join(held)}")
    elif args.token_command == "revoke":
        count = tokens.revoke(args.name)
        if not count:
            raise UsageError(f"no active token named {args.name!r}")
        print(f"revoked {count} token(s) of {args.name}")
    else:
        for record in tokens.list():
            state = "revoked" if record.revoked else (f"expires {record.expires_at}" if record.expires_at else "active")
            orgs = "every org" if record.is_admin else ", ".join([record.name, *record.orgs])
            print(f"{record.name:<24} {record.role:<10} {state}  created {record.created_at}  orgs: {orgs}")
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    from podium.samples import generate

    generate(data_home(args), force=args.force)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from podium.samples import generate

    generate(data_home(args))
    args.benchmark, args.task, args.limit = None, None, 1000
    print_local_tables(args)  # every sample table, from these folders (never a server)
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from podium.rescoring import rescore

    done = rescore(data_home(args), args.benchmark or None, everything=args.all, dry_run=args.dry_run)
    if not done:
        print("nothing to rescore: every finished submission was scored on the current benchmark and metric versions")
        return 0
    for entry in done:
        before = "-" if entry.before is None else f"{entry.before:.4f}"
        if entry.error:
            outcome = f"not rescored: {entry.error}"
        elif entry.after is None:
            outcome = f"{before} (would be rescored)"
        else:
            outcome = f"{before} -> {entry.after:.4f}"
        print(f"{entry.submission_id}  {entry.model}  {entry.benchmark}  ({entry.reason})  {outcome}")
    failed = sum(1 for e in done if e.error)
    verb = "would rescore" if args.dry_run else "rescored"
    problems = f"; {failed} could not be" if failed else ""
    print(f"{verb} {len(done) - failed} submission(s){problems}", file=sys.stderr)
    return 1 if failed else 0
