# Data for the web UI tests, written by the real SDK: two experiments with scalars, a
# plot, a debug image, console output, parameters, a configuration object, an artifact
# and an output model; one of them named with markup (it must show as text); and an SDK
# pipeline run, a diamond (report after prepare and train), its steps finished by a
# worker thread of this script. Prints ids as JSON.
import json
import os
import sys
import threading
import time

import numpy as np
from clearml import OutputModel, PipelineController, Task
from clearml.backend_api.session.client import APIClient

project = sys.argv[1]
evil = "<script>alert('x')</script> Обучение 训练"
ids = {}

for n, (name, lr) in enumerate([(evil, 0.1), ("baseline Größe", 0.01)]):
    task = Task.init(project_name=project, task_name=name, reuse_last_task_id=False, output_uri=True,
                     auto_connect_frameworks=False, auto_resource_monitoring=False)
    task.add_tags(["<b>tag</b>", "web"])
    task.connect({"lr": lr, "epochs": 3, "note": "<i>not italic</i>"}, name="Args")
    task.connect_configuration({"layers": [64, 32], "dropout": 0.5}, name="model config")
    log = task.get_logger()
    for i in range(60):
        log.report_scalar("loss", "train", value=1.0 / (1 + i * lr * 10), iteration=i)
        log.report_scalar("loss", "val", value=1.2 / (1 + i * lr * 8), iteration=i)
        log.report_scalar("accuracy", "val", value=0.5 + i * 0.004 * (n + 1), iteration=i)
    log.report_scatter2d("pr", "curve", iteration=0, scatter=[[0, 1], [0.5, 0.8], [1, 0.2]],
                         xaxis="recall", yaxis="precision")
    image = (np.arange(32 * 32 * 3).reshape(32, 32, 3) % 255).astype(np.uint8)
    log.report_image("samples", "first", iteration=0, image=image)
    print("console line with <b>markup</b> & ampersand")
    print("epoch 3 done: Обучение 训练")
    task.upload_artifact("stats", artifact_object={"rows": 3, "name": "<stats>"}, wait_on_upload=True)
    weights = os.path.join(os.environ["HOME"], "weights-%d.bin" % n)
    with open(weights, "wb") as f:
        f.write(os.urandom(2048))
    model = OutputModel(task=task, name="model <%d>" % n, framework="PyTorch")
    model.update_weights(weights_filename=weights, auto_delete_file=False, async_enable=False)
    task.flush(wait_for_uploads=True)
    ids.setdefault("tasks", []).append(task.id)
    ids.setdefault("models", []).append(model.id)
    task.close()

# A pipeline run: base tasks, a queue, the SDK controller, and a worker thread that
# completes whatever is enqueued (no agent needed).
client = APIClient()
queue_name = "web-ui-queue-" + project.replace("/", "-").replace(" ", "-")
qid = client.queues.create(name=queue_name).id
for name in ["prepare", "train", "report"]:
    Task.create(project_name=project, task_name=name, task_type="training")
stop = threading.Event()


def worker():
    while not stop.is_set():
        entry = client.queues.get_next_task(queue=qid)
        tid = getattr(getattr(entry, "entry", None), "task", None)
        if not tid:
            time.sleep(0.1)
            continue
        client.tasks.started(task=tid, force=True)
        client.tasks.completed(task=tid, force=True)


thread = threading.Thread(target=worker, daemon=True)
thread.start()
pipe = PipelineController(name="web-pipe", project=project, version="1.0.0",
                          add_pipeline_tags=False, pool_frequency=0.01)
pipe.set_default_execution_queue(queue_name)
pipe.add_step(name="prepare", base_task_project=project, base_task_name="prepare")
pipe.add_step(name="train", parents=["prepare"], base_task_project=project, base_task_name="train")
pipe.add_step(name="report", parents=["prepare", "train"], base_task_project=project, base_task_name="report")
pipe.start_locally(run_pipeline_steps_locally=False)
stop.set()
ids["pipeline"] = pipe.id
print(json.dumps(ids))
