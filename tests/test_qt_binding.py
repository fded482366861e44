"""Guards against a broken Qt binding: the app paints thousands of paths while the pen moves."""

import sys

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter, QPainterPath


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on: nothing to guard")
def test_void_qt_calls_keep_the_reference_count_of_none():
    # PySide6 6.12.0 decremented None's count on every void call; on Python 3.11, where None
    # is not immortal, a long drawing session then ends in "deallocating None".
    path = QPainterPath(QPointF(0, 0))
    image = QImage(8, 8, QImage.Format.Format_Grayscale8)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(500):
        path.quadTo(1.0, 2.0, 3.0, 4.0)
        painter.drawPath(path)
    painter.end()
    assert abs(sys.getrefcount(None) - before) < 100
