"""Make three runs with different learning rates through the Python tracking API, as a
small sweep would, into the store named by DLOPS_STORE. Prints the run ids, one a line."""

from __future__ import annotations

import jupyter_dlops as dlops


def main() -> None:
    store = dlops.open_store()
    if store.search_run_ids('experiment = "ui-tests"'):
        return  # seeded already (Playwright runs beforeAll again after a failed test)
    for lr in (0.1, 0.01, 0.001):
        with dlops.start_run(name=f"sweep-lr-{lr}", params={"lr": lr, "epochs": 3},
                             experiment="ui-tests", capture=False) as run:
            for step in range(3):
                dlops.log_metric("loss", 1.0 / (step + 1) + lr, step=step)
                dlops.log_metric("acc", 0.5 + 0.1 * step - lr, step=step)
            print(run.run_id)


if __name__ == "__main__":
    main()
