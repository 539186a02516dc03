import subprocess
import sys

import skdir


def test_public_api():
    for name in skdir.__all__:
        assert hasattr(skdir, name), name


def test_import_without_torch():
    # Block torch and skorch: the core must import, skdir.nn must say what to install.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'skorch'):\n"
        "            raise ImportError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import skdir, skdir.metrics, skdir.model_selection\n"
        "try:\n"
        "    import skdir.nn\n"
        "except ImportError as exc:\n"
        "    print('nn:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    if "nn:" in out.stdout:
        assert "scikit-dir[torch]" in out.stdout, out.stdout
