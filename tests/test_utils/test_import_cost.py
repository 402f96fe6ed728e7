"""Importing fbp_mm loads no heavy optional package: every tool process
and dataloader worker pays for what ``import fbp_mm`` pulls in."""
import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# used only inside functions (metrics, plots, faces, export)
LAZY = ('scipy', 'matplotlib', 'onnx', 'onnxruntime', 'dlib', 'skimage',
        'timm', 'face_recognition_models')


def test_import_loads_no_heavy_optional_package():
    code = ('import json, sys\nimport fbp_mm  # noqa: F401\n'
            f'print(json.dumps(sorted(m for m in {LAZY!r} '
            'if m in sys.modules)))')
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=REPO_ROOT,
                                   OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
