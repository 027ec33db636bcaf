"""Amazon SageMaker bring-your-own-container entry points: ``quickstock sagemaker train|serve``.

Everything lives under ``$SAGEMAKER_BASE_DIR`` (default ``/opt/ml``), as the SageMaker training
and hosting contracts lay it out:

- ``input/config/hyperparameters.json`` — training settings, every value a string;
- ``input/data/training/`` — the training channel: CSV or Parquet files in the long
  ``unique_id, ds, y`` format;
- ``model/`` — the trained model (written by ``train``, read by ``serve``);
- ``output/failure`` — why training failed (SageMaker shows its first 1024 characters).

See ``docs/sagemaker.md`` for the request and response formats of ``serve``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Paths", "paths"]


@dataclass(frozen=True)
class Paths:
    """The SageMaker directory layout under one base directory."""

    base: str

    @property
    def hyperparameters(self) -> str:
        """``input/config/hyperparameters.json``."""
        return os.path.join(self.base, "input", "config", "hyperparameters.json")

    @property
    def training(self) -> str:
        """``input/data/training`` (the training channel)."""
        return os.path.join(self.base, "input", "data", "training")

    @property
    def model(self) -> str:
        """``model`` (where the trained model is written and served from)."""
        return os.path.join(self.base, "model")

    @property
    def output_data(self) -> str:
        """``output/data`` (other training artifacts)."""
        return os.path.join(self.base, "output", "data")

    @property
    def failure(self) -> str:
        """``output/failure`` (the failure reason of a training job)."""
        return os.path.join(self.base, "output", "failure")


def paths(base: str | None = None) -> Paths:
    """The layout under ``base``, else ``$SAGEMAKER_BASE_DIR``, else ``/opt/ml``."""
    return Paths(base or os.environ.get("SAGEMAKER_BASE_DIR") or "/opt/ml")
