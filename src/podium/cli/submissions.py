"""`podium submit|status|cancel|queue`, on the local folders or a server (``--url``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from podium.cli.common import ServerProblem, client_for, data_home, http_errors, server_url
from podium.errors import PodiumError, UsageError


def cmd_submit_http(args: argparse.Namespace, url: str) -> int:
    """`podium submit --url URL [--token T] [--wait]`: exit 0 scored, 1 failed scoring, 2 bad input, 3 server."""
    client = client_for(args, url)
    model = f"{args.org}/{args.model}" if args.org else args.model
    try:
        with http_errors():
            request = client.submit_predictions(
                args.benchmark,
                model,
                args.predictions,
                revision=args.revision,
                link=args.link,
                model_type=args.model_type,
                params=args.params,
                license=args.license,
            )
            print(request["id"], flush=True)
            if not args.wait:
                return 0
            final = client.wait(request["id"], timeout=args.wait_timeout)
    except TimeoutError as exc:
        raise ServerProblem(str(exc)) from None
    except OSError as exc:  # the predictions file
        raise UsageError(str(exc)) from None
    if final["status"] != "FINISHED":
        print(f"{final['status']}: {final.get('error', '')}", file=sys.stderr)
        return 1
    result = final["result"]
    rank = ""
    with contextlib.suppress(PodiumError), http_errors():
        rows = client.get_leaderboard(args.benchmark)
        mine = next((r for r in rows if r.get("submission") == request["id"]), None)
        rank = f"  rank {mine['rank']} of {len(rows)}" if mine else ""
    _print_score(result, rank)
    return 0


def _score_text(result: dict) -> str:
    """A result summary's primary score and its 95% CI: 'accuracy 0.6844  95% CI 0.63 – 0.73'."""
    from podium import formatting

    metric = result["primary_metric"]
    bounds = result.get("ci", {}).get(metric, {})
    interval = formatting.interval(bounds.get("low"), bounds.get("high")) or "none"
    return f"{metric} {formatting.score(result['metrics'][metric])}  95% CI {interval}"


def _print_score(result: dict, rank: str) -> None:
    """The last line of `submit --wait`: primary score, its 95% CI, and the rank."""
    print(_score_text(result) + rank)


def _wait_locally(args: argparse.Namespace, request_id: str) -> int:
    """Follow a submission in the local folders until the backend (`podium serve` or `podium
    backend`, running elsewhere) has scored it: the same exit codes as over HTTP."""
    import time

    from podium.leaderboard import Leaderboard
    from podium.queue import ACTIVE, RequestQueue
    from podium.schema import Result

    home = data_home(args)
    queue = RequestQueue(home)
    deadline = time.monotonic() + args.wait_timeout
    while (request := queue.get(request_id)).status in ACTIVE:
        if time.monotonic() > deadline:
            raise ServerProblem(
                f"submission {request_id} is still {request.status.value} after {args.wait_timeout:g} s: "
                "is `podium serve` or `podium backend` running on this folder?"
            )
        time.sleep(0.3)
    if request.status.value != "FINISHED":
        print(f"{request.status.value}: {request.error or ''}", file=sys.stderr)
        return 1
    board = Leaderboard(home)
    board.refresh()
    rows = board.rows(request.benchmark)
    mine = [row for row in rows if row.submission == request_id]
    rank = f"  rank {mine[0].rank} of {len(rows)}" if mine else ""
    _print_score(Result.read(home.results_dir / request.result_file).summary(), rank)
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    from podium.submissions import model_info, submit

    url = server_url(args)
    if url:
        return cmd_submit_http(args, url)
    model = model_info(args.model, org=args.org, revision=args.revision, link=args.link, model_type=args.model_type,
                       params=args.params, license=args.license)  # fmt: skip
    outcome = submit(data_home(args), args.benchmark, Path(args.predictions), model, submitter=args.submitter)
    request = outcome.request
    if args.json:
        print(json.dumps({"created": outcome.created, **request.model_dump(mode="json", exclude_none=True)}, indent=2))
        return 0
    if outcome.created:
        print(request.id)
        print(
            f"queued {request.model.full_name} ({request.model.revision}) on {request.benchmark}: "
            f"`podium status {request.id}` to follow it",
            file=sys.stderr,
        )
    else:
        print(request.id)
        print(
            f"already submitted: the same file for {request.model.full_name} ({request.model.revision}) "
            f"on {request.benchmark} is {request.status.value}; not queued again",
            file=sys.stderr,
        )
    if outcome.path_name != request.model.full_name.lower().replace("/", "-", 1):  # more than org/name -> org-name
        print(f"note: the model name is kept as text; file names use {outcome.path_name!r}", file=sys.stderr)
    if args.wait:
        sys.stdout.flush()
        return _wait_locally(args, request.id)
    return 0


