"""Shared by capture_vectors.py (Python 2) and capture_vectors_py3.py: the
corpus manifest, one JSON file listing every vector, merged per Python major
version so that either script can be re-run alone."""
import json
import os


def write_manifest(out_dir, entries, python):
    path = os.path.join(out_dir, "manifest.json")
    old = []
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
    keep = [e for e in old if not e["python"].startswith("%d." % python)]
    all_entries = sorted(keep + entries, key=lambda e: e["file"])
    with open(path, "w") as f:
        json.dump(all_entries, f, indent=1, sort_keys=True, separators=(",", ": "))
        f.write("\n")
