"""Runs the nightly verify workflow's steps as GitHub Actions would, with a fake `shipdeck` and a
fake `gh` on PATH, for one exit code of Shipdeck: the composite action's run step (whose output
`exit-code` the workflow reads), then every later step whose `if:` holds, in order. A hand-written
runner, because GitHub's runner cannot run here; it evaluates only the expression forms the
workflow uses (`==`, `!=`, `&&` over `steps.<id>.outcome` and `steps.<id>.outputs.<name>`) and
fails on any other.

Usage: python workflow_run.py ROOT WORKFLOW EXIT_CODES OPEN_ISSUE
  EXIT_CODES: one code for every `shipdeck` run, or per subcommand: "verify:4,alerts:6".
  OPEN_ISSUE: the number `gh issue list` reports as already open, or "" for none.
Prints one JSON document: {"failed": bool, "gh": [argv, ...], "failed_step": name or null}.
"""
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

root, workflow, codes, open_issue = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if ":" in codes:
    by_command = dict((k, int(v)) for k, v in (c.split(":") for c in codes.split(",")))
else:
    by_command = {"verify": int(codes), "alerts": int(codes)}
wf = yaml.safe_load(open(workflow))
action = yaml.safe_load(open(os.path.join(root, "action.yml")))
steps = wf["jobs"]["verify"]["steps"]

tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
bindir = os.path.join(tmp, "bin")
os.makedirs(bindir)
log = os.path.join(tmp, "gh.log")
with open(os.path.join(bindir, "shipdeck"), "w") as f:
    f.write(
        "#!/bin/sh\necho \"fake shipdeck $*\" >&2\ncase \"$*\" in\n"
        + "".join(f"  *{cmd}*) exit {c} ;;\n" for cmd, c in by_command.items())
        + "esac\nexit 0\n"
    )
with open(os.path.join(bindir, "gh"), "w") as f:
    f.write(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({log!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if sys.argv[1:3] == ['issue', 'list']: print({open_issue!r})\n"
    )
for name in ("shipdeck", "gh"):
    os.chmod(os.path.join(bindir, name), 0o755)

state = {}  # step id -> {"outcome": ..., "outputs": {...}}


def value(expr):
    expr = expr.strip()
    m = re.fullmatch(r"steps\.([\w-]+)\.outcome", expr)
    if m:
        return state.get(m.group(1), {}).get("outcome", "")
    m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
    if m:
        return state.get(m.group(1), {}).get("outputs", {}).get(m.group(2), "")
    m = re.fullmatch(r"'([^']*)'", expr)
    if m:
        return m.group(1)
    raise SystemExit(f"unsupported expression: {expr}")


def holds(cond):
    # As GitHub does: a condition without a status function runs only while the job succeeds.
    if cond is None or job_failed:
        return not job_failed
    ok = True
    for part in cond.split("&&"):
        m = re.fullmatch(r"\s*(.+?)\s*(==|!=)\s*(.+?)\s*", part)
        if not m:
            raise SystemExit(f"unsupported condition: {cond}")
        a, op, b = value(m.group(1)), m.group(2), value(m.group(3))
        ok = ok and ((a == b) if op == "==" else (a != b))
    return ok


def run(script, env):
    out = os.path.join(tmp, "output")
    open(out, "w").close()
    full = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], GITHUB_OUTPUT=out, **env)
    r = subprocess.run(["bash", "-e", "-c", script], env=full, capture_output=True, text=True)
    outputs = dict(l.split("=", 1) for l in open(out).read().splitlines() if "=" in l)
    return r.returncode, outputs


def expand(text):
    # ${{ ... }} in env values: the contexts this runner knows, else a placeholder.
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: value(m.group(1)) if m.group(1).startswith("steps.") else "x", text)


job_failed = False
failed_step = None
for step in steps:
    if not holds(step.get("if")):
        continue
    sid = step.get("id", step.get("name"))
    if step.get("uses", "") == "./" or re.fullmatch(r"[\w.-]+/shipdeck@v\d+", step.get("uses", "")):
        # The action's install step is tested on its own (action_install.py); here the run
        # step calls the fake shipdeck as it would call the installed one.
        run_step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
        env = {"SHIPDECK_BIN": os.path.join(bindir, "shipdeck"), "SHIPDECK_CONFIG": "x",
               "SHIPDECK_PROFILE": "", "ARGS": step["with"]["args"]}
        rc, outputs = run(run_step["run"], env)
    elif "run" in step:
        env = {k: expand(str(v)) for k, v in (step.get("env") or {}).items()}
        rc, outputs = run(step["run"], env)
    else:
        continue  # checkout, credentials: nothing to do here
    state[sid] = {"outcome": "success" if rc == 0 else "failure", "outputs": outputs}
    if rc != 0 and not step.get("continue-on-error"):
        job_failed = True
        failed_step = step.get("name")

calls = [json.loads(l) for l in open(log)] if os.path.exists(log) else []
print(json.dumps({"failed": job_failed, "gh": calls, "failed_step": failed_step}))
