//! The shape of the domain wing, checked on the source: files and functions stay small, modules
//! import each other without a circle, stored JSON is never read with a silent default, and the
//! REST handlers and server functions reach the database only through services.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 500;
const MAX_FUNCTION_LINES: usize = 80;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The source without its `#[cfg(test)] mod tests` block (tests may be as long as they need).
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i])
}

/// `(name, first line, length)` of every function whose body closes at its own indentation.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let mut rest = trimmed;
        for prefix in ["pub(crate) ", "pub(super) ", "pub ", "const ", "async "] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        rest = rest.strip_prefix("async ").unwrap_or(rest);
        let Some(signature) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = signature
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| l.starts_with(&close)) {
            out.push((name, i + 1, end + 1));
        }
    }
    out
}

#[test]
fn domain_files_and_functions_stay_small() {
    let domain = workspace().join("app/src/domain");
    let mut too_long = Vec::new();
    for file in rust_files(&domain) {
        let text = read(&file);
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            too_long.push(format!("{}: {lines} lines", file.display()));
        }
        for (name, at, length) in functions(without_tests(&text)) {
            if length > MAX_FUNCTION_LINES {
                too_long.push(format!("{}:{at} fn {name}: {length} lines", file.display()));
            }
        }
    }
    assert!(too_long.is_empty(), "{too_long:#?}");
}

#[test]
fn the_function_counter_sees_long_functions() {
    let body = "    let x = 1;\n".repeat(90);
    let text = format!("pub async fn long() {{\n{body}}}\n\nfn short() {{\n}}\n");
    let found = functions(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0], ("long".to_owned(), 1, 92));
    assert_eq!(found[1], ("short".to_owned(), 94, 2));
}

#[test]
fn stored_json_is_never_read_with_a_silent_default() {
    let mut found = Vec::new();
    for dir in ["app/src/domain", "server/src/rest", "server/src/http"] {
        for file in rust_files(&workspace().join(dir)) {
            let text = read(&file);
            for (n, line) in text.lines().enumerate() {
                if line.contains("serde_json::from_str") && line.contains("unwrap_or_default()") {
                    found.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn rest_handlers_and_server_functions_use_services_only() {
    let mut found = Vec::new();
    for dir in ["server/src/rest", "server/src/http", "app/src/api"] {
        for file in rust_files(&workspace().join(dir)) {
            let text = read(&file);
            for (n, line) in text.lines().enumerate() {
                if line.contains("Entity::") || line.contains("ActiveModel") {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The domain module a path inside `app/src/domain` names: `services/<job>` for services,
/// the top-level module otherwise.
fn domain_node(parts: &[&str]) -> Option<String> {
    match parts {
        ["services", job, ..] => Some(format!("services/{job}")),
        [top, ..] => Some((*top).to_owned()),
        [] => None,
    }
}

fn exists(domain: &Path, parts: &[&str]) -> bool {
    let base = parts.join("/");
    domain.join(format!("{base}.rs")).exists() || domain.join(base).join("mod.rs").exists()
}

/// Edges between domain modules from `crate::domain::…` and `super::…` paths.
fn domain_imports() -> BTreeMap<String, BTreeSet<String>> {
    let domain = workspace().join("app/src/domain");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&domain) {
        let rel = file
            .strip_prefix(&domain)
            .unwrap_or(&file)
            .with_extension("");
        let rel = rel.to_string_lossy().into_owned();
        let mut module: Vec<&str> = rel.split('/').collect();
        if module.last() == Some(&"mod") {
            module.pop();
        }
        let Some(from) = domain_node(&module) else {
            continue;
        };
        let text = read(&file);
        let code: String = without_tests(&text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut targets = BTreeSet::new();
        for (at, _) in code.match_indices("crate::domain::") {
            let path: Vec<&str> = code[at + "crate::domain::".len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .collect();
            let known = (1..=path.len().min(2))
                .rev()
                .find(|&n| exists(&domain, &path[..n]));
            if let Some(n) = known
                && let Some(node) = domain_node(&path[..n])
            {
                targets.insert(node);
            }
        }
        let parent = &module[..module.len().saturating_sub(1)];
        for (at, _) in code.match_indices("super::") {
            let rest = &code[at + "super::".len()..];
            let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                list.split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or(""))
                    .collect()
            } else {
                vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or(""),
                ]
            };
            for name in names {
                let mut path = parent.to_vec();
                path.push(name);
                if !name.is_empty()
                    && exists(&domain, &path)
                    && let Some(node) = domain_node(&path)
                {
                    targets.insert(node);
                }
            }
        }
        targets.remove(&from);
        edges.entry(from).or_default().extend(targets);
    }
    edges
}

#[test]
fn domain_modules_import_each_other_without_a_circle() {
    let edges = domain_imports();
    assert!(
        edges
            .get("services/connect")
            .is_some_and(|t| t.contains("services/links")),
        "the import reader sees imports: {edges:#?}"
    );
    // Depth-first search; a module met again while on the path closes a circle.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut circle = path[i..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(circle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            panic!("import circle: {}", circle.join(" → "));
        }
    }
}
