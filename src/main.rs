use clap::Parser;

// glibc's malloc was a fifth of a build's time: shaping, layout and the PDF writers make
// many small, short-lived allocations, which mimalloc serves from thread-local pages.
// The `system-allocator` feature leaves it out, so heaptrack can see the allocations.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match polypress::cli::Cli::try_parse() {
        Ok(cli) => polypress::cli::run(cli),
        // --help, --version and usage errors, printed without panicking on a full stdout.
        Err(e) => polypress::cli::command_line_error(&e),
    }
}
