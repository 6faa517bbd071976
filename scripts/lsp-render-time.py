#!/usr/bin/env python3
"""How long the language server takes from opening a file of a chart (or of a
kustomization) to publishing the render's diagnostics.

usage: scripts/lsp-render-time.py [--podlint PATH] [--runs N] FILE...

Each FILE is opened in a fresh `podlint lsp` (release build by default), N
times (default 5); prints the median and the range of open -> diagnostics in
ms, and the server's own render time from its log. helm and kubectl are taken
from PATH, else from the repository's .tools/bin.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        if line.startswith(b"Content-Length: "):
            length = int(line.split(b": ")[1])
    return json.loads(stream.read(length))


def send(process, body):
    data = json.dumps(body).encode()
    process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    process.stdin.flush()


def once(podlint, path):
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + os.pathsep + str(REPO / ".tools/bin")
    process = subprocess.Popen(
        [podlint, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=path.parent
    )
    send(process, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"processId": None, "rootUri": path.parent.as_uri(), "capabilities": {}}})
    while message(process.stdout).get("id") != 1:
        pass
    send(process, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    started = time.perf_counter()
    send(process, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": path.read_text()}}})
    while True:
        received = message(process.stdout)
        if received is None:
            sys.exit(f"podlint lsp ended before rendering {path}")
        text = received.get("params", {}).get("message", "")
        if received.get("method") == "window/logMessage" and text.startswith("rendered "):
            elapsed = (time.perf_counter() - started) * 1000
            server = float(text.rsplit(" in ", 1)[1].split()[0])
            break
    send(process, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    send(process, {"jsonrpc": "2.0", "method": "exit", "params": None})
    process.wait()
    return elapsed, server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--podlint", default=str(REPO / "target/release/podlint"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    for file in args.files:
        path = file.resolve()
        times = [once(args.podlint, path) for _ in range(args.runs)]
        wall = [t[0] for t in times]
        server = [t[1] for t in times]
        print(f"{file}: open -> diagnostics median {statistics.median(wall):.0f} ms "
              f"(min {min(wall):.0f}, max {max(wall):.0f}; server render median "
              f"{statistics.median(server):.0f} ms) over {args.runs} runs")


if __name__ == "__main__":
    main()
