"""Time scikit-learn's KMeans on raw RGB pixels, for bench/kmeans-bench.js.

usage: sklearn_fit.py PIXELS.rgb K [K ...]
PIXELS.rgb holds packed 8-bit RGB triples (no header). For each K, prints one JSON line:
{"k": K, "inertia": ..., "seconds": ..., "cpu_seconds": ..., "iterations": ..., "centroids": [[r, g, b], ...]}
Only the .fit() call is timed (wall clock, and CPU time summed over its threads), not the
file read or the float conversion.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def main() -> None:
    path = sys.argv[1]
    ks = [int(a) for a in sys.argv[2:]]
    raw = np.fromfile(path, dtype=np.uint8)
    X = raw.reshape(-1, 3).astype(np.float64)
    for k in ks:
        model = KMeans(n_clusters=k, n_init=10, random_state=0)
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.fit(X)
        seconds = time.perf_counter() - t0
        cpu_seconds = time.process_time() - c0
        print(json.dumps({
            "k": k,
            "inertia": float(model.inertia_),
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "iterations": int(model.n_iter_),
            "centroids": model.cluster_centers_.round(4).tolist(),
        }), flush=True)


if __name__ == "__main__":
    main()
