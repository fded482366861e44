"""torchvision's ResNet18 with a stem for 28x28 and 32x32 images.

The ImageNet stem (7x7 stride-2 convolution, then max-pool) shrinks a 32x32 image to 8x8
before the first block; a 3x3 convolution and no pooling keep the full resolution, or half
of it with `stem_stride=2`, which is plenty for a 28x28 digit and makes the network twice
as fast to train and to run.
"""

from torch import nn
from torchvision.models import resnet18 as torchvision_resnet18


def resnet18(channels: int = 3, num_classes: int = 10, image_size: int = 32, stem_stride: int = 1) -> nn.Module:
    model = torchvision_resnet18(num_classes=num_classes)
    model.conv1 = nn.Conv2d(channels, 64, kernel_size=3, stride=stem_stride, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model
