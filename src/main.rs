use clap::Parser;

fn main() -> std::process::ExitCode {
    polypress::cli::run(polypress::cli::Cli::parse())
}
