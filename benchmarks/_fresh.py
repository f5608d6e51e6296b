"""What overhead.py and mlp.py share: one measurement in a fresh process, and the CPU's name."""
import json
import os
import platform
import shlex
import subprocess
import sys


def run_child(script, path, args, what):
    """Run `script --child ARGS` in a fresh Python with `path` first on sys.path; its last
    stdout line is JSON, returned parsed. A failed child stops the benchmark, naming `what`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = path + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, os.path.abspath(script), "--child", *args],
                         env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        sys.exit(f"the {what} run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def reproduce_line(script, argv=None):
    """The line a benchmark prints last: the command that reproduces its figures."""
    cmd = shlex.join([sys.executable, os.path.relpath(os.path.abspath(script))] +
                     (argv if argv is not None else sys.argv[1:]))
    return f"\nreproduce: cd {shlex.quote(os.getcwd())} && {cmd}"
