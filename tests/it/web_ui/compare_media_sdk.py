# Plots and debug samples of three experiments for the compare page's Plots and Debug
# samples tabs (issue 25, missing 4), written by the real SDK. Each experiment k (0, 1, 2)
# reports a histogram whose one bar is 10 * (k + 1) high and a table naming it, and per
# iteration i (0..3) an image 20 + 10 * k + i pixels high, so a cell tells which
# experiment and iteration it shows. Only experiment 1 reports the confusion matrix and
# the mask samples; experiment 2 reports no table. Names are German, Russian and Chinese,
# with markup.
# Prints {"project": id, "tasks": [ids], "names": [...]} as JSON.
import json

import numpy as np
from clearml import Task

ids, names = [], []
for k in range(3):
    name = f"Lauf запуск 运行 {k} <b>x</b>"
    task = Task.init(project_name="Vergleich Медиа 媒体", task_name=name,
                     reuse_last_task_id=False, auto_connect_frameworks=False,
                     auto_resource_monitoring=False)
    log = task.get_logger()
    log.report_histogram("Verteilung распределение 分布", "Höhe", iteration=0,
                         values=[10.0 * (k + 1)], xlabels=["nur"])
    if k != 2:
        log.report_table("Tabelle таблица", "Zeilen", iteration=0,
                         table_plot=[["Lauf", "Wert"], [f"lauf {k}", str(k * 1.5)]])
    if k == 1:
        log.report_confusion_matrix("Matrix матрица", "nur eins", iteration=0,
                                    matrix=np.array([[1, 2], [3, 4]]))
    for i in range(4):
        image = np.full((20 + 10 * k + i, 30, 3), 40 * k + i, dtype=np.uint8)
        log.report_image("Eingabe входы 输入", "Bild <i>i</i>", iteration=i, image=image,
                         max_image_history=-1)
        if k == 1:
            log.report_image("Masken маски", "maske", iteration=i, image=image,
                             max_image_history=-1)
    log.flush(wait=True)
    task.flush(wait_for_uploads=True)
    task.close()
    ids.append(task.id)
    names.append(name)
print(json.dumps({"project": task.project, "tasks": ids, "names": names}))
