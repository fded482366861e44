"""Failures turned into messages leave a trace in the log, with their tracebacks."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from app import tasks
from models.answering import Answerer, Loading, Request
from models.registry import Preparation


def test_loading_logs_each_model_as_it_becomes_ready(install_untrained, caplog):
    install_untrained("mnist_cnn")
    answerer = Answerer()
    loading = Loading(answerer, ["mnist_cnn", "vit_mnist"], "cpu")  # vit_mnist has no weights here
    with caplog.at_level(logging.INFO, logger="models.answering"):
        while not loading.done:
            loading.step()
        loaded = loading.finish()
    messages = [record.getMessage() for record in caplog.records]
    assert "ready: mnist_cnn on cpu" in messages
    assert "all models loaded: mnist_cnn on cpu" in messages
    failure = next(record for record in caplog.records if record.getMessage() == "could not load vit_mnist")
    assert failure.exc_info is not None and "vit_mnist" in loaded.errors


def test_an_answer_that_fails_is_logged_with_its_traceback(install_untrained, caplog, monkeypatch):
    import models.answering

    install_untrained("mnist_cnn")
    answerer = Answerer()
    loading = Loading(answerer, ["mnist_cnn"], "cpu")
    loading.step()
    monkeypatch.setattr(models.answering, "to_native", lambda image, dataset: 1 / 0)
    with caplog.at_level(logging.INFO, logger="models.answering"):
        answer = answerer.answer(Request(1, b"", ("mnist_cnn",), Preparation.NONE))
    assert "division by zero" in answer.errors["input"]
    assert any(record.exc_info and record.exc_info[0] is ZeroDivisionError for record in caplog.records)


@pytest.mark.parametrize(("error", "level"), [(OSError("disk gone"), logging.WARNING), (None, logging.INFO)])
def test_a_failed_background_job_is_logged(qtbot, caplog, error, level):
    from PySide6.QtCore import QObject

    from models.errors import ImageError

    raised = error if error is not None else ImageError("an odd file")  # expected: written for users already

    def job(progress, cancelled):
        raise raised

    said = []
    owner = QObject()
    with caplog.at_level(logging.INFO, logger="app.tasks"):
        tasks.start(job, lambda result: None, said.append, owner)
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == [str(raised)]
    (record,) = [r for r in caplog.records if r.name == "app.tasks"]
    assert record.levelno == level and record.exc_info is not None


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_a_device_the_machine_lacks_is_told_to_the_user_not_dumped_as_a_traceback(install_untrained, qtbot, caplog):
    """Only --verbose (INFO) shows the traceback of an expected condition written for users."""
    from app.worker import InferenceWorker

    install_untrained("mnist_cnn")
    worker = InferenceWorker(1)
    said = []
    worker.failed.connect(said.append)
    with caplog.at_level(logging.INFO, logger="app.worker"):
        worker.load(["mnist_cnn"], "cuda")
    assert said and "CUDA device is not available" in said[0]
    (record,) = [r for r in caplog.records if r.name == "app.worker"]
    assert record.levelno == logging.INFO and record.exc_info is not None
    worker.close()


def test_a_heat_map_by_occlusion_given_up_for_a_newer_question_leaves_the_bars(install_untrained, caplog):
    install_untrained("mnist_cnn")
    answerer = Answerer()
    Loading(answerer, ["mnist_cnn"], "cpu").step()
    picture = np.zeros((28, 28), np.uint8)
    request = Request(1, picture, ("mnist_cnn",), explain="mnist_cnn", occlusion=True, superseded=lambda: True)
    with caplog.at_level(logging.INFO, logger="models.answering"):
        answer = answerer.answer(request)
    assert answer.probabilities["mnist_cnn"].shape == (10,) and answer.heat is None and not answer.errors
    assert "mnist_cnn's heat map was given up for a newer question" in caplog.text
