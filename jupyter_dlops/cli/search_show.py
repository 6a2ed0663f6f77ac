"""``dlops sweep show NAME``: a search's best run, its trials and the parameter importances."""

from __future__ import annotations

from .output import table


def show_search(name: str) -> int:
    from ..sweeps.search_report import search_report

    report = search_report(name)
    print(render(report))
    return 0


def render(report: dict) -> str:
    """The report as text: best run, trials table (best first), importances."""
    sweep, goal = report["sweep"], "min" if report["direction"] == "minimize" else "max"
    lines = [f"search {sweep['name']} ({sweep['spec']['search']}, {report['objective']}:{goal}, "
             f"{len(report['trials'])} trials, {sweep['status']})"]
    best = report["best"]
    if best is None:
        lines.append("best: none yet (no finished trial logged the objective)")
    else:
        values = ", ".join(f"{k}={v!r}" for k, v in best["params"].items())
        lines.append(f"best: run {best['run_id'][:12]} (trial {best['number']}) "
                     f"{report['objective']}={best['value']:.6g}  {values}")
    params = list(report["trials"][0]["params"]) if report["trials"] else []
    reverse = report["direction"] == "maximize"
    ranked = sorted(report["trials"], key=lambda t: (t["value"] is None or t["status"] != "finished",
                                                     -(t["value"] or 0) if reverse else (t["value"] or 0)))
    rows = [[t["number"], t["run_id"][:12], t["status"], t["value"], t["step"], *[t["params"][p] for p in params]]
            for t in ranked]
    lines.append(table(["trial", "run", "status", report["objective"], "step", *params], rows))
    if report["importances"]:
        lines.append("importance: " + ", ".join(f"{k} {v:.2f}" for k, v in report["importances"].items()))
    return "\n".join(lines)
