# Every plot type the SDK writes, for the web UI's Plots and Scalars tabs (issue 25):
# histogram, confusion matrix, table, scatter with markers and axis titles, 3D, a
# matplotlib-converted figure (as the SDK's own converter writes it: matplotlib is not in
# the test venv), single values, hostile titles and values, and a dataset's own plots.
# Prints {"task": id, "project": id, "dataset": id, "dataset_project": id} as JSON.
import json
import math
import os
import tempfile

import numpy as np
from clearml import Dataset, Task

task = Task.init(project_name="Графики Plots 图表", task_name="Alle Plots все графики 全部",
                 reuse_last_task_id=False, auto_connect_frameworks=False,
                 auto_resource_monitoring=False)
log = task.get_logger()
log.report_histogram("Verteilung Распределение 分布", "Klassen классы", values=[3, 7, 1, 9],
                     iteration=0, xlabels=["кошка", "Hund", "鸟", "<b>fish</b>"],
                     xaxis="Klasse класс", yaxis="Anzahl число")
log.report_confusion_matrix("Konfusion Матрица 混淆", "val", iteration=0,
                            matrix=np.array([[50, 2, 1], [3, 45, 4], [0, 5, 40]]),
                            xlabels=["кот", "Hund", "鸟"], ylabels=["кот", "Hund", "鸟"],
                            xaxis="vorhergesagt", yaxis="wahr")
log.report_table("Tabelle Таблица 表", "Ergebnisse", iteration=0,
                 table_plot=[["Name имя", "Wert значение"], ["Genauigkeit точность", 0.93],
                             ["<script>alert(1)</script>", "x<y & z"], ["Verlust 损失", 0.25]])
log.report_scatter2d("Streuung Разброс 散点", "Punkte точки",
                     scatter=[[1, 2], [2, 4], [3, 1], [4, 3], [5, 5]], iteration=0,
                     xaxis="Epoche эпоха", yaxis="Wert значение", mode="markers")
log.report_scatter2d("Streuung Разброс 散点", "Linie линия",
                     scatter=[[1, 1], [2, 2], [3, 3], [4, 4], [5, 6]], iteration=0,
                     xaxis="Epoche эпоха", yaxis="Wert значение", mode="lines+markers")
log.report_scatter3d("Raum Пространство 空间", "Wolke облако",
                     scatter=[[1, 2, 3], [4, 5, 6], [7, 8, 9]], iteration=0)
log.report_surface("Fläche Поверхность 曲面", "z", matrix=np.array([[1, 2], [3, 4]]), iteration=0)
# What the SDK's matplotlib converter writes for plt.plot(...); plt.title(...); plt.xlabel(...)
log.report_plotly("Matplotlib Рисунок 图", "Quadrate Квадраты 平方", iteration=0, figure={
    "data": [{"type": "scatter", "x": [0, 1, 2, 3], "y": [0, 1, 4, 9], "mode": "lines",
              "xaxis": "x1", "yaxis": "y1", "name": "_line0"}],
    "layout": {"title": "Quadrate Квадраты 平方", "xaxis1": {"title": "x Ось"},
               "yaxis1": {"title": "x² Значение"}, "showlegend": False}})
# Hostile: markup in titles and names, non-finite values, one huge series.
log.report_scatter2d("<img src=x onerror=alert(1)>", "<b>s</b>",
                     scatter=[[0, 1], [1, float("nan")], [2, float("inf")], [3, 2]],
                     iteration=0, xaxis="<i>x</i>", mode="lines+markers")
huge = np.stack([np.arange(200000), np.sin(np.arange(200000) / 1000.0)], axis=1)
log.report_scatter2d("Riesig Огромный 巨大", "sin", scatter=huge, iteration=0, mode="markers")
log.report_single_value("Genauigkeit точность 精度", 0.9375)
log.report_single_value("Verlust потеря", 0.125)
log.report_scalar("loss", "train", value=0.5, iteration=1)
log.flush()
task.close()

root = tempfile.mkdtemp()
for name, text in [("a.txt", "eins"), ("b.csv", "x,y\n1,2\n"), ("c.csv", "1\n")]:
    with open(os.path.join(root, name), "w") as f:
        f.write(text)
ds = Dataset.create(dataset_project="Daten Данные 数据", dataset_name="Satz набор 集")
ds.add_files(root)
ds.upload()
ds.finalize()
dtask = Task.get_task(task_id=ds.id)
print(json.dumps({"task": task.id, "project": task.project, "dataset": ds.id,
                  "dataset_project": dtask.project}))
