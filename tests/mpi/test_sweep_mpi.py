"""`mpirun -np 2 tessera sweep` on localhost: the ranks split the grid, rank 0 merges
into one file, and that file equals the threaded run's (CSV byte for byte, SQLite
rows value for value). Exits 77 (ctest: skipped) with a message where mpirun or an
MPI-enabled tessera is missing."""
import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ.get("TESSERA_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "tessera"))
GRID = """\
model: llama-3.2-1b
hardware: p5.48xlarge
tp: [1, 2, 4]
workload: ["poisson:rate=40,input=64,output=16,n=40", "closed:concurrency=4,input=128,output=8,n=12"]
seed: [1, 2, 3]
points:
  - {scheduler: vllm}
  - {scheduler: sarathi, chunk-tokens: 64}
"""


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(77)


def rows(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT * FROM runs ORDER BY grid_index").fetchall()


def main():
    if os.environ.get("TESSERA_MPI", "1") in ("0", "", "FALSE", "OFF"):
        skip("tessera was built without MPI (install libopenmpi-dev and reconfigure)")
    mpirun = os.environ.get("MPIEXEC") or shutil.which("mpirun") or shutil.which("mpiexec")
    if not mpirun or not os.path.exists(mpirun):
        skip("mpirun not found (install openmpi-bin)")
    env = dict(os.environ)
    launcher = [mpirun, "-np", "2"]
    version = subprocess.run([mpirun, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version or "OpenRTE" in version:
        launcher.append("--oversubscribe")  # 2 ranks even on a 1-core runner
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_btl_vader_single_copy_mechanism="none", OMPI_MCA_rmaps_base_oversubscribe="1")
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        (d / "grid.yaml").write_text(GRID)
        common = ["sweep", "--grid", str(d / "grid.yaml"), "--jobs", "1"]
        t = subprocess.run([BIN, *common, "--out", str(d / "t.sqlite"), "--csv", str(d / "t.csv")],
                           capture_output=True, text=True, timeout=240)
        assert t.returncode == 0, t.stderr
        m = subprocess.run([*launcher, BIN, *common, "--out", str(d / "m.sqlite"), "--csv", str(d / "m.csv")],
                           capture_output=True, text=True, timeout=240, env=env)
        assert m.returncode == 0, f"mpirun exited {m.returncode}: {m.stdout}{m.stderr}"
        assert "2 rank(s)" in m.stderr, m.stderr
        assert not (d / "m.sqlite.tmp-tessera").exists()
        t_rows, m_rows = rows(d / "t.sqlite"), rows(d / "m.sqlite")
        assert len(t_rows) == 36, len(t_rows)
        assert m_rows == t_rows, "MPI rows differ from the threaded run's"
        assert (d / "m.csv").read_bytes() == (d / "t.csv").read_bytes(), "MPI CSV differs from the threaded run's"
        # Resume under MPI: nothing left to run.
        r = subprocess.run([*launcher, BIN, *common, "--out", str(d / "m.sqlite")], capture_output=True, text=True,
                           timeout=240, env=env)
        assert r.returncode == 0 and "0 runs (0 failed), 36 already in" in r.stderr, r.stderr
    print("mpi sweep: 36 runs on 2 ranks equal the threaded run")


if __name__ == "__main__":
    main()
