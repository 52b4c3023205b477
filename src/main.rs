//! Entry point; everything lives in the library so tests and tools can reuse it.

fn main() -> std::process::ExitCode {
    ltops::main()
}
