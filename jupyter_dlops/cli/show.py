"""The whole record of one run, as a dict (``--json``) and as text."""

from __future__ import annotations

from typing import Any

from .output import fmt, fmt_duration, fmt_time, table


def data_versions(store, run) -> list[dict[str, Any]]:
    """The data a run read and wrote, with paths (empty where data versioning is absent)."""
    try:
        from ..data.runs import run_data
    except ImportError:
        return []
    return run_data(store, run)


def run_record(store, run) -> dict[str, Any]:
    record = run.to_dict()
    record["metrics"] = {k: vars(v) if hasattr(v, "__dict__") else v for k, v in record["metrics"].items()}
    record["data"] = data_versions(store, run)
    return record


def _kv(title: str, items: dict[str, Any]) -> list[str]:
    if not items:
        return []
    return [f"\n{title}", table(["key", "value"], [[k, fmt(v)] for k, v in items.items()])]


def _header(record: dict[str, Any]) -> list[str]:
    lines = [
        f"run       {record['run_id']}",
        f"name      {record['name']}",
        f"status    {record['status']}" + (f"  ({record['error']})" if record.get("error") else ""),
        f"kind      {record['kind']}   experiment {record['experiment']}",
        f"started   {fmt_time(record['start_time'])}   duration {fmt_duration(record['duration'])}",
        f"host      {record.get('host') or '-'}   pid {record.get('pid') or '-'}   user {record.get('user_name') or '-'}",
    ]
    for key in ("entry_point", "error_cell", "sweep_id", "parent_id"):
        if record.get(key):
            lines.append(f"{key:<9} {record[key]}")
    return lines


def _metrics(record: dict[str, Any]) -> list[str]:
    metrics = record["metrics"]
    if not metrics:
        return []
    rows = [[k, m["last"], m["min"], m["max"], m["count"], m["last_step"]] for k, m in metrics.items()]
    return ["\nmetrics", table(["key", "last", "min", "max", "count", "last step"], rows)]


def _git_state(git: dict[str, Any]) -> str:
    """clean, or dirty and why: a stored diff, an entry file outside the commit."""
    if not git.get("dirty"):
        return "clean"
    why = ["diff stored"] if git.get("diff_object") else []
    if git.get("entry_untracked"):
        why.append(f"entry file {'ignored' if git.get('entry_ignored') else 'untracked'}, "
                   "its snapshot stored")
    return f"dirty ({'; '.join(why) or 'diff stored'})"


def _sections(record: dict[str, Any]) -> list[str]:
    sections = record["sections"]
    lines: list[str] = []
    code = sections.get("code") or {}
    git = code.get("git") or {}
    if code:
        lines += ["\ncode", f"  entry     {code.get('entry_point') or '-'}  ({(code.get('entry_object') or '-')[:12]})",
                  f"  git       {git.get('commit') or 'not a git checkout'}  branch {git.get('branch') or '-'}"
                  f"  {_git_state(git)}"]
    env = sections.get("environment") or {}
    if env:
        lines += ["\nenvironment", f"  python {env.get('python')} on {env.get('platform')}",
                  f"  {env.get('package_count')} packages  container {env.get('container') or '-'}  conda {env.get('conda_env') or '-'}"]
        if "accelerators" in env:
            from ..capture.accelerators import describe

            lines.append(f"  accelerators: {describe(env['accelerators'] or {})}")
        lines += [f"  {k}={v}" for k, v in (env.get("variables") or {}).items()]
    hw = sections.get("hardware") or {}
    if hw:
        gpus = ", ".join(f"{g['name']} ({g['memory_total_mb']} MB, driver {g['driver']})" for g in hw.get("gpus", [])) or "none"
        lines += ["\nhardware", f"  {hw.get('cpu_count')} × {hw.get('cpu_model')}, {hw.get('memory_total_mb')} MB memory", f"  GPUs: {gpus}"]
    usage = sections.get("usage") or {}
    if usage.get("peaks"):
        lines += ["\nusage (peaks)", "  " + "  ".join(f"{k} {v:g}" for k, v in usage["peaks"].items())]
    cost = sections.get("cost") or {}
    if cost:
        lines += ["\ncost", f"  {cost.get('hours', 0):.4f} h × {cost.get('hourly_rate')}/h ({cost.get('profile')}) = "
                  f"{cost.get('cost', 0):.4f}   GPU-hours {cost.get('gpu_hours', 0):.4f}"]
    return lines


def render_run(record: dict[str, Any]) -> str:
    lines = _header(record)
    lines += _kv("params", record["params"])
    lines += _metrics(record)
    lines += _kv("tags", record["tags"])
    if record["data"]:
        rows = [[d.get("direction"), d.get("relative_path") or "-", d.get("id", "")[:12],
                 d.get("name") or "-", d.get("files"), d.get("bytes")] for d in record["data"]]
        lines += ["\ndata", table(["direction", "path", "version", "name", "files", "bytes"], rows)]
    if record["artifacts"]:
        rows = [[a["path"], a["kind"], a["size"], a["object_id"][:12]] for a in record["artifacts"]]
        lines += ["\nartifacts", table(["path", "kind", "bytes", "object"], rows)]
    lines += _sections(record)
    return "\n".join(lines)
