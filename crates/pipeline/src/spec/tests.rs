use super::*;

const GOOD: &str = r#"
[pipeline]
name = "ML Training Pipeline"
project = "ResearchHub"
default_queue = "default"
[pipeline.parameters]
dataset = "s3://bucket/raw.csv"

[[step]]
name = "fetch_data"
base_task_project = "ResearchHub"
base_task_name = "Data Fetch Template"
parameters = { "Args/source" = "${pipeline.dataset}" }

[[step]]
name = "train"
parents = ["preprocess"]
base_task_id = "aaaabbbbccccddddeeeeffff00001111"
time_limit = "2h"
retry_on_failure = 2

[[step]]
name = "preprocess"
base_task_project = "ResearchHub"
base_task_name = "Preprocess Template"
execution_queue = "cpu"
parameters = { "Args/input" = "${fetch_data.artifacts.data.url}", "Args/n" = 3 }
"#;

fn messages(text: &str) -> Vec<String> {
    parse(text, &[])
        .unwrap_err()
        .iter()
        .map(|p| p.render("f.toml", text))
        .collect()
}

#[test]
fn a_good_file_gives_a_dag_in_launch_order() {
    let s = parse(GOOD, &[]).unwrap();
    let order: Vec<&str> = s.order.iter().map(|&i| s.steps[i].name.as_str()).collect();
    assert_eq!(order, ["fetch_data", "preprocess", "train"]);
    // the reference made fetch_data a parent of preprocess
    assert_eq!(s.step("preprocess").unwrap().parents, ["fetch_data"]);
    assert_eq!(s.queue_of(s.step("preprocess").unwrap()), Some("cpu"));
    assert_eq!(s.queue_of(s.step("train").unwrap()), Some("default"));
    assert_eq!(
        s.step("train").unwrap().time_limit,
        Some(Duration::from_secs(7200))
    );
    let fetch = s.step("fetch_data").unwrap();
    assert_eq!(
        s.static_parameters(fetch),
        [("Args/source".to_string(), "s3://bucket/raw.csv".to_string())]
    );
    assert_eq!(
        s.step("preprocess").unwrap().parameters[1],
        ("Args/n".to_string(), "3".to_string())
    );
}

#[test]
fn param_overrides_replace_and_unknown_ones_fail() {
    let s = parse(GOOD, &[("dataset".into(), "s3://other".into())]).unwrap();
    assert_eq!(s.parameter("dataset"), Some("s3://other"));
    let e = parse(GOOD, &[("datset".into(), "x".into())]).unwrap_err();
    assert!(e[0].message.contains("did you mean 'dataset'"), "{e:?}");
}

#[test]
fn toml_errors_have_line_and_column() {
    let m = messages("[pipeline]\nname = \"x\nproject = 1\n");
    assert_eq!(m.len(), 1);
    assert!(m[0].starts_with("f.toml:2:"), "{m:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"[pipeline]
name = "p"
project = "Проект"
defualt_queue = "q"

[[step]]
name = "a"
parents = ["c"]
base_task_id = "x"
paramters = {}

[[step]]
name = "b"
parents = ["zz"]
base_task_id = "y"
parameters = { "Args/x" = "${nope.id}", "Args/y" = "${pipeline.missing}" }

[[step]]
name = "c"
parents = ["a"]
base_task_id = "z"

[[step]]
name = "a"
base_task_id = "w"
"#;
    let m = messages(text);
    let all = m.join("\n");
    assert!(
        all.contains(
            "f.toml:4:1: unknown key in [pipeline] 'defualt_queue' (did you mean 'default_queue'?)"
        ),
        "{all}"
    );
    assert!(
        all.contains(
            "f.toml:10:1: unknown key in [[step]] 'paramters' (did you mean 'parameters'?)"
        ),
        "{all}"
    );
    assert!(all.contains("duplicate step name 'a'"), "{all}");
    assert!(
        all.contains("f.toml:7:8: step name 'a' is too short"),
        "{all}"
    );
    assert!(all.contains("unknown parent 'zz'"), "{all}");
    assert!(all.contains("unknown step 'nope'"), "{all}");
    assert!(
        all.contains("unknown pipeline parameter 'missing'"),
        "{all}"
    );
    // the cycle is checked once the names are sound
    let cyc = messages(
        "[pipeline]\nname='p'\nproject='q'\n[[step]]\nname='aaa'\nparents=['ccc']\nbase_task_id='1'\n\
         [[step]]\nname='bbb'\nparents=['aaa']\nbase_task_id='2'\n[[step]]\nname='ccc'\nparents=['bbb']\nbase_task_id='3'\n",
    );
    assert_eq!(cyc.len(), 1, "{cyc:?}");
    assert!(
        cyc[0].ends_with("the steps form a cycle: aaa -> bbb -> ccc -> aaa"),
        "{cyc:?}"
    );
    assert!(cyc[0].starts_with("f.toml:5:"), "{cyc:?}");
}

/// A pipeline file of steps `step<i>` in the given file order, each with these parents.
fn dag_file(steps: &[(usize, Vec<usize>)]) -> String {
    let mut text = String::from("[pipeline]\nname='p'\nproject='q'\ndefault_queue='d'\n");
    for (i, parents) in steps {
        let parents: Vec<String> = parents.iter().map(|p| format!("'step{p}'")).collect();
        text.push_str(&format!(
            "[[step]]\nname='step{i}'\nbase_task_id='t'\nparents=[{}]\n",
            parents.join(",")
        ));
    }
    text
}

/// The launch order as it was first defined: sweep the file again and again, taking
/// in file order every step whose parents are taken.
fn sweeping_order(s: &Spec) -> Vec<usize> {
    let mut done = vec![false; s.steps.len()];
    let mut order = Vec::new();
    while order.len() < s.steps.len() {
        for (i, step) in s.steps.iter().enumerate() {
            if !done[i]
                && step
                    .parents
                    .iter()
                    .all(|p| done[s.steps.iter().position(|x| &x.name == p).unwrap()])
            {
                done[i] = true;
                order.push(i);
            }
        }
    }
    order
}

#[test]
fn the_launch_order_is_the_sweeping_order_on_random_dags() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..200 {
        let n = 1 + next(12);
        // A DAG over 0..n (parents have smaller numbers), written in a shuffled order.
        let mut steps: Vec<(usize, Vec<usize>)> = (0..n)
            .map(|i| (i, (0..i).filter(|_| next(3) == 0).collect()))
            .collect();
        for i in (1..n).rev() {
            steps.swap(i, next(i + 1));
        }
        let s = parse(&dag_file(&steps), &[]).unwrap();
        assert_eq!(s.order, sweeping_order(&s), "{steps:?}");
    }
}