def _request_line(r) -> str:
    error = f"  {r.error}" if r.error else ""
    return (
        f"{r.id:<52}  {r.status.value:<9}  {r.benchmark:<18}  {r.model.full_name}"
        f"  ({r.model.revision})  attempts {r.attempts}{error}"
    )


def _print_status(data: dict) -> None:
    """A submission (the API's JSON shape) as the lines of `podium status`."""
    model = data["model"]
    full_name = f"{model['org']}/{model['name']}" if model.get("org") else model["name"]
    print(f"submission  {data['id']}")
    print(f"status      {data['status']}")
    print(f"benchmark   {data['benchmark']} (version {data.get('benchmark_version', '?')})")
    print(f"model       {full_name} (revision {model.get('revision', 'main')})")
    if data.get("submitter"):
        print(f"submitter   {data['submitter']}")
    print(f"created     {data['created_at']}")
    print(f"updated     {data['updated_at']}")
    print(f"attempts    {data.get('attempts', 0)}")
    if data.get("lease"):
        print(f"lease       {data['lease']['owner']} until {data['lease']['expires_at']}")
    if data.get("error"):
        print(f"error       {data['error']}")
    if data.get("result_file"):
        print(f"result      {data['result_file']}")
    if data.get("result"):
        print(f"score       {_score_text(data['result'])}")


def cmd_status(args: argparse.Namespace) -> int:
    url = server_url(args)
    if url:
        with http_errors():
            data = client_for(args, url).get_submission_status(args.submission)
    else:
        from podium.queue import RequestQueue
        from podium.schema import Result

        home = data_home(args)
        request = RequestQueue(home).get(args.submission)
        data = request.model_dump(mode="json", exclude_none=True)
        if request.result_file:
            data["result"] = Result.read(home.results_dir / request.result_file).summary()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_status(data)
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    url = server_url(args)
    if url:
        with http_errors():
            data = client_for(args, url).cancel(args.submission)
        print(f"{data['id']} {data['status']}")
        return 0
    from podium.queue import RequestQueue

    request = RequestQueue(data_home(args)).cancel(args.submission)
    print(f"{request.id} {request.status.value}")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    """`podium queue`: the counts per state, then the submissions that pass the filters, newest first.
    Filtering is the service's (``RequestQueue.find``), on the server over HTTP."""
    from podium.queue import STATES
    from podium.schema import SubmissionRequest

    url = server_url(args)
    if url:
        with http_errors():
            client = client_for(args, url)
            summary = client.queue_summary()
            found = client.list_submissions(
                model_name=args.model, benchmark=args.benchmark, status=args.status, limit=args.limit
            )
        selected = [SubmissionRequest.model_validate(r) for r in found]
    else:
        from podium.queue import RequestQueue

        queue = RequestQueue(data_home(args))
        summary = queue.counts()
        selected = queue.find(model=args.model, benchmark=args.benchmark, status=args.status, limit=args.limit)
    if summary["unreadable"]:
        print(
            f"warning: {summary['unreadable']} request file(s) in eval-queue/requests cannot be read", file=sys.stderr
        )
    if args.json:
        print(json.dumps([r.model_dump(mode="json", exclude_none=True) for r in selected], indent=2))
        return 0
    counts = summary["counts"]
    print("  ".join(f"{s.value.lower()} {counts.get(s.value, 0)}" for s in STATES))
    for r in selected:
        print(_request_line(r))
    return 0
