//! The parts of the task commands that other command groups reuse: the list columns,
//! filters and formatting (`query`), the rows of `task list` (`rows`), picking tasks and confirming an action on them
//! (`select`), console lines (`logs`, also `task logs` itself) and the JSON shapes (`json`).

pub mod json;
pub mod logs;
pub mod query;
pub mod rows;
pub mod select;
