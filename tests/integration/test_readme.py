"""The README's quoted example output is what the binary prints, exactly (regenerate it by running the command)."""
import re
import unittest

from tessera_cli import SOURCE, run


class ReadmeExample(unittest.TestCase):
    def test_quoted_simulate_output_is_current(self):
        # Intent: the first thing a reader sees is a real run, byte for byte.
        text = (SOURCE / "README.md").read_text()
        m = re.search(r"```console\n\$ build/tessera (simulate [^\n]+)\n(.*?)```\n", text, re.S)
        self.assertIsNotNone(m)
        out = run(*m.group(1).split(), check=True).stdout
        self.assertEqual(m.group(2), out)


if __name__ == "__main__":
    unittest.main()
