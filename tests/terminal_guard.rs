//! The terminal guard restores the terminal exactly once, on a normal exit and on a panic,
//! before the panic message is printed. The child is this test binary run again in a
//! pseudo-terminal with `CARNET_GUARD_CHILD` set.

use carnet::tui::terminal::{TerminalGuard, restore};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;

const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";
const DISABLE_BRACKETED_PASTE: &str = "\x1b[?2004l";

/// Runs only as the child: enters the app's terminal mode, then quits or panics.
#[test]
fn guard_child() {
    let Ok(mode) = std::env::var("CARNET_GUARD_CHILD") else {
        return;
    };
    let guard = TerminalGuard::enter().unwrap();
    if mode == "panic" {
        panic!("simulated failure in the event loop");
    }
    // A second restore, as a signal handler might do, must change nothing.
    restore();
    drop(guard);
}

/// Runs the child in a pseudo-terminal; returns its output and whether it succeeded.
fn run_child(mode: &str) -> (String, bool) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(std::env::current_exe().unwrap());
    command.args(["--exact", "guard_child", "--nocapture", "--test-threads=1"]);
    command.env("CARNET_GUARD_CHILD", mode);
    command.env("RUST_BACKTRACE", "0");
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut output = Vec::new();
        let _ = reader.read_to_end(&mut output);
        output
    });
    let status = child.wait().unwrap();
    drop(pty.master);
    let output = reading.join().unwrap();
    (
        String::from_utf8_lossy(&output).into_owned(),
        status.success(),
    )
}

#[test]
fn quit_restores_once() {
    let (output, success) = run_child("quit");
    assert!(success, "child failed: {output}");
    assert_eq!(
        output.matches(LEAVE_ALTERNATE_SCREEN).count(),
        1,
        "{output:?}"
    );
    assert_eq!(
        output.matches(DISABLE_BRACKETED_PASTE).count(),
        1,
        "{output:?}"
    );
}

#[test]
fn panic_restores_once_before_message() {
    let (output, success) = run_child("panic");
    assert!(!success, "a panic must end with a failure status");
    assert_eq!(
        output.matches(LEAVE_ALTERNATE_SCREEN).count(),
        1,
        "{output:?}"
    );
    let restored_at = output.find(LEAVE_ALTERNATE_SCREEN).unwrap();
    let message_at = output
        .find("simulated failure")
        .expect("panic message printed");
    assert!(
        restored_at < message_at,
        "the panic message must follow the restore: {output:?}"
    );
}
