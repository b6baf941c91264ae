//! What several services need of another's documents: a task's shape and status machine
//! (`task`), queue entries (`queue`), projects made by name (`project`), the metadata
//! maps of models and queues (`metadata`). Service modules
//! import these and never each other, so tasks, events, queues and models stay
//! independent of one another.

pub mod metadata;
pub mod project;
pub mod queue;
pub mod tags;
pub mod task;
pub mod task_cleanup;
