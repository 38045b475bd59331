"""Opens each HTML report type (simulate, plan, sweep) in headless Chromium and
fails on console errors or empty charts; saves a screenshot of each under the
build tree ($TESSERA_BROWSER_OUT, default build/browser).

The report is opened twice: as written, for the screenshot, and as a copy with two
scripts injected (an error trap before everything, a check after load) whose
verdict Chromium's --dump-dom prints: every canvas must hold a Chart.js chart with
at least one finite data point drawn, and ink on it. Skips (exit 77) only where
Chromium is missing or cannot start.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from tessera_cli import run  # noqa: E402

SOURCE = os.environ.get("TESSERA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.environ.get("TESSERA_BROWSER_OUT", os.path.join(SOURCE, "build", "browser"))
SKIP = 77

TRAP = """<script>
window.__tessErrors = [];
window.addEventListener("error", function (e) { window.__tessErrors.push("error: " + e.message); });
window.addEventListener("unhandledrejection", function (e) { window.__tessErrors.push("rejection: " + e.reason); });
(function () {
  var err = console.error, warn = console.warn;
  console.error = function () { window.__tessErrors.push("console.error: " + Array.from(arguments).join(" ")); err.apply(console, arguments); };
  console.warn = function () { window.__tessErrors.push("console.warn: " + Array.from(arguments).join(" ")); warn.apply(console, arguments); };
})();
</script>
"""

CHECK = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var out = { errors: window.__tessErrors, canvases: document.querySelectorAll("canvas").length, charts: [],
              selects: document.querySelectorAll(".controls select").length, sorted: null };
  try {
    Object.values(Chart.instances).forEach(function (c) {
      var finite = 0;
      c.data.datasets.forEach(function (d, i) {
        c.getDatasetMeta(i).data.forEach(function (el) { if (isFinite(el.x) && isFinite(el.y)) finite++; });
      });
      var cv = c.canvas, px = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data, ink = 0;
      for (var k = 3; k < px.length; k += 4) if (px[k] > 0) ink++;
      // What the chart shows, read back from Chart.js: each dataset's points and colour,
      // the x axis range and, for bar charts, how many category labels are drawn.
      var sets = c.data.datasets.map(function (d) {
        return { label: d.label, color: String(d.backgroundColor),
                 xs: d.data.map(function (p) { return p && typeof p === "object" ? p.x : null; }),
                 ys: d.data.map(function (p) { return p && typeof p === "object" ? p.y : p; }) };
      });
      var cat = c.options.indexAxis === "y" ? c.scales.y : null;
      out.charts.push({ id: cv.id, title: String((c.options.plugins.title || {}).text || ""), points: finite,
                        ink: ink, width: cv.width, height: cv.height, datasets: sets,
                        xmin: c.scales.x.min, xmax: c.scales.x.max,
                        labels: (c.data.labels || []).length, ticks: cat ? cat.ticks.length : null });
    });
    // Sorting: click the first numeric column of the first sortable table; it must come out ascending.
    var t = document.querySelector("table.sortable");
    if (t) {
      var cells = t.tBodies[0].rows.length ? t.tBodies[0].rows[0].cells : [];
      var col = Array.prototype.findIndex.call(cells, function (c) { return c.dataset.sort !== undefined; });
      if (col >= 0) {
        t.tHead.rows[0].cells[col].click();
        var keys = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return r.cells[col].dataset.sort; })
          .filter(function (v) { return v !== undefined; }).map(Number);
        out.sorted = keys.every(function (v, i) { return i === 0 || keys[i - 1] <= v; });
      }
      out.columns = Array.prototype.map.call(t.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
    }
  } catch (e) { out.errors.push("check: " + e); }
  var pre = document.createElement("pre");
  pre.id = "browser-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 0); });
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(profile):
    return ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--hide-scrollbars",
            "--virtual-time-budget=5000"]


class Browser:
    def __init__(self):
        self.exe = chromium()
        self.profile = tempfile.mkdtemp(prefix="tessera-chromium-")

    def run(self, *args, timeout=90):
        return subprocess.run([self.exe, *chromium_args(self.profile), *args], capture_output=True, text=True,
                              timeout=timeout)

    def usable(self):
        if not self.exe:
            return "chromium is not installed (scripts/install-deps.sh installs it)"
        try:
            p = self.run("--dump-dom", "data:text/html,<p>ok</p>", timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"chromium cannot run here: {e}"
        if "<p>ok</p>" not in p.stdout:
            return "chromium cannot run here: " + (p.stderr.strip().splitlines() or ["no output"])[-1]
        return None


BROWSER = Browser()


def write_grid(path):
    with open(path, "w") as f:
        f.write("model: llama-3.1-8b\nhardware: p5.48xlarge\ntp: [1, 2, 4, 8]\n"
                "workload: poisson:rate=4,input=512,output=128,n=60\n")


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT, exist_ok=True)

    def check(self, name, html_path, min_charts):
        with open(html_path, encoding="utf-8") as f:
            html = f.read()
        self.assertNotIn("https://cdn", html)
        self.assertNotRegex(html, r"<script[^>]+src=")  # self-contained: nothing fetched
        checked = os.path.join(OUT, name + ".check.html")
        with open(checked, "w", encoding="utf-8") as f:
            f.write(html.replace("<head>\n", "<head>\n" + TRAP, 1).replace("</body>", CHECK + "</body>", 1))
        p = BROWSER.run("--dump-dom", "file://" + os.path.abspath(checked))
        m = re.search(r'<pre id="browser-check">(.*?)</pre>', p.stdout, re.S)
        self.assertIsNotNone(m, f"{name}: the check did not run; chromium stderr: {p.stderr[-2000:]}")
        verdict = json.loads(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                             .replace("&amp;", "&"))
        self.assertEqual(verdict["errors"], [], f"{name}: console errors")
        self.assertNotIn("Uncaught", p.stderr, f"{name}: uncaught exception")
        charts = verdict["charts"]
        self.assertGreaterEqual(len(charts), min_charts, f"{name}: charts {charts}")
        self.assertEqual(len(charts), verdict["canvases"], f"{name}: a canvas without a chart")
        for c in charts:
            self.assertGreater(c["points"], 0, f"{name}: empty chart {c}")
            self.assertGreater(c["ink"], 0.02 * c["width"] * c["height"], f"{name}: blank canvas {c}")
        shot = os.path.join(OUT, name + ".png")
        if os.path.exists(shot):
            os.remove(shot)
        BROWSER.run("--window-size=1400,3000", "--screenshot=" + shot, "file://" + os.path.abspath(html_path))
        self.assertTrue(os.path.exists(shot) and os.path.getsize(shot) > 20000, f"{name}: no screenshot")
        return verdict

    def test_simulate_report(self):
        path = os.path.join(OUT, "simulate.html")
        run("simulate", "--model", "llama-2-70b", "--hardware", "trn1.32xlarge", "--tp", "32", "--workload",
            "poisson:rate=2,input=512,output=256,n=200", "--slo", "ttft_p99=2s,tpot_p99=100ms", "--report", path,
            check=True)
        v = self.check("simulate", path, 8)
        titles = [c["title"] for c in v["charts"]]
        for t in ("TTFT CDF", "TPOT CDF", "E2E latency CDF", "Throughput", "Batch size", "Queue length",
                  "KV cache occupancy", "Iteration time by part"):
            self.assertTrue(any(x.startswith(t) for x in titles), (t, titles))
        self.assertTrue(v["sorted"] in (None, True))

    def chart(self, verdict, title):
        return next(c for c in verdict["charts"] if c["title"].startswith(title))

    def test_simulate_queue_and_cdf_axes(self):
        # Intent: Poisson arrivals land during iterations and wait for the next one (the
        # summary's queue p50 is ~4 ms), so the queue chart read back from the page is not
        # flat 0, as it was when it counted only requests left waiting after a batch was
        # built. An SLO (10 min) far beyond every request does not stretch the CDF axes.
        path = os.path.join(OUT, "simulate-queue.html")
        run("simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1", "--workload",
            "poisson:rate=20,input=512,output=64,n=300", "--slo", "ttft_p99=600s,tpot_p99=600s",
            "--report", path, check=True)
        v = self.check("simulate-queue", path, 8)
        queue = self.chart(v, "Queue length")["datasets"][0]["ys"]
        self.assertGreater(max(queue), 0.1, queue)
        for title in ("TTFT CDF", "TPOT CDF"):
            c = self.chart(v, title)
            self.assertIn("beyond the slowest request", c["title"])
            data_max = max(x for x in c["datasets"][0]["xs"] if x is not None)
            self.assertLessEqual(c["xmax"], 1.1 * data_max, c)

    def test_check_catches_a_broken_page(self):
        # The check itself must fail on an empty chart and on a console error.
        path = os.path.join(OUT, "broken.html")
        run("simulate", "--model", "llama-3.1-8b", "--hardware", "p5.48xlarge", "--tp", "1", "--workload",
            "batch:size=4,input=128,output=32", "--report", path, check=True)
        with open(path, encoding="utf-8") as f:
            html = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(html.replace('"points":[', '"points":[],"dropped":[', 1))
        with self.assertRaisesRegex(AssertionError, "empty chart"):
            self.check("broken", path, 1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(html.replace("</main>", "<script>console.error('boom')</script></main>", 1))
        with self.assertRaisesRegex(AssertionError, "console errors"):
            self.check("broken", path, 1)

    def test_plan_report(self):
        path = os.path.join(OUT, "plan.html")
        p = run("plan", "--model", "llama-3.1-8b", "--workload", "poisson:rate=4,input=512,output=128,n=100",
                "--slo", "ttft_p99=2s,tpot_p99=100ms", "--hardware", "p5.48xlarge,p4d.24xlarge", "--tp", "1,2,8",
                "--pp", "1", "--schedulers", "vllm", "--max-batch", "64", "--probe-requests", "60", "--report", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        v = self.check("plan", path, 2)
        self.assertTrue(v["sorted"], "plan: the cheapest table did not sort")
        bars = self.chart(v, "Output tokens per second per chip")
        self.assertGreater(bars["labels"], 4)
        self.assertEqual(bars["ticks"], bars["labels"], "plan: bar labels skipped")  # every bar named
        systems = {d["label"]: d["color"] for d in bars["datasets"]}
        self.assertEqual(set(systems), {"p5.48xlarge", "p4d.24xlarge"})        # one series per system
        self.assertEqual(len(set(systems.values())), 2, systems)                 # each its own colour

    def test_sweep_report(self):
        if run("sweep", "--help").returncode != 0:
            self.skipTest("this build has no sweep command")
        with tempfile.TemporaryDirectory() as d:
            grid = os.path.join(d, "grid.yaml")
            write_grid(grid)
            path = os.path.join(OUT, "sweep.html")
            p = run("sweep", "--grid", grid, "--out", os.path.join(d, "r.sqlite"), "--quiet", "--report", path)
            self.assertEqual(p.returncode, 0, p.stderr)
        v = self.check("sweep", path, 1)
        self.assertEqual(v["selects"], 2, "sweep: the explorer's x and y drop-downs")
        # The swept input first, then the metrics, before the dozens of fixed options.
        cols = v["columns"]
        self.assertEqual(cols[0], "tp", cols)
        self.assertLess(cols.index("output_tokens_per_s"), 15, cols)
        self.assertLess(cols.index("ttft_p99_s"), 15, cols)
        self.assertTrue(v["sorted"], "sweep: the runs table did not sort")


if __name__ == "__main__":
    why = BROWSER.usable()
    if why:
        print(f"SKIP: {why}")
        sys.exit(SKIP)
    unittest.main(verbosity=2)
