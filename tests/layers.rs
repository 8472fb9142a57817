//! The layers of the product code, bottom to top, as README's architecture section draws them:
//! `data` < `ml` < `score` < `catalog` < `report` < (`export`, `serve`) < `mlflow` < (`jobs`, `cli`) < `gui`.
//! A top-level module may use only modules of lower layers, and only `gui` speaks egui.
//! Test modules (`#[cfg(test)] mod …` to the end of a file) may use anything.

use std::path::{Path, PathBuf};

/// Each top-level module and its layer.
const LAYERS: [(&str, u8); 11] = [
    ("data", 0),
    ("ml", 1),
    ("score", 2),
    ("catalog", 3),
    ("report", 4),
    ("export", 5),
    ("serve", 5),
    ("mlflow", 6),
    ("jobs", 7),
    ("cli", 7),
    ("gui", 8),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's text up to its test module.
fn product_code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines[..end].join("\n")
}

/// The top-level modules a text names as `crate::NAME`, including inside `crate::{a, b::c}`.
fn used_modules(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start => {
                        used.push(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.push(ident(rest));
        }
    }
    used
}

#[test]
fn no_module_uses_a_higher_layer_and_only_gui_speaks_egui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs");
        let Some(own) = layer(module) else { continue };
        let code = product_code(&std::fs::read_to_string(file).unwrap());
        for used in used_modules(&code) {
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(l) if l < own => {}
                Some(_) => wrong.push(format!("{}: uses crate::{used}", relative.display())),
                None => {}
            }
        }
        let speaks_egui = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .any(|l| l.contains("egui::") || l.contains("eframe::") || l.contains("egui_plot"));
        if module != "gui" && speaks_egui {
            wrong.push(format!("{}: uses egui", relative.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "upward or sideways arrows:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn grouped_and_nested_paths_are_read() {
    let code = "use crate::{data::Table, ml::{a, b}};\nlet x = crate::score::f();";
    assert_eq!(used_modules(code), ["data", "ml", "score"]);
    let test_module = "use crate::data;\n#[cfg(test)]\nmod tests {\n use crate::gui;\n}";
    assert_eq!(used_modules(&product_code(test_module)), ["data"]);
}
