"""`dxmatch model train|status`: what the engine learns from decisions; `dxmatch.cli` calls `register(main)`."""
from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add the model commands to the `dxmatch` group."""

    @main.group("model")
    def model_group() -> None:
        """What the engine learns from decisions: the learner and the score calibrator."""

    @model_group.command("train")
    def train_cmd() -> None:
        """Retrain from the database's decisions and publish with the index (what the background job does)."""
        from dxmatch.cli_match import runtime_matcher
        from dxmatch.cli_runtime import cli_runtime
        from services import model_training

        runtime = cli_runtime()
        runtime_matcher(runtime)  # the model is trained on the published index: pending work and a first build first
        click.echo(model_training.describe(runtime.train_model()))

    @model_group.command("status")
    def status_cmd() -> None:
        """The current model: what it saw, what it learned, and how many decisions came since."""
        from dxmatch.cli_runtime import cli_runtime
        from services import model_training

        runtime = cli_runtime()
        info = model_training.read_info(runtime.store.root)
        with runtime.sessions() as session:
            events = model_training.decision_events(session)
        if info is None:
            click.echo(f"no model trained yet; {events} decisions recorded (training starts after "
                       f"{model_training.BATCH}, or run `dxmatch model train`)")
            return
        click.echo(f"{model_training.describe(info)}; {max(0, events - int(info['events']))} new decisions since")
