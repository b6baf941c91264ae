//! What several services need of another's documents: a task's shape and status machine
//! (`task`), queue entries (`queue`), projects made by name (`project`). Service modules
//! import these and never each other, so tasks, events, queues and models stay
//! independent of one another.

pub mod project;
pub mod queue;
pub mod task;