#[test]
fn twenty_thousand_steps_in_reverse_order_are_checked_in_linear_time() {
    // A chain written child first: the sweeping order took one sweep per step (cubic
    // with its name lookups), the recursive cycle check one stack frame per step.
    let n = 20_000;
    let steps: Vec<(usize, Vec<usize>)> = (0..n)
        .rev()
        .map(|i| (i, if i == 0 { vec![] } else { vec![i - 1] }))
        .collect();
    let text = dag_file(&steps);
    let t0 = std::time::Instant::now();
    let s = parse(&text, &[]).unwrap();
    let took = t0.elapsed();
    let expected: Vec<usize> = (0..n).rev().collect();
    assert_eq!(s.order, expected);
    // A cycle closing the chain is found and named from its first step in the file.
    let mut cyclic = steps.clone();
    cyclic.last_mut().unwrap().1 = vec![n - 1];
    let t1 = std::time::Instant::now();
    let problems = parse(&dag_file(&cyclic), &[]).unwrap_err();
    let took = took + t1.elapsed();
    assert!(
        problems[0]
            .message
            .starts_with("the steps form a cycle: step19999 -> step0 -> step1")
    );
    // Seconds in a debug build, loaded machine included; it was minutes.
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn script_steps_exclude_base_tasks_and_own_requirements_and_args() {
    let head = "[pipeline]\nname='p'\nproject='q'\n";
    let s = parse(
        &format!("{head}[[step]]\nname='train'\nscript='steps/трен.py'\nrequirements='r.txt'\nargs={{lr='0.1', epochs=3}}\n"),
        &[],
    )
    .unwrap();
    assert_eq!(
        s.steps[0].base,
        BaseTask::Script {
            path: "steps/трен.py".into(),
            requirements: Some("r.txt".into()),
            args: vec![("lr".into(), "0.1".into()), ("epochs".into(), "3".into())],
        }
    );
    let m = messages(&format!(
        "{head}[[step]]\nname='both'\nscript='a.py'\nbase_task_id='x'\n[[step]]\nname='loose'\nbase_task_id='y'\nargs={{a='1'}}\n"
    ));
    assert!(
        m.iter().any(|m| m.contains("step 'both': give one of")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|m| m.contains("step 'loose': requirements and args go with script")),
        "{m:?}"
    );
}

#[test]
fn versions_bump_like_the_sdk() {
    assert_eq!(next_version("1.0.0").as_deref(), Some("1.0.1"));
    assert_eq!(next_version("2.9").as_deref(), Some("2.10"));
    assert_eq!(next_version("x"), None);
}

#[test]
fn columns_count_characters() {
    assert_eq!(line_col("ab\nпр x", 8), (2, 4));
}
