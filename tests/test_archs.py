"""The architectures: ResNet18 as torchvision builds it, and none of them importing torchvision."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from models.archs.resnet import resnet18

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("channels, stem_stride", [(3, 1), (1, 2)])
def test_resnet18_is_torchvisions_with_a_small_stem(channels, stem_stride):
    """Same parameter names and shapes, and the same answers from the same weights."""
    from torchvision.models import resnet18 as torchvision_resnet18

    reference = torchvision_resnet18(num_classes=10)
    reference.conv1 = nn.Conv2d(channels, 64, kernel_size=3, stride=stem_stride, padding=1, bias=False)
    reference.maxpool = nn.Identity()
    ours = resnet18(channels=channels, num_classes=10, stem_stride=stem_stride)
    theirs = reference.state_dict()
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.items()}
    ours.load_state_dict(theirs)
    images = torch.randn(2, channels, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(ours.eval()(images), reference.eval()(images))


def test_loading_every_model_imports_no_torchvision():
    """torchvision imports torch._dynamo and triton: 200 MB and seconds that the app does not need."""
    probe = (
        "import sys, models\n"
        "from models.archs import build_network\n"
        "from models.registry import MODELS\n"
        "for model_spec in MODELS.values():\n"
        "    build_network(model_spec)\n"
        "print(sorted(m for m in ('torchvision', 'torch._dynamo', 'triton') if m in sys.modules))\n"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
