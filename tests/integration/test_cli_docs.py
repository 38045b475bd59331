"""docs/cli.md is generated from the CLI's own definitions (`tessera help-markdown`):
it must match the binary exactly. Regenerate it with tools/update_cli_docs.sh."""
import unittest

from tessera_cli import SOURCE, run


class CliDocs(unittest.TestCase):
    def test_docs_cli_md_is_current(self):
        generated = run("help-markdown", check=True).stdout
        with open(SOURCE / "docs" / "cli.md", encoding="utf-8") as f:
            committed = f.read()
        if committed != generated:
            a, b = committed.splitlines(), generated.splitlines()
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            self.fail(f"docs/cli.md is stale (first difference at line {first + 1}); "
                      "run tools/update_cli_docs.sh build/tessera")

    def test_every_command_and_option_is_listed(self):
        md = run("help-markdown", check=True).stdout
        for cmd in ("simulate", "plan", "sweep", "collective", "validate", "hardware list", "models show"):
            self.assertIn(f"`tessera {cmd}`", md)
        self.assertNotIn("help-markdown`", md.split("-->", 1)[1])  # hidden command stays hidden
        for opt in ("--model", "--report", "--workload", "--slo", "--json"):
            self.assertIn(f"`{opt}`", md)
        # one table row per option of `simulate --help`
        helptext = run("simulate", "--help", check=True).stdout
        section = md.split("## `tessera simulate`", 1)[1].split("\n## ", 1)[0]
        for line in helptext.splitlines():
            word = line.strip().split(" ")[0]
            if word.startswith("--") and word != "--help":
                self.assertIn(f"`{word.split(',')[0]}`", section, word)


if __name__ == "__main__":
    unittest.main()
