"""Plain-text rendering of results and leaderboards for the terminal."""

from __future__ import annotations

from podium.schema import Result


def format_result(result: Result) -> str:
    lines = [f"benchmark  {result.benchmark} ({result.task_type}), n = {result.n}"]
    names = [result.primary_metric] + [m for m in result.metrics if m != result.primary_metric]
    width = max(len(n) for n in names)
    for name in names:
        value = result.metrics[name]
        interval = result.ci.get(name)
        ci = f"  95% CI {interval.low:.4f} - {interval.high:.4f}" if interval else ""
        mark = "  (primary)" if name == result.primary_metric else ""
        lines.append(f"{name:<{width}}  {value:.4f}{ci}{mark}")
    for group, rows in result.details.items():
        if not rows:
            continue
        lines.append("")
        label_width = max(len(k) for k in rows) + 2
        lines.append(f"{group.replace('_', ' ')}:".ljust(label_width) + "  precision  recall      f1  support")
        for label, stats in rows.items():
            lines.append(
                f"  {label:<{label_width - 2}}  {stats['precision']:9.4f}  {stats['recall']:6.4f}"
                f"  {stats['f1']:6.4f}  {int(stats['support']):7d}"
            )
    return "\n".join(lines)


def print_sample_leaderboards(home) -> None:
    """Score every bundled sample model and print one ranked table per benchmark."""
    from podium.benchmarks import BenchmarkStore
    from podium.samples import generate, sample_models
    from podium.schema import ModelInfo
    from podium.scoring import score_file

    generate(home)
    store = BenchmarkStore(home)
    models = sample_models(home)
    for card in store.list():
        rows = []
        for m in (m for m in models if m["benchmark"] == card.id):
            model = ModelInfo(name=m["name"], org=m["org"], link=m["link"])
            result = score_file(home, card.id, home.root / "samples" / m["predictions"], model=model)
            rows.append(result)
        if not rows:
            continue
        rows.sort(key=lambda r: -r.score)
        print(f"\n{card.name}  [{card.id}, {card.task_type}, {card.n_items} items, metric: {card.primary_metric}]")
        width = max(len(r.model.full_name) for r in rows)
        print(f"  {'rank':>4}  {'model':<{width}}  {'score':>6}  {'95% CI':<11}")
        for rank, r in enumerate(rows, start=1):
            print(f"  {rank:>4}  {r.model.full_name:<{width}}  {r.score:6.3f}  {r.ci_display}")
