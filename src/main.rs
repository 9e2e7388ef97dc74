fn main() -> std::process::ExitCode {
    carnet::cli::main()
}
