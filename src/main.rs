//! `clearml`: set up, run and administer ClearML from one binary (see the library).

fn main() {
    clearml::run_cli()
}
