fn main() {
    // The two front ends meet only here: the CLI opens the TUI's console when no subcommand
    // is given.
    std::process::exit(shipdeck::cli::main(shipdeck::tui::launch));
}
